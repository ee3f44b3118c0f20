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
    legal_entity_ids_for_user,
    person_find_by_id_number,
)
from tongban.identity.services import (
    authorization_grant,
    authorization_revoke,
    business_account_create,
    citizen_signup,
    legal_entity_register,
    login_attempt,
    login_wait,
    person_register,
    staff_account_create,
    system_account_create,
)
from tongban.sharing.demo import demo_business_registered

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


def test_the_username_is_generated_never_the_phone_number():
    user = citizen_signup(
        phone="13800000009", password=PASSWORD, name="王芳", id_number=make_id(order="002")
    )
    assert user.username != "13800000009"
    assert user.username.startswith("tb") and len(user.username) == 10


@pytest.mark.parametrize(
    "username", ["13912345678", "+8613912345678", "86-13912345678", "320102198503120011"]
)
def test_a_phone_or_id_number_is_never_a_username(username):
    with pytest.raises(DomainError) as exc:
        staff_account_create(username=username, display_name="窗口", password=PASSWORD)
    assert exc.value.code == "invalid_username"
    assert not User.objects.exists()


def test_the_account_created_event_names_no_username_or_phone(citizen):
    event = AuditEvent.objects.get(action="identity.account_created")
    assert event.details == {"kind": "citizen"}
    assert event.object_id == str(citizen.pk)


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
    entity = legal_entity_register(
        credit_code=make_credit_code(),
        name="南京通办信息科技有限公司",
        legal_representative=citizen.person,
        now=NOW,
    )
    demo_business_registered(entity)  # every authorization is checked against the 法人库
    return entity


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
    another = legal_entity_register(
        credit_code=make_credit_code(body="70000002"),
        name="另一家公司",
        legal_representative=company.legal_representative,
    )
    demo_business_registered(another)
    other = business_account_create(
        username="agent2",
        password=PASSWORD,
        person=register(name="李娜", id_number=make_id(order="004"), phone=""),
        legal_entity=another,
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
    with django_assert_num_queries(1):
        assert legal_entity_ids_for_user(user=agent, now=NOW) == [company.pk]
    later = NOW + dt.timedelta(days=31)
    assert list(legal_entities_for_user(user=agent, now=later)) == []
    assert legal_entity_ids_for_user(user=agent, now=later) == []
    # the last instant before it lapses still counts (valid_until is exclusive)
    just_before = NOW + dt.timedelta(days=30) - dt.timedelta(microseconds=1)
    assert legal_entity_ids_for_user(user=agent, now=just_before) == [company.pk]
    assert legal_entity_ids_for_user(user=agent, now=NOW + dt.timedelta(days=30)) == []
    authorization = agent.business_authorizations.get()
    revoked = authorization_revoke(authorization=authorization, now=NOW)
    assert revoked.revoked_at == NOW
    assert authorization_revoke(authorization=authorization).revoked_at == NOW
    assert list(legal_entities_for_user(user=agent, now=NOW)) == []
    assert legal_entity_ids_for_user(user=agent, now=NOW) == []
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


def fail(username="citizen1", address="10.0.0.1", now=NOW):
    with pytest.raises(DomainError) as exc:
        login_attempt(username=username, password="wrong-pass", address=address, now=now)
    return exc.value.code


def test_successful_logins_are_never_counted(citizen):
    """The probe: the 11th correct login from one address was refused."""
    for _ in range(30):
        assert login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.1", now=NOW)


def test_an_account_backs_off_after_five_failures_from_one_address(citizen):
    assert [fail() for _ in range(5)] == ["login_failed"] * 5
    assert fail() == "login_failed"  # the sixth failure starts a 30-second wait
    with pytest.raises(DomainError) as exc:
        login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.1", now=NOW)
    assert exc.value.code == "login_rate_limited"
    assert exc.value.status == 429
    assert exc.value.detail == "登录尝试过于频繁，请 30 秒后再试"
    assert exc.value.headers == {"Retry-After": "30"}
    assert AuditEvent.objects.filter(action="identity.login_rate_limited").count() == 1
    later = NOW + dt.timedelta(seconds=30)
    assert login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.1", now=later)


def test_the_wait_grows_with_each_failure_up_to_fifteen_minutes(citizen):
    moment = NOW
    waits = []
    for _ in range(12):
        fail(now=moment)
        waits.append(login_wait(username="citizen1", address="10.0.0.1", now=moment))
        moment += dt.timedelta(seconds=waits[-1])
    assert waits == [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]


def test_ten_wrong_passwords_do_not_lock_the_owner_out_from_another_address(citizen):
    """The probe: ten wrong passwords locked the account for everyone."""
    for _ in range(10):
        fail(address="198.51.100.66")
    assert login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.2", now=NOW)


def test_a_guess_spread_over_many_addresses_backs_the_account_off_then_lets_it_in(citizen):
    for n in range(21):  # 20 free failures of the account, from 21 addresses
        fail(address=f"198.51.100.{n}")
    with pytest.raises(DomainError) as exc:
        login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.2", now=NOW)
    assert exc.value.code == "login_rate_limited"
    assert exc.value.headers["Retry-After"] == "30"
    # Never for good: after the wait the owner is in.
    later = NOW + dt.timedelta(seconds=30)
    assert login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.2", now=later)


def test_one_address_trying_many_usernames_is_limited(citizen, settings):
    settings.TONGBAN_LOGIN_ADDRESS_FAILURES = 3
    for name in ("a1", "a2", "a3"):
        fail(username=name, address="10.0.0.9")
    with pytest.raises(DomainError) as exc:
        login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.9", now=NOW)
    assert exc.value.code == "login_rate_limited"
    assert login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.8", now=NOW)


def test_a_successful_login_clears_the_failures_from_that_address(citizen):
    for _ in range(5):
        fail()
    login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.1", now=NOW)
    assert [fail() for _ in range(6)] == ["login_failed"] * 6


def test_a_phone_logs_in_a_citizen_and_shares_the_accounts_back_off(citizen):
    assert login_attempt(username="13800000001", password=PASSWORD, now=NOW) == citizen
    for _ in range(6):
        fail(username="13800000001")
    with pytest.raises(DomainError) as exc:
        login_attempt(username="citizen1", password=PASSWORD, address="10.0.0.1", now=NOW)
    assert exc.value.code == "login_rate_limited"
    masked = AuditEvent.objects.filter(action="identity.login_failed").first()
    assert masked is not None
    assert masked.details == {"username": "138****0001"}


def test_a_phone_shared_by_two_citizens_logs_in_neither(citizen):
    citizen_signup(
        phone="13800000001", password=PASSWORD, name="王芳", id_number=make_id(order="002")
    )
    assert fail(username="13800000001") == "login_failed"
