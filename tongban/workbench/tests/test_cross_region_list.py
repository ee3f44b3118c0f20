"""A hall's 通办 list kept in the workbench: its head adds another region's item and
takes one off (audited); a local item, an unknown one, a hall not hers and a clerk
are refused with their codes and Chinese messages."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.appointments.cross_region_selectors import remote_items_for_hall
from tongban.appointments.models import ServicePointItem
from tongban.appointments.services.cross_region import (
    cross_region_item_add,
    cross_region_item_remove,
)
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.org.models import Role
from tongban.workbench.tests.test_cross_region import (  # noqa: F401  (fixtures)
    _item,
    _staff,
    seeded,
    w,
)

PAGE = "/workbench/cross-region/items/"


def refused(code: str, call, **kw) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kw)
    assert caught.value.code == code, caught.value.detail
    return caught.value


def test_the_head_adds_and_removes_another_regions_item_audited(w):  # noqa: F811
    row, added = cross_region_item_add(
        staff=w.xw_head, hall_id=w.hall.pk, item_code=w.unlisted_item.implementation_code
    )
    assert added and row.handling == "collect"
    assert w.unlisted_item in remote_items_for_hall(hall=w.hall)
    again, added = cross_region_item_add(
        staff=w.xw_head, hall_id=w.hall.pk, item_code=w.unlisted_item.implementation_code
    )
    assert not added and again.pk == row.pk
    assert AuditEvent.objects.filter(action="appointments.cross_region_item_add").count() == 1
    cross_region_item_remove(staff=w.xw_head, hall_id=w.hall.pk, item_id=w.unlisted_item.pk)
    assert w.unlisted_item not in remote_items_for_hall(hall=w.hall)
    assert AuditEvent.objects.filter(
        action="appointments.cross_region_item_remove", object_id=str(w.hall.pk)
    ).exists()
    refused(
        "cross_region_item_not_listed",
        cross_region_item_remove,
        staff=w.xw_head,
        hall_id=w.hall.pk,
        item_id=w.unlisted_item.pk,
    )


def test_bad_changes_are_refused_with_their_codes(w):  # noqa: F811
    local = _item("010000000299", "食品经营许可（玄武本地）", "南京市玄武区市场监督管理局")
    add = cross_region_item_add
    base = {"staff": w.xw_head, "hall_id": w.hall.pk}
    error = refused("cross_region_item_invalid", add, **base, item_code=local.implementation_code)
    assert "不属于通办" in error.detail
    refused("cross_region_item_invalid", add, **base, item_code="nope")
    refused("cross_region_item_invalid", add, **base, item_code="")
    code = w.unlisted_item.implementation_code
    refused("cross_region_item_invalid", add, **base, item_code=code, handling="boss")
    refused("cross_region_forbidden", add, staff=w.clerk, hall_id=w.hall.pk, item_code=code)
    gz_head = _staff("gz_head", Role.SUPERVISOR, "赣州市章贡区市场监督管理局")
    refused("cross_region_hall_not_found", add, staff=gz_head, hall_id=w.hall.pk, item_code=code)
    # Local point items (就近办) are not this list's to remove.
    ServicePointItem.objects.create(hall=w.hall, service_item=local)
    refused(
        "cross_region_item_not_listed",
        cross_region_item_remove,
        **base,
        item_id=local.pk,
    )
    assert ServicePointItem.objects.filter(hall=w.hall, service_item=local).exists()


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_finds_adds_removes_and_answers_bad_input_in_chinese(w):  # noqa: F811
    page = _login(w.xw_head)
    shown = page.get(PAGE)  # one hall in her scope: it is chosen
    text = shown.content.decode()
    listed = f'data-listed="{w.zhanggong_item.implementation_code}"'
    assert shown.status_code == 200 and listed in text
    code = w.unlisted_item.implementation_code
    found = page.get(PAGE, {"hall": w.hall.pk, "q": "药品"}).content.decode()
    assert f'data-candidate="{code}"' in found and listed not in found.split("已列入")[0]
    done = page.post(
        PAGE, {"action": "add", "hall": w.hall.pk, "item": code, "handling": "handle"}, follow=True
    )
    assert "已将“药品经营许可（章贡）”列入通办事项。" in done.content.decode()
    assert ServicePointItem.objects.get(hall=w.hall, service_item=w.unlisted_item).handling == (
        "handle"
    )
    local = _item("010000000298", "食品经营许可（玄武）", "南京市玄武区市场监督管理局")
    bad = page.post(PAGE, {"action": "add", "hall": w.hall.pk, "item": local.implementation_code})
    assert bad.status_code == 422 and "不属于通办" in bad.content.decode()
    gone = page.post(
        PAGE, {"action": "remove", "hall": w.hall.pk, "item": w.unlisted_item.pk}, follow=True
    )
    assert "移出通办事项" in gone.content.decode()
    assert page.get(PAGE, {"hall": 999999}).status_code == 404
    assert _login(w.clerk).get(PAGE).status_code == 403
    gz_head = _staff("gz_head2", Role.SUPERVISOR, "赣州市章贡区市场监督管理局")
    assert _login(gz_head).get(PAGE, {"hall": w.hall.pk}).status_code == 404
    refused_post = _login(gz_head).post(PAGE, {"action": "add", "hall": w.hall.pk, "item": code})
    assert refused_post.status_code == 404


def test_a_head_restricted_to_one_department_cannot_change_the_halls_list(w):  # noqa: F811
    """Her department's window puts the hall in her scope, but the 通办 list is the
    whole hall's: only a grant for the whole region keeps it."""
    from tongban.identity.services import staff_account_create
    from tongban.org.services import staff_assign

    window = w.hall.windows.filter(departments__isnull=False).first()
    assert window is not None
    department = window.departments.first()
    head = staff_account_create(
        username="dept_head", display_name="部门负责人", password="Pw-1234567"
    )
    staff_assign(
        user_id=head.pk, role=Role.DEPARTMENT_HEAD, department=department,
        region_scope=w.hall.region, scope_departments=[department],
    )  # fmt: skip
    code = w.unlisted_item.implementation_code
    refused(
        "cross_region_hall_not_found",
        cross_region_item_add,
        staff=head,
        hall_id=w.hall.pk,
        item_code=code,
    )
    assert not ServicePointItem.objects.filter(hall=w.hall, service_item=w.unlisted_item).exists()
