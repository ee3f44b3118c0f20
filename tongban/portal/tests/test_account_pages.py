"""Request-level tests of the login limits and the two-step sign-up pages (issue 9)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.accounts import PASSWORD, make_citizen, valid_id_number
from tests.support.sms import last_code
from tongban.core.models import AuditEvent
from tongban.identity.models import Person, PhoneVerification, User
from tongban.identity.services import citizen_signup

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def text(response) -> str:
    return response.content.decode("utf-8")


# ---------------------------------------------------------------- login limits


def test_failed_logins_back_off_with_a_chinese_message_and_retry_after(client, frozen_clock):
    make_citizen()
    for _ in range(6):
        client.post(reverse("portal:login"), {"username": "citizen1", "password": "nope-nope"})
    response = client.post(reverse("portal:login"), {"username": "citizen1", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录尝试过于频繁" in text(response)
    assert int(response["Retry-After"]) == 30  # the first back-off step
    assert "_auth_user_id" not in client.session


def test_twelve_correct_logins_of_six_users_behind_one_address_all_succeed(settings):
    """The probe, through the trusted proxy: the hall's NAT address is the client."""
    settings.TONGBAN_TRUSTED_PROXIES = ["10.0.0.5"]
    for n in range(6):
        make_citizen(username=f"hall{n}")
    for _ in range(2):
        for n in range(6):
            response = Client().post(
                reverse("portal:login"),
                {"username": f"hall{n}", "password": PASSWORD},
                REMOTE_ADDR="10.0.0.5",
                HTTP_X_FORWARDED_FOR="203.0.113.50",
            )
            assert response.status_code == 302, text(response)
    addresses = set(
        AuditEvent.objects.filter(action="identity.login_succeeded").values_list(
            "address", flat=True
        )
    )
    assert addresses == {"203.0.113.50"}


def test_a_spoofed_forwarded_for_does_not_escape_the_address_limit(settings):
    settings.TONGBAN_LOGIN_ADDRESS_FAILURES = 3
    make_citizen()
    for n in range(3):
        Client().post(
            reverse("portal:login"),
            {"username": f"nobody{n}", "password": "x"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",  # a new "address" each time, ignored
        )
    response = Client().post(
        reverse("portal:login"),
        {"username": "citizen1", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_pages_of_a_logged_in_user_are_not_stored(client):
    client.force_login(make_citizen())
    assert client.get("/")["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- sign-up, step 1


def ask_code(client, phone: str = PHONE):
    return client.post(reverse("portal:signup"), {"phone": phone})


def details(**overrides: str) -> dict[str, str]:
    data = {
        "code": last_code(),
        "name": "王小红",
        "id_number": valid_id_number(),
        "username": "",
        "password1": "Lantern-river-42",
        "password2": "Lantern-river-42",
    }
    data.update(overrides)
    return data


def test_signup_starts_with_the_phone_only(client):
    response = client.get(reverse("portal:signup"))
    assert response.status_code == 200
    body = text(response)
    assert "手机号码" in body and "获取验证码" in body
    assert 'name="id_number"' not in body


def test_asking_for_a_code_texts_it_and_leads_to_the_second_step(client, sms):
    response = ask_code(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:signup_details")
    assert sms.sent[-1]["recipient"] == PHONE
    assert re.search(r"验证码为 \d{6}", sms.sent[-1]["body"])
    page = client.get(response["Location"])
    body = text(page)
    assert "验证码已发送至 139****5678" in body
    for label in ("短信验证码", "姓名", "公民身份号码", "用户名（可不填）", "确认密码"):
        assert label in body
    assert PHONE not in body


def test_a_bad_phone_is_shown_at_its_field(client, sms):
    response = ask_code(client, "12345")
    assert response.status_code == 200
    body = text(response)
    assert 'id="id_phone_error"' in body
    assert "手机号码无效" in body
    assert not sms.sent


def test_asking_again_at_once_is_a_429_page_with_retry_after(client, sms, frozen_clock):
    ask_code(client)
    response = ask_code(client)
    assert response.status_code == 429
    assert "验证码已发送" in text(response)
    assert int(response["Retry-After"]) == 60  # the resend interval


def test_the_second_step_without_a_code_goes_back_to_the_first(client):
    response = client.get(reverse("portal:signup_details"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:signup")


# ---------------------------------------------------------------- sign-up, step 2


def test_signup_creates_a_citizen_with_a_generated_username_and_signs_them_in(client, sms):
    ask_code(client)
    response = client.post(reverse("portal:signup_details"), details())
    assert response.status_code == 302, text(response)
    user = User.objects.get(kind="citizen")
    assert re.fullmatch(r"tb[a-z0-9]{8}", user.username)
    assert user.person is not None and user.person.name == "王小红"
    assert user.person.phone_masked == "139****5678"
    assert client.session["_auth_user_id"] == str(user.pk)
    home = text(client.get("/"))
    assert "注册成功" in home and user.username in home
    assert "signup_verification" not in client.session


def test_a_chosen_username_is_kept_but_a_phone_number_is_refused(client, sms):
    ask_code(client)
    response = client.post(reverse("portal:signup_details"), details(username=PHONE))
    assert 'id="id_username_error"' in text(response)
    assert "不能使用手机号码" in text(response)
    response = client.post(reverse("portal:signup_details"), details(username="wang_xh"))
    assert response.status_code == 302
    assert User.objects.get(kind="citizen").username == "wang_xh"


def test_a_wrong_code_is_shown_at_the_code_field_and_nothing_is_created(client, sms):
    ask_code(client)
    wrong = "000000" if last_code() != "000000" else "111111"
    response = client.post(reverse("portal:signup_details"), details(code=wrong))
    body = text(response)
    assert 'id="id_code_error"' in body
    assert "验证码错误或已失效" in body
    assert not User.objects.exists() and not Person.objects.exists()


def test_name_mismatch_and_registered_id_look_the_same(client, sms, settings):
    settings.TONGBAN_SIGNUP_CODE_RESEND_SECONDS = 0
    registered = valid_id_number("32010219850505123")
    citizen_signup(phone="13700000000", password=PASSWORD, name="赵六", id_number=registered)
    pages = []
    for name in ("赵六", "钱七"):  # the right name (already registered), a wrong one
        ask_code(client)
        response = client.post(
            reverse("portal:signup_details"), details(name=name, id_number=registered)
        )
        assert response.status_code == 200
        refusal = re.search(
            r'<div class="form-error" id="signup-refusal">(.*?)</div>', text(response)
        )
        assert refusal
        pages.append(refusal.group(1))
    assert pages[0] == pages[1]
    assert "无法使用所填身份信息注册" in pages[0]
    assert User.objects.count() == 1


def test_mismatched_passwords_keep_the_input_but_not_the_passwords(client, sms):
    ask_code(client)
    response = client.post(reverse("portal:signup_details"), details(password2="Other-river-42"))
    body = text(response)
    assert "两次输入的密码不一致。" in body
    assert 'value="王小红"' in body
    assert "Lantern-river-42" not in body
    assert not User.objects.exists()
    # The code was not spent on a typo.
    assert PhoneVerification.objects.get().attempts == 0


def test_a_bad_id_number_is_shown_at_its_field(client, sms):
    ask_code(client)
    good = valid_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    body = text(client.post(reverse("portal:signup_details"), details(id_number=bad)))
    assert 'id="id_id_number_error"' in body
    assert 'aria-invalid="true"' in body
    assert not User.objects.exists()


def test_a_weak_password_is_explained_in_chinese(client, sms):
    ask_code(client)
    body = text(
        client.post(
            reverse("portal:signup_details"), details(password1="12345678", password2="12345678")
        )
    )
    assert 'id="id_password1_error"' in body
    assert not User.objects.exists()


def test_resending_gives_a_new_code_that_works(client, sms, settings):
    settings.TONGBAN_SIGNUP_CODE_RESEND_SECONDS = 0
    ask_code(client)
    first = last_code()
    response = client.post(reverse("portal:signup_details"), {"action": "resend"})
    assert response.status_code == 302
    assert len(sms.sent) == 2 and sms.sent[-1]["recipient"] == PHONE
    second = last_code()
    if first != second:  # one chance in a million that they are the same
        stale = client.post(reverse("portal:signup_details"), details(code=first))
        assert 'id="id_code_error"' in text(stale)
    response = client.post(reverse("portal:signup_details"), details(code=second))
    assert response.status_code == 302


# ---------------------------------------------------------------- the admin's login


def test_the_admin_login_form_is_the_portal_login_with_its_limits(client):
    from tests.support.accounts import make_clerk

    make_clerk(is_staff=True)
    response = client.get("/admin/")
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert followed.status_code == 302
    assert followed["Location"] == "/login/?next=%2Fadmin%2F"
    # A password posted to the admin's form is never checked there.
    posted = client.post("/admin/login/", {"username": "clerk1", "password": PASSWORD})
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/login/?next=/admin/", {"username": "clerk1", "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert AuditEvent.objects.filter(action="identity.login_succeeded").count() == 1
