"""告知承诺核查 in the workbench (issue 17): the open checks of the caller's
department, paged; recording one (once), with Chinese errors and nothing changed
on a refusal; a failure reaches the applicant's credit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tongban.cases.models import PostCheck, PostCheckStatus
from tongban.core import clock
from tongban.credit import selectors as credit
from tongban.workbench import post_check_views
from tongban.workbench.tests.post_check_fixtures import post_check_world

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
URL = "/workbench/credit/post-checks/"


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _form(check, result="failed", note="现场核查：经营场所与承诺不符"):
    return {
        "check": str(check.pk),
        "case_no": check.case.case_no,
        f"c{check.pk}-result": result,
        f"c{check.pk}-note": note,
    }


def test_the_page_lists_the_departments_open_checks_and_records_a_failure(
    django_capture_on_commit_callbacks,
):
    world = post_check_world()
    (case,) = world.grant()
    check = PostCheck.objects.get(case=case)
    page = _client(world.reviewer).get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    assert case.case_no in text and "南京承诺餐饮有限公司" in text
    assert world.entity.credit_code in text and "食品经营许可（告知承诺）" in text
    assert check.due_on.strftime("%Y-%m-%d") in text
    # Another department's clerk sees none of it and cannot record it.
    other = _client(world.stranger)
    assert case.case_no not in other.get(URL).content.decode()
    refused = other.post(URL, _form(check))
    assert refused.status_code == 422 and "未找到该办件" in refused.content.decode()
    assert PostCheck.objects.get(pk=check.pk).status == PostCheckStatus.OPEN

    with django_capture_on_commit_callbacks(execute=True):  # the outbox delivers on commit
        done = _client(world.reviewer).post(URL, _form(check), follow=True)
    assert "承诺不实" in done.content.decode() and "已记入申请人信用记录" in done.content.decode()
    assert PostCheck.objects.get(pk=check.pk).status == PostCheckStatus.FAILED
    assert credit.class_of(world.entity.credit_code) == "D"
    assert case.case_no not in done.content.decode().split("待核查的办件")[1]
    # A second record (a stale page) is refused with the first result.
    again = _client(world.clerk).post(URL, _form(check, result="passed", note="核查属实"))
    assert again.status_code == 422 and "核查已于" in again.content.decode()


@pytest.mark.parametrize(
    ("result", "note", "message"),
    [
        ("", "核查情况", "请选择核查结果。"),
        ("maybe", "核查情况", "请选择核查结果。"),
        ("failed", "   ", "请填写核查情况。"),
        ("failed", "长" * 2001, "核查情况不能超过 2000 字"),
    ],
)
def test_bad_input_shows_a_chinese_error_and_changes_nothing(result, note, message):
    world = post_check_world()
    (case,) = world.grant()
    check = PostCheck.objects.get(case=case)
    answer = _client(world.clerk).post(URL, _form(check, result=result, note=note))
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert PostCheck.objects.get(pk=check.pk).status == PostCheckStatus.OPEN


def test_the_list_pages_by_due_date_with_a_cursor(monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(post_check_views, "PAGE_SIZE", 2)
    world = post_check_world()
    cases = world.grant(3)
    client = _client(world.clerk)
    with django_assert_max_num_queries(12):
        first = client.get(URL)
    text = first.content.decode()
    assert cases[0].case_no in text and cases[1].case_no in text
    assert cases[2].case_no not in text and "下一页" in text
    next_url = text.split('href="/workbench/credit/post-checks/?cursor=')[1].split('"')[0]
    second = client.get(f"{URL}?cursor={next_url}").content.decode()
    assert cases[2].case_no in second and cases[0].case_no not in second
    forged = client.get(f"{URL}?cursor=not-a-cursor")
    assert forged.status_code == 422 and "分页游标无效" in forged.content.decode()


def test_a_citizen_or_a_role_that_does_not_act_is_refused():
    world = post_check_world()
    from tongban.cases.tests.conftest import _staff
    from tongban.org.models import Department, Role

    handler = _staff(
        "hotline_handler", Role.HANDLER, Department.objects.get(pk=world.item.department_id)
    )
    assert _client(handler).get(URL).status_code == 403
