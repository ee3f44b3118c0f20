"""Request-level tests of the public pages (Django test client)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.accounts import PASSWORD, make_citizen, make_clerk
from tongban.core.context_processors import LARGE_TEXT_COOKIE
from tongban.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode("utf-8")


# ---------------------------------------------------------------- layout and home


def test_home_page_shows_the_themes_and_the_way_in(client):
    response = client.get("/")
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="zh-Hans">' in body
    assert 'href="#main"' in body
    for theme in ("生育收养", "户籍办理", "婚姻登记", "就业创业", "社会保障", "退休", "身后事"):
        assert theme in body
    for theme in ("设立变更", "准营准办", "纳税缴费", "注销"):
        assert theme in body
    assert reverse("portal:login") in body
    assert reverse("portal:calendar") in body


def test_large_text_cookie_puts_the_class_on_html_server_side(client):
    client.cookies[LARGE_TEXT_COOKIE] = "1"
    body = text(client.get("/"))
    assert '<html lang="zh-Hans" class="large-text">' in body
    assert 'aria-pressed="true"' in body


def test_large_text_form_toggles_the_cookie_without_javascript(client):
    response = client.post(reverse("portal:large_text"), {"next": "/calendar/"})
    assert response.status_code == 302
    assert response["Location"] == "/calendar/"
    assert response.cookies[LARGE_TEXT_COOKIE].value == "1"
    response = client.post(reverse("portal:large_text"), {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert response.cookies[LARGE_TEXT_COOKIE].value == ""  # toggled off again


def test_the_static_assets_the_layout_needs_exist():
    from django.contrib.staticfiles import finders

    assert finders.find("css/tongban.css")
    assert finders.find("js/tongban.js")


# ---------------------------------------------------------------- login / logout


def test_login_page_renders_the_form(client):
    response = client.get(reverse("portal:login"))
    assert response.status_code == 200
    body = text(response)
    assert "登录" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'name="username"' in body and 'name="password"' in body


def test_login_with_a_wrong_password_shows_the_chinese_error(client):
    make_citizen()
    response = client.post(
        reverse("portal:login"), {"username": "citizen1", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "用户名或密码错误" in text(response)
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="identity.login_failed").count() == 1


def test_login_with_empty_fields_asks_for_them_in_chinese(client):
    response = client.post(reverse("portal:login"), {"username": "", "password": ""})
    body = text(response)
    assert "请填写用户名或手机号码。" in body
    assert "请填写密码。" in body


def test_login_signs_the_citizen_in_and_shows_their_name(client):
    user = make_citizen()
    response = client.post(reverse("portal:login"), {"username": "citizen1", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session["_auth_user_id"] == str(user.pk)
    body = text(client.get("/"))
    assert "张小明" in body
    assert "退出" in body


def test_login_honours_a_local_next_and_ignores_a_foreign_one(client):
    make_citizen()
    data = {"username": "citizen1", "password": PASSWORD}
    response = client.post(reverse("portal:login") + "?next=/calendar/%3Fmonth%3D2026-10", data)
    assert response["Location"] == "/calendar/?month=2026-10"
    client.logout()
    response = client.post(reverse("portal:login") + "?next=https://evil.example/x", data)
    assert response["Location"] == reverse("portal:home")


def test_a_clerk_lands_on_the_workbench_after_login(client):
    make_clerk()
    response = client.post(reverse("portal:login"), {"username": "clerk1", "password": PASSWORD})
    assert response["Location"] == reverse("workbench:home")


def test_logout_requires_post(client):
    user = make_citizen()
    client.force_login(user)
    response = client.get(reverse("portal:logout"))
    assert response.status_code == 405
    assert client.session.get("_auth_user_id") == str(user.pk)
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "您已安全退出" in text(client.get("/"))


# ---------------------------------------------------------------- signup: test_account_pages.py


# ---------------------------------------------------------------- calendar


def test_calendar_of_october_2026_marks_national_day_and_the_makeup_day(client):
    response = client.get(reverse("portal:calendar"), {"month": "2026-10"})
    assert response.status_code == 200
    body = text(response)
    assert "2026年10月" in body
    assert "国庆节" in body
    cells = response.context["weeks"]
    assert all(len(week) == 7 for week in cells)
    # 1 Oct 2026 is a Thursday: three blanks (Mon–Wed) before it in a Monday-first grid.
    assert cells[0][:3] == [None, None, None]
    assert cells[0][3].day.date.day == 1
    by_day = {c.day.date.day: c for week in cells for c in week if c}
    assert by_day[1].label == "节假日" and by_day[1].day.name == "国庆节"
    assert by_day[10].label == "调休上班"  # Saturday 10 Oct, a make-up working day
    assert by_day[11].label == "休息日"
    assert by_day[12].label == "工作日"
    assert 'href="?month=2026-09"' in body and 'href="?month=2026-11"' in body


def test_calendar_without_a_month_shows_the_current_month(client, monkeypatch):
    import datetime as dt

    from tongban.core import clock

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 5, 20))
    response = client.get(reverse("portal:calendar"))
    assert response.status_code == 200
    assert "2026年5月" in text(response)
    assert "劳动节" in text(response)


def test_calendar_of_a_year_without_data_shows_the_unavailable_message(client):
    # 2027 is provisional (ADR-0006); 2028, the year after, has no data.
    response = client.get(reverse("portal:calendar"), {"month": "2028-01"})
    assert response.status_code == 200
    body = text(response)
    assert "2028年的节假日安排尚未录入" in body
    assert "<table" not in body


def test_calendar_of_the_provisional_year_says_so_and_shows_the_month(client):
    response = client.get(reverse("portal:calendar"), {"month": "2027-02"})
    assert response.status_code == 200
    body = text(response)
    assert "暂定，待国务院放假通知发布后确认" in body
    assert "2027年的国务院节假日安排通知尚未发布" in body
    assert "春节补假" in body  # 除夕 Fri 5 Feb … 初三 Mon 8 Feb; 补假 9–10 Feb
    assert "<table" in body
    confirmed = text(client.get(reverse("portal:calendar"), {"month": "2026-10"}))
    assert "暂定" not in confirmed


@pytest.mark.parametrize("month", ["garbage", "2026-13", "2026-00", "0000-01", "99999-01", "-1"])
def test_calendar_with_a_malformed_month_is_a_friendly_page_not_a_crash(client, month):
    response = client.get(reverse("portal:calendar"), {"month": month})
    assert response.status_code == 400
    assert "无法识别要查看的月份" in text(response)


# ---------------------------------------------------------------- error pages


def test_an_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in text(response)


def test_a_form_posted_without_csrf_token_gets_a_chinese_explanation():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("portal:login"), {"username": "a", "password": "b"}
    )
    assert response.status_code == 403
    assert "页面已过期" in text(response)


def test_high_contrast_and_read_aloud_are_switched_by_a_posted_form_and_persist(client):
    """适老化 without JavaScript (issue 20, item 8): each switch sets its cookie."""
    response = client.post("/display/contrast/", {"next": "/calendar/"})
    assert response.status_code == 302 and response["Location"] == "/calendar/"
    assert client.cookies["tb_contrast"].value == "1"
    client.post("/display/read-aloud/", {"next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="zh-Hans" class="high-contrast read-aloud">' in body
    assert "已开启：" in body and "朗读本页" in body
    client.post("/display/contrast/", {"next": "/"})
    assert 'class="read-aloud"' in client.get("/").content.decode()
    assert client.post("/display/colour/", {"next": "/"}).status_code == 404
