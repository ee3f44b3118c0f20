"""好差评 pages: the applicant rates from the case page, the department works the desk."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.cases.tests.conftest import T0
from tongban.core import clock
from tongban.evaluation import services
from tongban.evaluation.models import Rating, Rectification


@pytest.fixture(autouse=True)
def moment(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


def browser(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_concluded_case_page_links_to_the_rating_page(ew):
    case = ew.concluded_case()
    c = browser(ew.citizen)
    page = c.get(f"/my/cases/{case.case_no}/").content.decode()
    assert f"/my/cases/{case.case_no}/rating/" in page and "评价本次服务" in page
    page = c.get(f"/my/cases/{case.case_no}/rating/").content.decode()
    assert "您对本次办事满意吗" in page and "非常不满意" in page
    open_case = ew.open_case()
    assert "评价本次服务" not in c.get(f"/my/cases/{open_case.case_no}/").content.decode()
    r = c.get(f"/my/cases/{open_case.case_no}/rating/")
    assert "办件办结后才能评价" in r.content.decode()


def test_the_applicant_rates_on_the_phone_page_once(ew):
    case = ew.concluded_case()
    c = browser(ew.citizen)
    url = f"/my/cases/{case.case_no}/rating/"
    r = c.post(url, {"level": "dissatisfied"})
    assert r.status_code == 422
    assert "请选择原因或填写评价内容" in r.content.decode()
    assert not Rating.objects.exists()
    r = c.post(url, {"level": "dissatisfied", "reasons": ["slow", "attitude"], "text": "太慢"})
    assert r.status_code == 302 and r["Location"] == url
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.reasons) == ("dissatisfied", ["slow", "attitude"])
    page = c.get(url).content.decode()
    assert "我的评价" in page and "待整改" in page and "办理超时或拖延" in page
    r = c.post(url, {"level": "satisfied"})
    assert r.status_code == 409 and "不能重复评价" in r.content.decode()
    assert Rating.objects.count() == 1


def test_another_person_and_staff_cannot_open_the_rating_page(ew):
    case = ew.concluded_case()
    url = f"/my/cases/{case.case_no}/rating/"
    assert browser(ew.accounts.other_citizen).get(url).status_code == 404
    assert browser(ew.accounts.other_citizen).post(url, {"level": "satisfied"}).status_code == 404
    assert browser(ew.cases.clerk).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page
    assert not Rating.objects.exists()


def _bad(ew):
    case = ew.concluded_case()
    rating, _ = services.rating_submit_for_case(
        case_id=case.pk, rater=ew.citizen, level="very_dissatisfied", reasons=["many_visits"]
    )
    return case, Rectification.objects.get(rating=rating)


def test_the_department_desk_answers_and_the_rater_answers_the_call_back(ew):
    case, rect = _bad(ew)
    head = browser(ew.cases.head)
    assert "差评整改" in head.get("/workbench/").content.decode()
    desk = head.get("/workbench/rectifications/").content.decode()
    assert case.case_no in desk and "待整改" in desk
    page = head.get(f"/workbench/rectifications/{rect.pk}/").content.decode()
    assert "提交整改答复" in page and "整改办结" not in page
    act = f"/workbench/rectifications/{rect.pk}/answer/"
    r = head.post(act, {"version": rect.version, "cause": "", "measures": "m"})
    assert r.status_code == 422 and "请填写原因分析" in r.content.decode()
    r = head.post(act, {"version": rect.version, "cause": "指南不清", "measures": "已修订指南"})
    assert r.status_code == 302
    r = head.post(act, {"version": rect.version, "cause": "c", "measures": "m"})
    assert r.status_code in (409, 412)  # a stale form changes nothing
    rect.refresh_from_db()
    assert (rect.status, rect.measures) == ("answered", "已修订指南")
    # The rater sees the answer and says whether it satisfies.
    c = browser(ew.citizen)
    url = f"/my/cases/{case.case_no}/rating/"
    assert "已修订指南" in c.get(url).content.decode()
    r = c.post(url, {"action": "revisit", "satisfied": "yes", "version": rect.version})
    assert r.status_code == 302
    rect.refresh_from_db()
    assert (rect.status, rect.revisit_satisfied) == ("revisited", True)
    # The supervisor closes it with its outcome.
    sup = browser(ew.supervisor)
    close = f"/workbench/rectifications/{rect.pk}/close/"
    r = sup.post(close, {"version": rect.version, "outcome": ""})
    assert r.status_code == 422 and "整改结果" in r.content.decode()
    assert sup.post(close, {"version": rect.version, "outcome": "已整改"}).status_code == 302
    assert Rectification.objects.get(pk=rect.pk).status == "closed"


def test_the_desk_is_scoped_and_bad_input_is_never_a_500(ew):
    _, rect = _bad(ew)
    other = browser(ew.cases.other_clerk)
    assert "暂无整改" in other.get("/workbench/rectifications/").content.decode()
    assert other.get(f"/workbench/rectifications/{rect.pk}/").status_code == 404
    r = other.post(f"/workbench/rectifications/{rect.pk}/answer/", {"cause": "c", "measures": "m"})
    assert r.status_code == 404
    head = browser(ew.cases.head)
    assert head.get("/workbench/rectifications/?cursor=garbage").status_code in (200, 404)
    assert head.get("/workbench/rectifications/?status=nope").status_code == 200
    r = head.post(f"/workbench/rectifications/{rect.pk}/nope/", {"version": "x"})
    assert r.status_code == 404
    r = head.post(f"/workbench/rectifications/{rect.pk}/close/", {"version": "abc", "outcome": "x"})
    assert r.status_code == 403  # a department head does not close
    assert browser(ew.citizen).get("/workbench/rectifications/").status_code == 403
    assert Rectification.objects.get(pk=rect.pk).status == "open"


def test_the_public_board_ranks_departments_without_any_rating_text(ew):
    for level in ("very_satisfied", "dissatisfied"):
        case = ew.concluded_case()
        services.rating_submit_for_case(
            case_id=case.pk, rater=ew.citizen, level=level, text="私密的评价内容"
        )
    page = Client().get("/ratings/?year=2026").content.decode()
    assert "南京市市场监督管理局" in page and "食品经营许可证遗失补发" in page
    # 2 ratings, 1 good: 好评率 50.0%; the bad one not yet due, so no 按时率.
    assert "<td>2</td><td>50.0%</td><td>1</td><td>0</td><td>—</td><td>3.50</td>" in page
    assert "私密的评价内容" not in page
    assert "本年度暂无评价" in Client().get("/ratings/?year=2025").content.decode()
    assert Client().get("/ratings/?year=abc").status_code == 200
    assert Client().get("/ratings/?year=99999999999999999999").status_code == 200


def test_the_department_head_appeals_on_the_desk(ew):
    _, rect = _bad(ew)
    head = browser(ew.cases.head)
    page = head.get(f"/workbench/rectifications/{rect.pk}/").content.decode()
    assert "申诉（恶意或错误评价）" in page and "申诉成立" not in page
    act = f"/workbench/rectifications/{rect.pk}/appeal/"
    assert head.post(act, {"version": rect.version, "reason": ""}).status_code == 422
    assert head.post(act, {"version": rect.version, "reason": "评价对象错误"}).status_code == 302
    rect.refresh_from_db()
    assert (rect.status, rect.appeal_reason) == ("appealed", "评价对象错误")
    assert "申诉中" in head.get(f"/workbench/rectifications/{rect.pk}/").content.decode()


def test_the_admin_lists_ratings_and_rectifications_read_only(ew):
    from django.urls import reverse

    from tongban.identity.models import User

    _bad(ew)
    root = User.objects.create_superuser("root", "root-password-1")
    c = browser(root)
    for model in ("rating", "rectification"):
        r = c.get(reverse(f"admin:evaluation_{model}_changelist"))
        assert r.status_code == 200, model
        assert "非常不满意" in r.content.decode() or model == "rectification"
    assert c.get(reverse("admin:evaluation_rating_add")).status_code == 403


def test_the_applicant_changes_the_rating_once_on_the_page(ew):
    case = ew.concluded_case()
    c = browser(ew.citizen)
    url = f"/my/cases/{case.case_no}/rating/"
    assert c.post(url, {"level": "satisfied"}).status_code == 302
    assert "修改评价（仅可修改一次）" in c.get(url).content.decode()
    r = c.post(url, {"action": "change", "level": "very_satisfied", "reasons": ["fast"]})
    assert r.status_code == 302
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.previous_level) == ("very_satisfied", "satisfied")
    assert "修改评价（仅可修改一次）" not in c.get(url).content.decode()
    r = c.post(url, {"action": "change", "level": "satisfied"})
    assert r.status_code == 409 and "只能修改一次" in r.content.decode()
