"""上门服务 and 帮办代办: ask, assign, complete or decline, cancel; every refusal has its code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.appointments.models import RequestStatus, ServiceRequest, ServiceRequestEvent
from tongban.appointments.services.requests import (
    service_request_assign,
    service_request_cancel,
    service_request_complete,
    service_request_decline,
    service_request_submit,
)
from tongban.appointments.tests.conftest import at
from tongban.core.errors import DomainError
from tongban.identity.services import staff_account_create
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

MON = dt.date(2026, 9, 28)


def home_visit(world, **kw):
    values = {
        "person": world.citizen,
        "hall_id": world.hall.pk,
        "kind": "home_visit",
        "reason": "年老体弱，行动不便",
        "address": "南京市玄武区北京东路 41 号 3 幢 201 室",
        "now": at(MON, 10),
    }
    values.update(kw)
    return service_request_submit(**values)


@pytest.fixture
def head(world):
    centre = Department.objects.get(name="南京市政务服务管理办公室")
    user = staff_account_create(username="hall_head", display_name="陈主任", password="Pw-12345678")
    staff_assign(
        user_id=user.pk, role=Role.DEPARTMENT_HEAD, department=centre, region_scope=centre.region
    )
    return user


def test_a_home_visit_walks_from_submitted_to_done_with_its_history(world, head):
    asked = home_visit(world)
    assert asked.status == RequestStatus.SUBMITTED and asked.code.startswith("FW260928")
    assigned = service_request_assign(
        request_id=asked.pk,
        staff=head,
        clerk_id=world.clerk.pk,
        expected_version=1,
        now=at(MON, 11),
    )
    assert assigned.status == RequestStatus.ASSIGNED and assigned.clerk_id == world.clerk.pk
    done = service_request_complete(
        request_id=asked.pk, clerk=world.clerk, note="已上门采集材料并受理", now=at(MON, 15)
    )
    assert done.status == RequestStatus.DONE and done.answer == "已上门采集材料并受理"
    steps = list(
        ServiceRequestEvent.objects.filter(request=asked).values_list("to_status", flat=True)
    )
    assert steps == ["submitted", "assigned", "done"]
    with pytest.raises(DomainError) as again:
        service_request_cancel(person=world.citizen, code=asked.code)
    assert again.value.code == "service_request_invalid_state"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "teleport"}, "kind"),
        ({"reason": "病"}, "reason"),
        ({"address": ""}, "address"),
        ({"preferred_date": MON - dt.timedelta(days=1)}, "preferred_date"),
        ({"preferred_date": MON + dt.timedelta(days=31)}, "preferred_date"),
        ({"kind": "proxy", "authorization": ""}, "authorization"),
    ],
)
def test_bad_requests_are_refused_with_the_field_and_nothing_stored(world, changes, field):
    with pytest.raises(DomainError) as refused:
        home_visit(world, **changes)
    assert refused.value.code == "service_request_invalid"
    assert refused.value.fields == [{"field": field}]
    assert not ServiceRequest.objects.exists()


def test_an_item_the_point_does_not_handle_and_a_second_open_request_are_refused(world):
    with pytest.raises(DomainError) as item:
        home_visit(world, service_item_id=999_999)
    assert item.value.code == "service_request_invalid"
    home_visit(world)
    with pytest.raises(DomainError) as twice:
        home_visit(world)
    assert twice.value.code == "service_request_duplicate"
    # 帮办代办 at the same point is another kind: allowed.
    proxy = home_visit(world, kind="proxy", authorization="代为提交企业开办申请材料")
    assert proxy.address == "" and proxy.authorization == "代为提交企业开办申请材料"


def test_only_staff_of_the_hall_assign_only_its_clerks_and_only_the_assignee_completes(world, head):
    asked = home_visit(world)
    with pytest.raises(DomainError) as outsider:
        service_request_assign(
            request_id=asked.pk, staff=world.other_clerk, clerk_id=world.clerk.pk
        )
    assert outsider.value.code == "service_request_not_found"
    with pytest.raises(DomainError) as wrong_clerk:
        service_request_assign(request_id=asked.pk, staff=head, clerk_id=world.other_clerk.pk)
    assert wrong_clerk.value.code == "service_request_clerk_invalid"
    assert ServiceRequest.objects.get().status == RequestStatus.SUBMITTED  # nothing half-applied
    service_request_assign(request_id=asked.pk, staff=head, clerk_id=world.clerk.pk)
    with pytest.raises(DomainError) as stale:
        service_request_assign(
            request_id=asked.pk, staff=head, clerk_id=world.clerk.pk, expected_version=1
        )
    assert stale.value.code == "service_request_version_mismatch"
    other = staff_account_create(username="clerk3", display_name="孙明", password="Pw-12345678")
    with pytest.raises(DomainError) as not_mine:
        service_request_complete(request_id=asked.pk, clerk=other)
    assert not_mine.value.code == "service_request_not_found"


def test_declining_needs_a_reason_the_person_sees_and_cancel_is_idempotent(world, head):
    asked = home_visit(world)
    with pytest.raises(DomainError) as bare:
        service_request_decline(request_id=asked.pk, staff=head, reason="")
    assert bare.value.code == "service_request_invalid"
    service_request_decline(
        request_id=asked.pk, staff=head, reason="该地址不在本中心服务范围，请向玄武区申请"
    )
    mine = Client()
    mine.force_login(world.citizen)
    page = mine.get("/my/requests/")
    assert "不予办理的理由：该地址不在本中心服务范围" in page.text
    second = home_visit(world)
    assert service_request_cancel(person=world.citizen, code=second.code).status == "cancelled"
    assert service_request_cancel(person=world.citizen, code=second.code).version == 2
    with pytest.raises(DomainError) as not_hers:
        service_request_cancel(person=world.other_citizen, code=second.code)
    assert not_hers.value.code == "service_request_not_found"


def test_the_pages_ask_list_assign_and_complete(world, head):
    citizen = Client()
    citizen.force_login(world.citizen)
    url = f"/halls/{world.hall.pk}/request/"
    assert citizen.get(url).status_code == 200
    refused = citizen.post(url, {"kind": "home_visit", "reason": "行动不便", "address": ""})
    assert refused.status_code == 422 and "上门地址须为" in refused.text
    done = citizen.post(
        url,
        {"kind": "home_visit", "reason": "行动不便", "address": "南京市玄武区北京东路 41 号"},
        follow=True,
    )
    asked = ServiceRequest.objects.get()
    assert asked.code in done.text and "已提交上门服务申请" in done.text
    desk = Client()
    desk.force_login(head)
    listed = desk.get("/workbench/hall-requests/")
    assert (
        f'data-request="{asked.code}"' in listed.text
        and "北京东路" in listed.text
        and "张*" in listed.text
    )
    desk.post(
        "/workbench/hall-requests/",
        {"action": "assign", "request": asked.pk, "version": 1, "clerk": world.clerk.pk},
    )
    clerk = Client()
    clerk.force_login(world.clerk)
    assert f"办结 {asked.code}" in clerk.get("/workbench/hall-requests/").text
    clerk.post(
        "/workbench/hall-requests/",
        {"action": "complete", "request": asked.pk, "version": 2, "note": "已上门受理"},
    )
    assert ServiceRequest.objects.get().status == RequestStatus.DONE
    listed_again = desk.get("/workbench/hall-requests/").text
    assert f'data-request="{asked.code}"' not in listed_again  # open ones only
    outsider = Client()
    outsider.force_login(world.other_clerk)
    assert f'data-request="{asked.code}"' not in outsider.get("/workbench/hall-requests/").text
