import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.models import ApiToken, User
from tongban.identity.services import token_authenticate, token_create, token_revoke

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


def test_a_created_token_authenticates_its_user_and_only_its_hash_is_stored(citizen):
    token, plaintext = token_create(user=citizen, name="脚本", now=NOW)
    assert plaintext.startswith("tb_") and len(plaintext) > 40
    assert token.prefix == plaintext[:8]
    stored = ApiToken.objects.values_list("token_hash", "prefix").get()
    assert plaintext not in stored[0] and len(stored[0]) == 64
    assert token_authenticate(plaintext, now=NOW) == citizen
    assert AuditEvent.objects.filter(action="identity.token_created").count() == 1


@pytest.mark.parametrize("wrong", ["", "tb_", "tb_nope", "xx_" + "a" * 43, "tb_" + "a" * 500])
def test_unknown_tokens_are_rejected(citizen, wrong):
    token_create(user=citizen, name="脚本", now=NOW)
    assert token_authenticate(wrong, now=NOW) is None


def test_a_revoked_token_is_rejected(citizen):
    token, plaintext = token_create(user=citizen, name="脚本", now=NOW)
    token_revoke(token=token, now=NOW)
    assert token_authenticate(plaintext, now=NOW) is None


def test_the_user_read_with_the_token_is_the_whole_account(citizen):
    """The look-up reads the account straight from its row (core.prepared):
    every field as the ORM gives it, datetimes aware."""
    _token, plaintext = token_create(user=citizen, name="脚本", now=NOW)
    user = token_authenticate(plaintext, now=NOW)
    assert user is not None and user._state.adding is False
    expected = User.objects.get(pk=citizen.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected, field.attname), field.name
    assert timezone.is_aware(user.date_joined)


def test_revocation_expiry_and_deactivation_take_effect_on_the_next_request(citizen):
    """Nothing is cached between two look-ups: a token that has just
    authenticated is refused at once after each of the three."""
    token, plaintext = token_create(user=citizen, name="脚本", now=NOW)
    assert token_authenticate(plaintext, now=NOW) == citizen
    token_revoke(token=token, now=NOW)
    assert token_authenticate(plaintext, now=NOW) is None

    token, plaintext = token_create(user=citizen, name="脚本2", now=NOW)
    assert token_authenticate(plaintext, now=NOW) == citizen
    ApiToken.objects.filter(pk=token.pk).update(expires_at=NOW)
    with pytest.raises(DomainError) as raised:
        token_authenticate(plaintext, now=NOW)
    assert raised.value.code == "token_expired"

    token, plaintext = token_create(user=citizen, name="脚本3", now=NOW)
    assert token_authenticate(plaintext, now=NOW) == citizen
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    assert token_authenticate(plaintext, now=NOW) is None


def test_an_expired_token_is_refused_with_its_own_code(citizen):
    expires = NOW + dt.timedelta(days=1)
    _token, plaintext = token_create(user=citizen, name="脚本", expires_at=expires, now=NOW)
    assert token_authenticate(plaintext, now=expires - dt.timedelta(seconds=1)) == citizen
    with pytest.raises(DomainError) as exc:
        token_authenticate(plaintext, now=expires)
    assert exc.value.code == "token_expired"
    assert exc.value.status == 401
    assert 'error="invalid_token"' in exc.value.headers["WWW-Authenticate"]


def test_a_token_expires_after_90_days_by_default(citizen, settings):
    token, _plaintext = token_create(user=citizen, name="脚本", now=NOW)
    assert token.expires_at == NOW + dt.timedelta(days=90)
    settings.TONGBAN_API_TOKEN_DEFAULT_DAYS = 7
    token, _ = token_create(user=citizen, name="脚本", now=NOW)
    assert token.expires_at == NOW + dt.timedelta(days=7)


def test_the_api_refuses_an_expired_token_with_token_expired(client, citizen):
    made = clock.now() - dt.timedelta(days=2)
    _token, plaintext = token_create(
        user=citizen, name="脚本", expires_at=made + dt.timedelta(days=1), now=made
    )
    response = client.get("/api/v1/identity/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "token_expired"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert response["Cache-Control"] == "no-store"


def test_the_token_of_an_inactive_user_is_rejected(citizen):
    _token, plaintext = token_create(user=citizen, name="脚本", now=NOW)
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    assert token_authenticate(plaintext, now=NOW) is None


def test_last_use_is_recorded_at_most_once_a_minute(citizen, django_assert_num_queries):
    token, plaintext = token_create(user=citizen, name="脚本", now=NOW)
    with django_assert_num_queries(2):  # lookup + update
        token_authenticate(plaintext, now=NOW)
    with django_assert_num_queries(1):  # lookup only
        token_authenticate(plaintext, now=NOW + dt.timedelta(seconds=59))
    token_authenticate(plaintext, now=NOW + dt.timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == NOW + dt.timedelta(seconds=61)


def test_the_command_gives_the_default_expiry_and_prints_it(citizen):
    out, err = StringIO(), StringIO()
    call_command("token", "create", "citizen1", stdout=out, stderr=err)
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    local = timezone.localtime(token.expires_at)
    assert (token.expires_at - token.created_at) == dt.timedelta(days=90)
    assert f"有效期至 {local:%Y-%m-%d %H:%M}" in err.getvalue()


def test_the_command_prints_a_token_once_and_revokes_it_by_prefix(citizen):
    out, err = StringIO(), StringIO()
    call_command(
        "token", "create", "citizen1", "--name", "测试", "--days", "7", stdout=out, stderr=err
    )
    plaintext = out.getvalue().strip()
    assert token_authenticate(plaintext) == citizen
    token = ApiToken.objects.get()
    assert token.name == "测试"
    assert token.expires_at is not None
    assert token.prefix in err.getvalue()
    call_command("token", "revoke", token.prefix, stdout=StringIO())
    assert token_authenticate(plaintext) is None


def test_the_command_refuses_an_unknown_account_or_prefix(db):
    with pytest.raises(CommandError, match="账号不存在"):
        call_command("token", "create", "nobody", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="token_not_found"):
        call_command("token", "revoke", "tb_xxxxx", stdout=StringIO())


def test_the_migration_gives_tokens_without_an_expiry_the_default_one(citizen):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tongban.identity.migrations.0003_token_expiry")
    open_token, _ = token_create(user=citizen, name="旧令牌", now=NOW)
    revoked, _ = token_create(user=citizen, name="已撤销", now=NOW)
    ApiToken.objects.update(expires_at=None)
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=NOW)
    migration.give_open_tokens_an_expiry(apps, None)
    open_token.refresh_from_db()
    revoked.refresh_from_db()
    assert open_token.expires_at is not None
    assert open_token.expires_at - clock.now() > dt.timedelta(days=89)
    assert revoked.expires_at is None
