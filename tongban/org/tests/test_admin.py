"""The admin pages render in Chinese, with their filters and searches."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tongban.core.models import AuditEvent
from tongban.org.demo import demo_org_load
from tongban.org.models import Hall
from tongban.org.tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(client):
    user = make_user("orgadmin")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("model", "query", "expected", "absent"),
    [
        ("region", "?level=county&within=360700", "瑞金市", "玄武区"),
        ("region", "?q=玄武", "玄武区", "章贡区"),
        ("department", "?kind=approval_bureau", "瑞金市行政审批局", "南京市民政局"),
        ("department", "?within=320100", "南京市玄武区民政局", "赣州市行政审批局"),
        ("hall", "?within=360000", "赣州市政务服务中心", "南京市政务服务中心"),
        ("window", "?kind=delivery&within=360700", "赣州市政务服务中心", "南京市政务服务中心"),
        ("staffassignment", "", "人员岗位", "Traceback"),
    ],
)
def test_admin_lists_render_with_filters(admin_browser, model, query, expected, absent):
    demo_org_load()

    response = admin_browser.get(reverse(f"admin:org_{model}_changelist") + query)

    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    assert absent not in page


def test_an_admin_edit_is_audited(admin_browser):
    demo_org_load()
    hall = Hall.objects.get(name="瑞金市政务服务中心")
    url = reverse("admin:org_hall_change", args=[hall.pk])
    page = admin_browser.get(url)
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"phone": "025-12345", "windows-TOTAL_FORMS": "0", "windows-INITIAL_FORMS": "0"})

    response = admin_browser.post(url, data)

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="org.admin_change", object_id=str(hall.pk)).exists()
    hall.refresh_from_db()
    assert hall.phone == "025-12345"
