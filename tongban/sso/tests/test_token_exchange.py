"""The token endpoint's code exchange (issue 14, item 1): one read of the
grant, one transaction, and the protocol's refusals with nothing written."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from tongban.core.models import AuditEvent
from tongban.sso.services import client_register
from tongban.sso.tests.conftest import REDIRECT_URI, make_id

VERIFIER = "exchange-verifier-" + "x" * 40


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _grant(client: Any, user: Any, **fields: Any) -> str:
    """A code as the authorize endpoint stores it (S256, a nonce, openid profile realname)."""
    code = secrets.token_urlsafe(24)
    values = {
        "user": user,
        "code": code,
        "application": client,
        "expires": dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60),
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile realname",
        "code_challenge": _challenge(VERIFIER),
        "code_challenge_method": "S256",
        "nonce": "n-0S6_WzA2Mj",
        "claims": "{}",
        **fields,
    }
    Grant.objects.create(**values)
    return code


def _exchange(
    client_id: str, secret: str, code: str, *, verifier: str = VERIFIER, redirect: str = ""
) -> Any:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return Client().post(
        "/oidc/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect or REDIRECT_URI,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )


@pytest.fixture
def system(db: Any) -> tuple[Any, str]:
    return client_register(name="部门业务系统", redirect_uris=REDIRECT_URI, first_party=True)


def _counts() -> tuple[int, int, int]:
    return IDToken.objects.count(), AccessToken.objects.count(), RefreshToken.objects.count()


def test_an_exchange_reads_its_grant_once_and_writes_in_one_transaction(system, citizen, oidc_keys):
    client, secret = system
    code = _grant(client, citizen)
    with CaptureQueriesContext(connection) as queries:
        answer = _exchange(client.client_id, secret, code)
    assert answer.status_code == 200, answer.content
    statements = [q["sql"] for q in queries.captured_queries]
    on_grant = [s for s in statements if 'FROM "oauth2_provider_grant"' in s]
    assert len(on_grant) == 2, statements  # read once (locked), deleted once
    assert sum('FROM "oauth2_provider_application"' in s for s in statements) == 1
    assert not any('FROM "oauth2_provider_idtoken"' in s for s in statements)
    assert len(statements) <= 14, statements

    body = answer.json()
    token = jwt.JWT(jwt=body["id_token"], key=jwk.JWK.from_pem(oidc_keys[0].encode()))
    claims = json.loads(token.claims)
    assert claims["nonce"] == "n-0S6_WzA2Mj" and claims["name"] == "张伟"
    assert claims["id_number_masked"] == citizen.person.id_number_masked
    assert claims["aud"] == client.client_id
    access = AccessToken.objects.get()
    assert access.id_token is not None and str(access.id_token.jti) == claims["jti"]
    assert access.user_id == citizen.pk and access.application_id == client.pk
    assert not Grant.objects.filter(code=code).exists()
    issued = AuditEvent.objects.get(action="sso.token_issued")
    assert issued.object_id == client.client_id


def test_a_replayed_code_is_refused_and_writes_no_token(system, citizen):
    client, secret = system
    code = _grant(client, citizen)
    assert _exchange(client.client_id, secret, code).status_code == 200
    before = _counts()
    again = _exchange(client.client_id, secret, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert _counts() == before
    assert AuditEvent.objects.filter(action="sso.token_refused").count() == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"verifier": "wrong-verifier-" + "y" * 40}, "invalid_grant"),
        ({"redirect": REDIRECT_URI + "/"}, "invalid_request"),
    ],
)
def test_a_wrong_verifier_or_redirect_uri_leaves_the_code_and_writes_nothing(
    system, citizen, change, error
):
    client, secret = system
    code = _grant(client, citizen)
    answer = _exchange(client.client_id, secret, code, **change)
    assert answer.status_code in (400, 401) and answer.json()["error"] == error, answer.content
    assert _counts() == (0, 0, 0)
    assert Grant.objects.filter(code=code).exists()
    assert _exchange(client.client_id, secret, code).status_code == 200


def test_a_code_issued_to_another_client_is_refused(system, citizen, third_party):
    client, secret = system
    other, _ = third_party
    code = _grant(other, citizen)
    answer = _exchange(client.client_id, secret, code)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert _counts() == (0, 0, 0) and Grant.objects.filter(code=code).exists()


def test_an_expired_code_is_refused(system, citizen):
    client, secret = system
    code = _grant(client, citizen, expires=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    answer = _exchange(client.client_id, secret, code)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert _counts() == (0, 0, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (postgres leg)")
def test_parallel_exchanges_of_one_code_give_one_token(oidc_keys):
    from tongban.identity.services import citizen_signup

    user = citizen_signup(
        username="lisi", phone="13800000002", password="Tongban@2026", name="李四",
        id_number=make_id("002"),
    )  # fmt: skip
    client, secret = client_register(name="部门系统", redirect_uris=REDIRECT_URI, first_party=True)
    code = _grant(client, user)
    count = 4
    barrier = threading.Barrier(count)
    answers: list[Any] = [None] * count

    def send(i: int) -> None:
        try:
            barrier.wait()
            answers[i] = _exchange(client.client_id, secret, code)
        except Exception as exc:  # noqa: BLE001  (the test inspects every outcome)
            answers[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(getattr(a, "status_code", a) for a in answers)
    assert statuses == [200, 400, 400, 400], statuses
    assert _counts() == (1, 1, 1)
