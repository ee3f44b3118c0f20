import pytest
from django.test import Client

from tongban.core.models import AuditEvent
from tongban.identity.models import AccountKind, Person, RealNameLevel, User
from tongban.identity.services import token_create

from .conftest import PASSWORD, make_id

pytestmark = pytest.mark.django_db
SIGNUP = "/api/v1/identity/signup"
LOGIN = "/api/v1/identity/login"
LOGOUT = "/api/v1/identity/logout"
ME = "/api/v1/identity/me"


def signup_body(**changes):
    body = {
        "phone": "13800000001",
        "password": PASSWORD,
        "name": "张伟",
        "id_number": make_id(),
    }
    body.update(changes)
    return body


def test_signup_creates_a_citizen_at_level_one(client):
    number = make_id()
    response = client.post(SIGNUP, signup_body(id_number=number), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "13800000001"
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


def test_signup_with_an_invalid_id_number_is_a_problem_with_its_code(client):
    response = client.post(
        SIGNUP, signup_body(id_number="320102198503120010"), content_type="application/json"
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_resident_id"
    assert User.objects.count() == 0


def test_signup_with_a_weak_password_lists_the_field(client):
    response = client.post(
        SIGNUP, signup_body(password="password"), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "weak_password"
    assert body["errors"][0]["field"] == "body.password"


def test_an_unknown_field_in_the_body_is_a_validation_problem(client):
    response = client.post(SIGNUP, signup_body(role="admin"), content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert any(e["code"] == "extra_forbidden" for e in body["errors"])
    assert User.objects.count() == 0


def test_malformed_json_is_a_bad_request(client):
    response = client.post(SIGNUP, '{"phone": "138', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_signup_replayed_with_the_same_idempotency_key_creates_one_account(client):
    body = signup_body()
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


def test_the_eleventh_login_attempt_is_a_429_problem(client, citizen, settings):
    settings.TONGBAN_LOGIN_RATE_LIMIT = 10
    for _ in range(10):
        response = client.post(
            LOGIN, {"username": "citizen1", "password": "wrong"}, content_type="application/json"
        )
        assert response.status_code == 401
    response = client.post(
        LOGIN, {"username": "citizen1", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "login_rate_limited"
    assert body["detail"].startswith("登录尝试过于频繁，请 ")
    assert body["detail"].endswith(" 分钟后再试")
    assert client.get(ME).status_code == 401


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
    from tongban.identity.demo import demo_identity_load

    demo_identity_load()
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
