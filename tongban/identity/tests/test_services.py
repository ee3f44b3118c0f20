import datetime as dt

import pytest
from django.db import connection

from tongban.core.crypto import decrypt
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.models import (
    AccountKind,
    AuthorizationRole,
    BusinessAuthorization,
    LegalEntity,
    Person,
    RealNameLevel,
    User,
)
from tongban.identity.selectors import (
    ID_NUMBER_CONTEXT,
    PHONE_CONTEXT,
    legal_entities_for_user,
    person_find_by_id_number,
)
from tongban.identity.services import (
    authorization_grant,
    authorization_revoke,
    business_account_create,
    citizen_signup,
    legal_entity_register,
    login_attempt,
    person_register,
    staff_account_create,
    system_account_create,
)

from .conftest import PASSWORD, make_credit_code, make_id

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


def register(name="张伟", id_number=None, phone="13800000001"):
    return person_register(name=name, id_number=id_number or make_id(), phone=phone, now=NOW)


# --- persons --------------------------------------------------------------------


def test_an_id_number_with_a_wrong_check_digit_is_refused_with_its_code():
    number = make_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(DomainError) as exc:
        register(id_number=wrong)
    assert exc.value.code == "invalid_resident_id"
    assert "校验码" in exc.value.detail
    assert Person.objects.count() == 0


def test_a_birth_date_in_the_future_is_refused():
    with pytest.raises(DomainError) as exc:
        register(id_number=make_id(birth="20300101"))
    assert exc.value.code == "invalid_resident_id"


def test_a_phone_that_is_not_a_mobile_number_is_refused():
    with pytest.raises(DomainError) as exc:
        register(phone="02584000000")
    assert exc.value.code == "invalid_phone"


def test_the_id_and_phone_numbers_are_stored_only_as_ciphertext():
    number = make_id()
    person = register(id_number=number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM identity_person WHERE id = %s", [person.pk])
        row = cursor.fetchone()
    assert not any(number in str(value) for value in row)
    assert not any("13800000001" in str(value) for value in row)
    stored = Person.objects.get(pk=person.pk)
    assert stored.id_number_enc.startswith("sm4gcm:")
    assert decrypt(stored.id_number_enc, context=ID_NUMBER_CONTEXT) == number
    assert decrypt(stored.phone_enc, context=PHONE_CONTEXT) == "13800000001"


def test_a_person_is_found_by_id_number_through_the_search_token():
    number = make_id(region="360702", birth="19951220", order="013")
    person = register(name="刘洋", id_number=number)
    assert person_find_by_id_number(number) == person
    assert person_find_by_id_number(" " + number.lower() + " ") == person
    assert person_find_by_id_number(make_id(order="003")) is None


def test_the_person_carries_masked_copies_and_what_the_id_number_says():
    number = make_id(region="360702", birth="19951220", order="013")
    person = register(name="刘洋", id_number=number, phone="13912345678")
    assert person.id_number_masked == "360702********" + number[-4:]
    assert person.phone_masked == "139****5678"
    assert person.birth_date == dt.date(1995, 12, 20)
    assert person.sex == "male"
    assert person.region_code == "360702"
    assert register(name="王芳", id_number=make_id(order="002")).sex == "female"


def test_registering_the_same_id_twice_returns_the_first_person():
    first = register()
    again = register(phone="")
    assert again.pk == first.pk
    assert Person.objects.count() == 1
    assert AuditEvent.objects.filter(action="identity.person_registered").count() == 1


def test_registering_a_known_id_under_another_name_is_refused():
    register()
    with pytest.raises(DomainError) as exc:
        register(name="李四")
    assert exc.value.code == "person_name_mismatch"


# --- accounts -------------------------------------------------------------------------


def test_a_citizen_signs_up_at_real_name_level_one(citizen):
    assert citizen.kind == AccountKind.CITIZEN
    assert citizen.real_name_level == RealNameLevel.L1
    assert citizen.person.name == "张伟"
    assert citizen.display_name == "张*"
    assert citizen.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="identity.account_created").count() == 1


def test_the_username_defaults_to_the_phone_number():
    user = citizen_signup(
        phone="13800000009", password=PASSWORD, name="王芳", id_number=make_id(order="002")
    )
    assert user.username == "13800000009"


def test_a_weak_password_is_refused_in_chinese_and_nothing_is_written():
    with pytest.raises(DomainError) as exc:
        citizen_signup(phone="13800000001", password="12345678", name="张伟", id_number=make_id())
    assert exc.value.code == "weak_password"
    assert "密码" in exc.value.detail
    assert exc.value.fields and exc.value.fields[0]["field"] == "body.password"
    assert User.objects.count() == 0
    assert Person.objects.count() == 0


def test_a_taken_username_is_refused(citizen):
    with pytest.raises(DomainError) as exc:
        citizen_signup(
            username="CITIZEN1",
            phone="13800000002",
            password=PASSWORD,
            name="王芳",
            id_number=make_id(order="002"),
        )
    assert exc.value.code == "username_taken"


def test_one_person_has_one_citizen_account(citizen):
    with pytest.raises(DomainError) as exc:
        citizen_signup(phone="13800000002", password=PASSWORD, name="张伟", id_number=make_id())
    assert exc.value.code == "id_number_registered"


def test_staff_and_system_accounts():
    staff = staff_account_create(username="clerk1", display_name="窗口一", password=PASSWORD)
    assert staff.kind == AccountKind.STAFF
    assert staff.person is None
    system = system_account_create(name="province-hub", display_name="省级平台")
    assert system.kind == AccountKind.SYSTEM
    assert not system.has_usable_password()


# --- legal entities and business authorizations ------------------------------


@pytest.fixture
def company(citizen) -> LegalEntity:
    return legal_entity_register(
        credit_code=make_credit_code(),
        name="南京通办信息科技有限公司",
        legal_representative=citizen.person,
        now=NOW,
    )


def test_a_legal_entity_takes_its_region_from_the_credit_code(company):
    assert company.region_code == "320100"
    again = legal_entity_register(
        credit_code=company.credit_code.lower(),
        name=company.name,
        legal_representative=company.legal_representative,
    )
    assert again.pk == company.pk


def test_an_invalid_credit_code_is_refused(citizen):
    with pytest.raises(DomainError) as exc:
        legal_entity_register(
            credit_code="91320100700000010X", name="某公司", legal_representative=citizen.person
        )
    assert exc.value.code == "invalid_credit_code"


def test_the_legal_representative_grants_an_agent(company):
    boss = business_account_create(
        username="biz1",
        password=PASSWORD,
        person=company.legal_representative,
        legal_entity=company,
        role=AuthorizationRole.LEGAL_REPRESENTATIVE,
    )
    agent_person = register(name="李娜", id_number=make_id(order="004"), phone="")
    agent = business_account_create(
        username="agent1",
        password=PASSWORD,
        person=agent_person,
        legal_entity=company,
        granted_by=boss,
        valid_until=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    assert list(legal_entities_for_user(user=agent)) == [company]
    assert agent.business_authorizations.get().role == AuthorizationRole.AGENT


def test_only_the_registered_representative_may_hold_that_role(company):
    other = register(name="李娜", id_number=make_id(order="004"), phone="")
    with pytest.raises(DomainError) as exc:
        business_account_create(
            username="fake",
            password=PASSWORD,
            person=other,
            legal_entity=company,
            role=AuthorizationRole.LEGAL_REPRESENTATIVE,
        )
    assert exc.value.code == "not_legal_representative"
    assert not User.objects.filter(username="fake").exists()


def test_an_agent_cannot_grant_agents(company):
    agent = business_account_create(
        username="agent1", password=PASSWORD, person=register(phone=""), legal_entity=company
    )
    other = business_account_create(
        username="agent2",
        password=PASSWORD,
        person=register(name="李娜", id_number=make_id(order="004"), phone=""),
        legal_entity=legal_entity_register(
            credit_code=make_credit_code(body="70000002"),
            name="另一家公司",
            legal_representative=company.legal_representative,
        ),
    )
    with pytest.raises(DomainError) as exc:
        authorization_grant(
            user=other, legal_entity=company, role=AuthorizationRole.AGENT, granted_by=agent
        )
    assert exc.value.code == "authorization_forbidden"


def test_revoked_and_expired_authorizations_do_not_count(company, django_assert_num_queries):
    agent = business_account_create(
        username="agent1",
        password=PASSWORD,
        person=register(phone=""),
        legal_entity=company,
        valid_until=NOW + dt.timedelta(days=30),
        now=NOW,
    )
    with django_assert_num_queries(1):
        assert list(legal_entities_for_user(user=agent, now=NOW)) == [company]
    assert list(legal_entities_for_user(user=agent, now=NOW + dt.timedelta(days=31))) == []
    authorization = agent.business_authorizations.get()
    revoked = authorization_revoke(authorization=authorization, now=NOW)
    assert revoked.revoked_at == NOW
    assert authorization_revoke(authorization=authorization).revoked_at == NOW
    assert list(legal_entities_for_user(user=agent, now=NOW)) == []
    assert BusinessAuthorization.objects.count() == 1
    assert AuditEvent.objects.filter(action="identity.authorization_revoked").count() == 1


def test_a_second_open_authorization_is_refused(company):
    agent = business_account_create(
        username="agent1", password=PASSWORD, person=register(phone=""), legal_entity=company
    )
    with pytest.raises(DomainError) as exc:
        authorization_grant(user=agent, legal_entity=company, role=AuthorizationRole.AGENT)
    assert exc.value.code == "authorization_exists"


# --- login ------------------------------------------------------------------------------


def test_a_correct_login_returns_the_user_and_is_audited(citizen):
    user = login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.1", now=NOW)
    assert user == citizen
    event = AuditEvent.objects.get(action="identity.login_succeeded")
    assert event.actor == f"user:{citizen.pk}"
    assert event.address == "10.0.0.1"


def test_a_wrong_password_fails_with_one_message_and_is_audited(citizen):
    for username in ("citizen1", "nobody"):
        with pytest.raises(DomainError) as exc:
            login_attempt(username=username, password="wrong-pass", address="10.0.0.1", now=NOW)
        assert exc.value.code == "login_failed"
        assert exc.value.detail == "用户名或密码错误"
    assert AuditEvent.objects.filter(action="identity.login_failed").count() == 2


def test_an_inactive_account_cannot_log_in(citizen):
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    with pytest.raises(DomainError) as exc:
        login_attempt(username="citizen1", password=PASSWORD, now=NOW)
    assert exc.value.code == "login_failed"


def test_the_eleventh_attempt_is_limited_even_with_the_right_password(citizen, settings):
    settings.TONGBAN_LOGIN_RATE_LIMIT = 10
    settings.TONGBAN_LOGIN_RATE_WINDOW_SECONDS = 900
    for _ in range(10):
        with pytest.raises(DomainError):
            login_attempt(username="citizen1", password="wrong-pass", address="10.0.0.1", now=NOW)
    with pytest.raises(DomainError) as exc:
        login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.2", now=NOW)
    assert exc.value.code == "login_rate_limited"
    assert exc.value.status == 429
    # NOW is 08:00:00 UTC, the start of a 15-minute window.
    assert exc.value.detail == "登录尝试过于频繁，请 15 分钟后再试"
    later = NOW + dt.timedelta(seconds=900)
    assert login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.2", now=later)


def test_one_address_trying_many_usernames_is_limited(citizen, settings):
    settings.TONGBAN_LOGIN_RATE_LIMIT = 3
    for name in ("a1", "a2", "a3"):
        with pytest.raises(DomainError):
            login_attempt(username=name, password="x", address="10.0.0.9", now=NOW)
    with pytest.raises(DomainError) as exc:
        login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.9", now=NOW)
    assert exc.value.code == "login_rate_limited"
    assert login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.8", now=NOW)


def test_a_successful_login_clears_the_username_count(citizen, settings):
    settings.TONGBAN_LOGIN_RATE_LIMIT = 3
    for _ in range(2):
        with pytest.raises(DomainError):
            login_attempt(username="citizen1", password="x", now=NOW)
    login_attempt(username="citizen1", password=PASSWORD, now=NOW)
    for _ in range(2):
        with pytest.raises(DomainError) as exc:
            login_attempt(username="citizen1", password="x", now=NOW)
        assert exc.value.code == "login_failed"
