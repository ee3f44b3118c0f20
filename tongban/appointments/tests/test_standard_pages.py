"""The pages of the window service standards: 首问责任 on the workbench, 纠错 on the
portal and for the hall supervisor, 应进必进 on the board. Each write checks the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.appointments.models import ErrorReport, FirstQuestion
from tongban.appointments.tests.conftest import at
from tongban.core import clock
from tongban.identity.services import staff_account_create
from tongban.org.models import Department, Role
from tongban.org.services import staff_assign


@pytest.fixture
def now(monkeypatch):
    moment = {"now": at(dt.date(2026, 9, 28), 10)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def supervisor(world):
    centre = Department.objects.get(name="南京市政务服务管理办公室")
    user = staff_account_create(
        username="hall_super", display_name="周监察", password="Pw-12345678"
    )
    staff_assign(
        user_id=user.pk, role=Role.SUPERVISOR, department=centre, region_scope=centre.region
    )
    return user


def test_a_clerk_records_hands_over_and_is_refused_on_the_page(world, now):
    clerk = logged_in(world.clerk)
    page = clerk.get("/workbench/first-questions/")
    assert page.status_code == 200 and "登记首问" in page.text
    key = page.context["key"]
    post = {"action": "record", "hall": world.hall.pk, "window": world.a01.pk, "key": key}
    empty = clerk.post("/workbench/first-questions/", {**post, "matter": " "}, follow=True)
    assert "咨询事由须为 2–500 个字" in empty.text and not FirstQuestion.objects.exists()
    made = clerk.post(
        "/workbench/first-questions/", {**post, "matter": "公司注销流程"}, follow=True
    )
    assert "已登记首问" in made.text
    clerk.post("/workbench/first-questions/", {**post, "matter": "公司注销流程"})  # again
    q = FirstQuestion.objects.get()
    assert q.owner_id == world.clerk.pk and q.matter == "公司注销流程"
    selfish = clerk.post(
        "/workbench/first-questions/",
        {"action": "handover", "question": q.pk, "to": f"user:{world.clerk.pk}", "note": "给我"},
        follow=True,
    )
    assert "不能移交给自己" in selfish.text
    answered = clerk.post(
        "/workbench/first-questions/",
        {"action": "answer", "question": q.pk, "version": q.version, "answer": "已告知简易注销"},
        follow=True,
    )
    assert f"{q.code} 已答复" in answered.text
    assert FirstQuestion.objects.get().status == "answered"
    other = logged_in(world.other_clerk).get("/workbench/first-questions/")
    assert q.code not in other.text
    assert logged_in(world.citizen).get("/workbench/first-questions/").status_code == 403


def test_a_citizen_reports_without_login_and_the_supervisor_answers(world, now, supervisor):
    anonymous = Client()
    assert anonymous.get("/halls/report/").status_code == 200
    unknown = anonymous.get("/halls/report/", {"hall": "999999"})
    assert unknown.status_code == 422 and "请选择大厅" in unknown.text
    form = anonymous.get("/halls/report/", {"hall": world.hall.pk})
    assert form.status_code == 200 and "发生了什么" in form.text
    values = {"hall": world.hall.pk, "key": form.context["key"], "phone": "13700001111"}
    short = anonymous.post("/halls/report/", {**values, "narrative": "不给办"})
    assert short.status_code == 422 and "经过须为 10–1000 个字" in short.text
    assert not ErrorReport.objects.exists()
    story = "材料齐全，窗口说系统维护不予收件，让我下周再来。"
    done = anonymous.post("/halls/report/", {**values, "narrative": story, "window_number": "A01"})
    assert done.status_code == 200 and "纠错已提交" in done.text
    anonymous.post("/halls/report/", {**values, "narrative": story})  # the same form again
    report = ErrorReport.objects.get()
    assert report.window_id == world.a01.pk and report.reporter is None

    assert logged_in(world.clerk).get("/workbench/error-reports/").status_code == 404
    desk = logged_in(supervisor)
    listed = desk.get("/workbench/error-reports/")
    assert listed.status_code == 200 and report.code in listed.text
    url = f"/workbench/error-reports/{report.code}/"
    assert logged_in(world.other_clerk).get(url).status_code == 404
    missing = desk.post(url, {"answer": "已核查，情况属实并已整改。", "version": 1})
    assert missing.status_code == 422 and "请选择情况是否属实" in missing.text
    answered = desk.post(
        url, {"substantiated": "yes", "answer": "已核查，情况属实并已整改。", "version": 1}
    )
    assert answered.status_code == 302
    twice = desk.post(url, {"substantiated": "no", "answer": "再次答复：情况不属实。"})
    assert twice.status_code == 422 and "已答复，不能再次答复" in twice.text
    assert ErrorReport.objects.get().substantiated is True

    tracked = anonymous.post("/halls/report/track/", {"code": report.code, "phone": "13700001111"})
    assert "经核查情况属实" in tracked.text
    wrong = anonymous.post("/halls/report/track/", {"code": report.code, "phone": "13700002222"})
    assert "纠错编号或手机号码不正确" in wrong.text and "已整改" not in wrong.text


def test_a_logged_in_citizen_sees_her_reports(world, now):
    citizen = logged_in(world.citizen)
    form = citizen.get("/halls/report/", {"hall": world.hall.pk})
    citizen.post(
        "/halls/report/",
        {
            "hall": world.hall.pk,
            "key": form.context["key"],
            "narrative": "窗口让我补交法律没有要求的证明材料。",
            "happened_on": "2026-9-1x",
        },
    )
    assert not ErrorReport.objects.exists()  # the date was wrong
    citizen.post(
        "/halls/report/",
        {
            "hall": world.hall.pk,
            "key": form.context["key"],
            "narrative": "窗口让我补交法律没有要求的证明材料。",
        },
    )
    mine = citizen.get("/my/reports/")
    report = ErrorReport.objects.get()
    assert report.reporter_id == world.citizen.pk and report.code in mine.text
    assert report.code not in logged_in(world.other_citizen).get("/my/reports/").text


def test_the_presence_board_takes_a_period(world, now, supervisor):
    board = logged_in(supervisor)
    page = board.get("/workbench/presence/", {"start": "2026-09-01", "end": "2026-09-30"})
    assert page.status_code == 200 and "应进必进" in page.text
    assert page.context["start"] == dt.date(2026, 9, 1)
    bad = board.get("/workbench/presence/", {"start": "2026-09-30", "end": "2026-09-01"})
    assert bad.status_code == 422 and "开始日期不能晚于结束日期" in bad.text
    garbled = board.get("/workbench/presence/", {"start": "九月"})
    assert garbled.status_code == 422 and "日期的格式" in garbled.text
    assert logged_in(world.clerk).get("/workbench/presence/").status_code == 404
