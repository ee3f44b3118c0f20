"""亮牌: the clerk on duty at a window, on the hall's screen and the window's display."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.appointments import selectors
from tongban.appointments.models import WindowDuty
from tongban.appointments.services import (
    ticket_call_next,
    ticket_take,
    window_duty_end,
    window_duty_start,
)
from tongban.appointments.tests.conftest import at
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.services import staff_account_create
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign

TUE = dt.date(2026, 9, 29)


@pytest.fixture
def second_clerk(world):
    nanjing = Department.objects.get(name="南京市市场监督管理局")
    user = staff_account_create(username="clerk2", display_name="赵磊", password="Pw-12345678")
    staff_assign(
        user_id=user.pk, role=Role.WINDOW_CLERK, department=nanjing, region_scope=nanjing.region
    )
    return user


def test_going_on_duty_is_idempotent_moves_with_the_clerk_and_ends(world):
    first = window_duty_start(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 8, 55))
    again = window_duty_start(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9))
    assert again.pk == first.pk and again.started_at == at(TUE, 8, 55)
    moved = window_duty_start(window_id=world.c01.pk, clerk=world.clerk, now=at(TUE, 10))
    first.refresh_from_db()
    assert first.ended_at == at(TUE, 10) and moved.window_id == world.c01.pk
    assert WindowDuty.objects.filter(clerk=world.clerk, ended_at__isnull=True).count() == 1
    window_duty_end(clerk=world.clerk, now=at(TUE, 12))
    assert not WindowDuty.objects.filter(ended_at__isnull=True).exists()
    assert window_duty_end(clerk=world.clerk, now=at(TUE, 12, 1)) is None  # nothing to end
    actions = list(
        AuditEvent.objects.filter(action__startswith="queue.duty_").values_list("action", flat=True)
    )
    assert actions == ["queue.duty_start", "queue.duty_end", "queue.duty_start", "queue.duty_end"]


def test_a_clerk_taking_a_window_left_without_signing_off_ends_the_other_duty(world, second_clerk):
    window_duty_start(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9))
    window_duty_start(window_id=world.a01.pk, clerk=second_clerk, now=at(TUE, 13, 30))
    open_duties = WindowDuty.objects.filter(window=world.a01, ended_at__isnull=True)
    assert [d.clerk_id for d in open_duties] == [second_clerk.pk]
    handover = AuditEvent.objects.filter(action="queue.duty_end").get()
    assert handover.details["reason"] == "handover"


def test_a_window_outside_the_clerks_scope_is_refused(world):
    with pytest.raises(DomainError) as refused:
        window_duty_start(window_id=world.a01.pk, clerk=world.other_clerk, now=at(TUE, 9))
    assert refused.value.code == "window_not_serving"
    assert not WindowDuty.objects.exists()


def test_calling_puts_the_clerk_on_duty_and_the_screen_shows_her_name(world, client: Client):
    ticket_take(theme_id=world.business.pk, now=at(TUE, 9))
    ticket_call_next(window_id=world.a01.pk, clerk=world.clerk, now=at(TUE, 9, 5))
    duty = WindowDuty.objects.get(ended_at__isnull=True)
    assert duty.window_id == world.a01.pk and duty.clerk_id == world.clerk.pk
    board = selectors.hall_board(world.hall.pk, day=TUE)
    assert board["windows"] == [{"number": "A01", "name": "综合受理窗口", "clerk": "王芳"}]
    api = client.get(f"/api/v1/appointments/halls/{world.hall.pk}/board")
    assert api.json()["windows"][0]["clerk"] == "王芳"
    page = client.get(f"/halls/{world.hall.pk}/windows/A01/")
    assert page.status_code == 200
    assert "王芳" in page.text and "A · 企业开办" in page.text
    idle = client.get(f"/halls/{world.hall.pk}/windows/C01/")
    assert "暂停服务" in idle.text
    assert client.get(f"/halls/{world.hall.pk}/windows/Z99/").status_code == 404


def test_the_clerk_goes_on_and_off_duty_on_the_queue_page(world):
    desk = Client()
    desk.force_login(world.clerk)
    url = f"/workbench/queue/?window={world.a01.pk}"
    assert "您当前未在岗" in desk.get(url).text
    desk.post("/workbench/queue/", {"window": world.a01.pk, "action": "duty_start"})
    assert "您在 A01 号窗口在岗" in desk.get(url).text
    desk.post("/workbench/queue/", {"window": world.a01.pk, "action": "duty_end"})
    assert not WindowDuty.objects.filter(ended_at__isnull=True).exists()
