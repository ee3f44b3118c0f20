import datetime as dt
import re

import pytest
from django.test import Client

from tests.support.sms import last_code
from tongban.core.models import AuditEvent, Notification
from tongban.identity.models import AccountKind, Person, PhoneVerification, RealNameLevel, User
from tongban.identity.services import citizen_signup, person_register, token_create

from .conftest import PASSWORD, make_id

pytestmark = pytest.mark.django_db
SIGNUP = "/api/v1/identity/signup"
SIGNUP_CODE = "/api/v1/identity/signup/code"
LOGIN = "/api/v1/identity/login"
LOGOUT = "/api/v1/identity/logout"
ME = "/api/v1/identity/me"


def send_code(client, phone="13800000001", **extra):
    return client.post(SIGNUP_CODE, {"phone": phone}, content_type="application/json", **extra)


def signup_body(client, phone="13800000001", **changes):
    """A complete sign-up body, with a fresh code sent to ``phone``."""
    sent = send_code(client, phone)
    assert sent.status_code == 202, sent.content
    body = {
        "verification": sent.json()["verification"],
        "code": last_code(phone),
        "password": PASSWORD,
        "name": "张伟",
        "id_number": make_id(),
    }
    body.update(changes)
    return body


def test_signup_creates_a_citizen_at_level_one_with_a_generated_username(client, sms):
    number = make_id()
    response = client.post(
        SIGNUP, signup_body(client, id_number=number), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"tb[a-z0-9]{8}", body["username"])
    assert body["kind"] == "citizen"
    assert body["real_name_level"] == 1
    assert body["name_masked"] == "张*"
    assert body["id_number_masked"] == "320102********" + number[-4:]
    assert body["phone_masked"] == "138****0001"
    assert body["legal_entities"] == []
    assert number not in response.content.decode()
    user = User.objects.get()
    assert user.kind == AccountKind.CITIZEN
    assert user.real_name_level == RealNameLevel.L1
    person = Person.objects.get()
    assert user.person == person
    assert person.id_number_enc.startswith("sm4gcm:")
    assert PhoneVerification.objects.get().used_at is not None


def test_the_code_is_texted_and_only_its_hash_is_stored(client, sms):
    response = send_code(client, "13800000001")
    assert response.status_code == 202
    body = response.json()
    assert body["phone_masked"] == "138****0001"
    assert body["resend_after_seconds"] == 60
    code = last_code("13800000001")
    row = PhoneVerification.objects.get()
    assert row.public_id == body["verification"]
    stored = " ".join(str(v) for v in PhoneVerification.objects.values_list().get())
    assert code not in stored and "13800000001" not in stored
    assert not Notification.objects.exists()  # no copy of the code in the outbox either


def test_signup_without_a_code_of_that_phone_is_refused(client, sms):
    body = signup_body(client)
    for changes in ({"code": "000000" if body["code"] != "000000" else "111111"},
                    {"verification": "made-up"}):  # fmt: skip
        response = client.post(SIGNUP, {**body, **changes}, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["code"] == "signup_code_invalid"
    assert not User.objects.exists()
    assert not Person.objects.exists()


def test_another_persons_phone_cannot_be_claimed_without_its_code(client, sms):
    # The probe signed up with someone else's phone; now the code goes to that phone.
    body = signup_body(client, phone="13900000009")
    guesses = [f"{n:06d}" for n in range(6) if f"{n:06d}" != body["code"]][:5]
    for guess in guesses:
        client.post(SIGNUP, {**body, "code": guess}, content_type="application/json")
    # Five wrong guesses spend the code: even the right one no longer works.
    response = client.post(SIGNUP, body, content_type="application/json")
    assert response.json()["code"] == "signup_code_invalid"
    assert not User.objects.exists()


def test_an_expired_code_is_refused(client, sms, settings):
    body = signup_body(client)
    PhoneVerification.objects.update(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    response = client.post(SIGNUP, body, content_type="application/json")
    assert response.json()["code"] == "signup_code_invalid"


def test_a_code_is_used_once(client, sms):
    body = signup_body(client)
    assert client.post(SIGNUP, body, content_type="application/json").status_code == 201
    again = client.post(
        SIGNUP, {**body, "id_number": make_id(order="003")}, content_type="application/json"
    )
    assert again.json()["code"] == "signup_code_invalid"
    assert User.objects.count() == 1


def test_codes_are_limited_per_phone_and_per_address_with_retry_after(
    client, sms, settings, frozen_clock
):
    first = send_code(client, "13800000001")
    assert first.status_code == 202
    again = send_code(client, "13800000001")
    assert again.status_code == 429
    assert again.json()["code"] == "signup_rate_limited"
    assert int(again["Retry-After"]) == 60  # the resend interval, the clock standing still
    settings.TONGBAN_SIGNUP_CODE_RESEND_SECONDS = 0
    settings.TONGBAN_SIGNUP_CODES_PER_ADDRESS = 3
    assert send_code(client, "13800000002").status_code == 202
    assert send_code(client, "13800000003").status_code == 202
    limited = send_code(client, "13800000004")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    # Another address is not affected by this one.
    assert send_code(client, "13800000004", REMOTE_ADDR="10.9.9.9").status_code == 202


def _register_other(number, name="王芳"):
    citizen_signup(phone="13700000000", password=PASSWORD, name=name, id_number=number)


def test_the_oracle_is_closed_25_tries_give_25_identical_answers(client, sms, settings):
    """The probe: name/ID pairs told apart by person_name_mismatch vs id_number_registered."""
    settings.TONGBAN_SIGNUP_CODE_RESEND_SECONDS = 0
    settings.TONGBAN_SIGNUP_CODES_PER_PHONE = 100
    settings.TONGBAN_SIGNUP_CODES_PER_ADDRESS = 100
    settings.TONGBAN_SIGNUP_FAILURES_PER_ADDRESS = 100
    settings.TONGBAN_SIGNUP_FAILURES_PER_ID_NUMBER = 100
    registered = make_id(order="011")
    _register_other(registered, name="王芳")  # an ID with an account, named 王芳
    known = make_id(order="013")
    person_register(name="李娜", id_number=known)  # a person without an account
    answers = set()
    for attempt in range(25):
        # Wrong names for both IDs, and the right name for the registered one.
        number, name = [(registered, "王芳"), (registered, "赵六"), (known, "赵六")][attempt % 3]
        body = signup_body(client, name=name, id_number=number)
        response = client.post(SIGNUP, body, content_type="application/json")
        payload = response.json()
        answers.add((response.status_code, payload["code"], payload["detail"], payload["title"]))
    assert len(answers) == 1, answers
    status, code, _detail, _title = answers.pop()
    assert (status, code) == (422, "signup_refused")
    assert User.objects.filter(kind="citizen").count() == 1


def test_refusals_are_limited_per_address_and_per_id_number(client, sms, settings):
    settings.TONGBAN_SIGNUP_CODE_RESEND_SECONDS = 0
    settings.TONGBAN_SIGNUP_FAILURES_PER_ID_NUMBER = 3
    registered = make_id(order="011")
    _register_other(registered)
    for _ in range(3):
        body = signup_body(client, name="赵六", id_number=registered)
        assert client.post(SIGNUP, body, content_type="application/json").status_code == 422
    body = signup_body(client, name="赵六", id_number=registered)
    limited = client.post(SIGNUP, body, content_type="application/json", REMOTE_ADDR="10.8.8.8")
    assert limited.status_code == 429
    assert limited.json()["code"] == "signup_rate_limited"
    assert int(limited["Retry-After"]) > 0
    # Another ID number from yet another address is not limited by that one.
    other = signup_body(client, phone="13800000005", id_number=make_id(order="021"))
    response = client.post(SIGNUP, other, content_type="application/json", REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 201, response.content
    settings.TONGBAN_SIGNUP_FAILURES_PER_ADDRESS = 2
    for _ in range(2):
        body = signup_body(client, phone="13800000006", name="赵六", id_number=make_id(order="031"))
        body["code"] = "999999" if body["code"] != "999999" else "888888"
        client.post(SIGNUP, body, content_type="application/json", REMOTE_ADDR="10.6.6.6")
    body = signup_body(client, phone="13800000006", id_number=make_id(order="033"))
    limited = client.post(SIGNUP, body, content_type="application/json", REMOTE_ADDR="10.6.6.6")
    assert limited.json()["code"] == "signup_rate_limited"


def test_a_username_may_be_chosen_but_not_a_phone_or_id_number(client, sms):
    for username, code in (("13912345678", "invalid_username"), (make_id(order="041"),
                           "invalid_username")):  # fmt: skip
        body = signup_body(client, phone="13800000007", username=username)
        response = client.post(SIGNUP, body, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["code"] == code
        PhoneVerification.objects.all().delete()  # a new code for the next try
    body = signup_body(client, phone="13800000007", username="zhang_wei")
    response = client.post(SIGNUP, body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["username"] == "zhang_wei"


def test_the_account_created_audit_event_carries_no_personal_data(client, sms):
    number = make_id()
    body = signup_body(client, id_number=number, username="zhang_wei")
    client.post(SIGNUP, body, content_type="application/json")
    event = AuditEvent.objects.get(action="identity.account_created")
    assert event.details == {"kind": "citizen"}
    text = str(list(AuditEvent.objects.values_list("details", "object_id")))
    for personal in ("13800000001", number, "张伟", "zhang_wei"):
        assert personal not in text


def test_signup_with_an_invalid_id_number_is_a_problem_with_its_code(client, sms):
    response = client.post(
        SIGNUP, signup_body(client, id_number="320102198503120010"), content_type="application/json"
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_resident_id"
    assert User.objects.count() == 0


def test_signup_with_a_weak_password_lists_the_field_and_keeps_the_code(client, sms):
    body = signup_body(client)
    response = client.post(
        SIGNUP, {**body, "password": "password"}, content_type="application/json"
    )
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "weak_password"
    assert payload["errors"][0]["field"] == "body.password"
    # A typo is not a guess: the same code still signs up with a good password.
    assert client.post(SIGNUP, body, content_type="application/json").status_code == 201


def test_an_unknown_field_in_the_body_is_a_validation_problem(client, sms):
    response = client.post(
        SIGNUP, signup_body(client, role="admin"), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert any(e["code"] == "extra_forbidden" for e in body["errors"])
    assert User.objects.count() == 0


def test_malformed_json_is_a_bad_request(client):
    response = client.post(SIGNUP, '{"phone": "138', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_signup_replayed_with_the_same_idempotency_key_creates_one_account(client, sms):
    body = signup_body(client)
    first = client.post(SIGNUP, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(SIGNUP, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert User.objects.count() == 1


def test_login_opens_a_session_that_me_recognizes(client, citizen):
    response = client.post(
        LOGIN, {"username": "citizen1", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "citizen1"
    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["display_name"] == "张*"
    assert AuditEvent.objects.filter(action="identity.login_succeeded").count() == 1


def test_a_wrong_password_is_a_401_problem(client, citizen):
    response = client.post(
        LOGIN, {"username": "citizen1", "password": "wrong"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "login_failed"
    assert response.json()["detail"] == "用户名或密码错误"
    assert client.get(ME).status_code == 401


def test_failed_logins_back_off_with_a_429_problem_and_retry_after(client, citizen, frozen_clock):
    for _ in range(5):
        response = client.post(
            LOGIN, {"username": "citizen1", "password": "wrong"}, content_type="application/json"
        )
        assert response.status_code == 401
    # The sixth failure starts the back-off: 30 seconds.
    client.post(LOGIN, {"username": "citizen1", "password": "x"}, content_type="application/json")
    response = client.post(
        LOGIN, {"username": "citizen1", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "login_rate_limited"
    assert body["detail"].startswith("登录尝试过于频繁，请 ")
    assert int(response["Retry-After"]) == 30
    assert body["retry_after"] == int(response["Retry-After"])
    assert client.get(ME).status_code == 401


def test_twelve_correct_logins_of_six_users_from_one_address_all_succeed(client):
    """The probe: correct logins from one address were counted and refused."""
    for n in range(6):
        citizen_signup(
            username=f"hall{n}",
            phone=f"1380000010{n}",
            password=PASSWORD,
            name="张伟",
            id_number=make_id(order=f"1{n}1"),
        )
    for _ in range(2):
        for n in range(6):
            response = Client().post(
                LOGIN,
                {"username": f"hall{n}", "password": PASSWORD},
                content_type="application/json",
                REMOTE_ADDR="203.0.113.50",
            )
            assert response.status_code == 200, response.content


def test_a_citizen_may_log_in_with_their_phone(client, citizen):
    response = client.post(
        LOGIN, {"username": "13800000001", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["username"] == "citizen1"


def test_me_with_a_bearer_token(client, citizen, django_assert_num_queries):
    _token, plaintext = token_create(user=citizen, name="脚本")
    # token lookup with its user, last-use update, the person, the authorizations
    with django_assert_num_queries(4):
        response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "citizen1"
    assert body["kind"] == "citizen"
    assert body["id_number_masked"].startswith("320102****")


def test_me_without_credentials_or_with_a_bad_token_is_401(client, citizen):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer tb_wrong"}):
        response = client.get(ME, **headers)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_me_lists_the_legal_entities_of_a_business_account(client):
    from tests.support.accounts import demo_people_load

    demo_people_load()
    client.force_login(User.objects.get(username="biz3agent"))
    body = client.get(ME).json()
    assert body["kind"] == "business"
    assert [(e["name"], e["role"]) for e in body["legal_entities"]] == [
        ("赣州章贡脐橙农业发展有限公司", "agent")
    ]


def test_logout_ends_the_session(client, citizen):
    client.force_login(citizen)
    response = client.post(LOGOUT)
    assert response.status_code == 204
    assert client.get(ME).status_code == 401


def test_session_writes_need_the_csrf_token(citizen):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    response = browser.post(LOGOUT)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_cross_site_login_form_is_refused(citizen):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        LOGIN,
        {"username": "citizen1", "password": PASSWORD},
        content_type="application/json",
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not AuditEvent.objects.filter(action="identity.login_succeeded").exists()


def test_an_api_client_without_cookies_logs_in_without_csrf(citizen):
    api_client = Client(enforce_csrf_checks=True)
    response = api_client.post(
        LOGIN, {"username": "citizen1", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
