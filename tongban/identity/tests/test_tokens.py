import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

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


def test_an_expired_token_is_rejected(citizen):
    expires = NOW + dt.timedelta(days=1)
    _token, plaintext = token_create(user=citizen, name="脚本", expires_at=expires, now=NOW)
    assert token_authenticate(plaintext, now=expires - dt.timedelta(seconds=1)) == citizen
    assert token_authenticate(plaintext, now=expires) is None


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
