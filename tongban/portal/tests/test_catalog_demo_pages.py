"""Every guide of the demo catalogue renders (its many shapes: fees, situation
trees, special procedures, intermediaries), and so do the lists and figures."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.catalog.demo import demo_catalog_load
from tongban.catalog.models import ServiceItem
from tongban.org.demo import demo_org_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_catalogue() -> list[ServiceItem]:
    demo_org_load()
    demo_catalog_load()
    return list(ServiceItem.objects.filter(current_version__isnull=False).order_by("id"))


def test_every_demo_guide_and_its_printable_version_render(client, demo_catalogue):
    assert len(demo_catalogue) >= 150
    for item in demo_catalogue:
        for name in ("portal:service_guide", "portal:service_print"):
            response = client.get(reverse(name, args=[item.implementation_code]))
            assert response.status_code == 200, item.implementation_code
            assert item.name in response.content.decode("utf-8")


def test_every_list_and_the_figures_render_for_every_demo_city(client, demo_catalogue):
    from tongban.catalog.lists import LISTS

    for region in ("320000", "320100", "360700", "320102"):
        for slug in LISTS:
            response = client.get(reverse("portal:list", args=[slug]), {"region": region})
            assert response.status_code == 200, (slug, region)
        assert client.get(reverse("portal:stats"), {"region": region}).status_code == 200


def test_the_services_page_pages_through_the_demo_catalogue(client, demo_catalogue):
    seen: set[str] = set()
    url = reverse("portal:services") + "?region=320100"
    for _ in range(30):
        body = client.get(url).content.decode("utf-8")
        seen.update(i.implementation_code for i in demo_catalogue if i.implementation_code in body)
        if 'rel="next"' not in body:
            break
        url = reverse("portal:services") + body.split('rel="next"')[0].rsplit('href="', 1)[1].split(
            '"'
        )[0].replace("&amp;", "&")
    assert len(seen) > 20
