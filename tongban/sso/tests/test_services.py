"""Keys, client registration, the admin and the login page's form-action."""

from __future__ import annotations

from io import StringIO
from urllib.parse import urlencode

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from jwcrypto import jwk
from oauth2_provider.models import Application

from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.sso import keys
from tongban.sso.services import client_register
from tongban.sso.tests.conftest import REDIRECT_URI


def kid(pem: str) -> str:
    return jwk.JWK.from_pem(pem.encode()).thumbprint()


def test_rotating_puts_a_new_key_first_and_keeps_the_retired_ones(tmp_path, settings):
    path = tmp_path / "keys.pem"
    settings.TONGBAN_OIDC_KEY_FILE = str(path)
    first = keys.read_bundle(path, create=True)
    assert len(first) == 1 and oct(path.stat().st_mode & 0o777) == "0o600"
    out = StringIO()
    call_command("sso", "rotate-key", stdout=out)
    call_command("sso", "rotate-key", stdout=out)
    call_command("sso", "rotate-key", stdout=out)
    bundle = keys.parse_bundle(path.read_text())
    # The newest signs; two retired keys stay published (TONGBAN_OIDC_RETIRED_KEYS).
    assert len(bundle) == 3
    assert kid(bundle[0]) in out.getvalue().splitlines()[-1]
    assert first[0] not in bundle  # the oldest was dropped after the third rotation
    assert keys.provider_settings(bundle)["OIDC_RSA_PRIVATE_KEYS_INACTIVE"] == bundle[1:]


def test_production_without_a_key_file_fails_loudly(tmp_path):
    with pytest.raises(ImproperlyConfigured):
        keys.read_bundle(tmp_path / "missing.pem", create=False)


def test_a_client_is_registered_for_the_code_flow_with_a_hashed_secret(db):
    client, secret = client_register(
        name="社保经办系统", redirect_uris=REDIRECT_URI, first_party=True
    )
    stored = Application.objects.get(pk=client.pk)
    assert stored.authorization_grant_type == "authorization-code"
    assert stored.algorithm == "RS256" and stored.skip_authorization
    assert secret and stored.client_secret != secret  # only the hash is kept
    # One round of PBKDF2 for a 128-character random secret (sso.hashers), not the
    # password hasher's million: the token endpoint checks it on every exchange.
    assert len(secret) == 128 and stored.client_secret.startswith("client_secret_sha256$1$")
    assert check_password(secret, stored.client_secret)
    assert not check_password(secret[:-1], stored.client_secret)
    event = AuditEvent.objects.get(action="sso.client_registered")
    assert event.object_id == client.client_id and event.details["first_party"] is True


@pytest.mark.parametrize(
    "uris",
    ["", "ftp://x.example/cb", "/relative/cb", "https://x.example/cb#frag", "https:///cb"],
)
def test_a_bad_redirect_uri_is_refused_with_a_code(db, uris):
    with pytest.raises(DomainError) as refused:
        client_register(name="某系统", redirect_uris=uris)
    assert refused.value.code == "sso_redirect_uri_invalid"
    assert not Application.objects.exists()


def test_the_admin_registers_clients_with_checked_uris(db, admin_client):
    url = "/admin/oauth2_provider/application/add/"
    assert admin_client.get(url).status_code == 200
    bad = admin_client.post(
        url,
        {
            "name": "x",
            "client_id": "abc",
            "client_secret": "s" * 40,
            "client_type": "confidential",
            "redirect_uris": "javascript:alert(1)",
        },
    )
    assert bad.status_code == 200 and "回调地址" in bad.content.decode()
    short = admin_client.post(
        url,
        {
            "name": "x",
            "client_id": "abc",
            "client_secret": "s" * 31,
            "client_type": "confidential",
            "redirect_uris": "https://x.example/cb",
        },
    )
    assert short.status_code == 200 and "客户端密钥至少 32 个字符" in short.content.decode()
    good = admin_client.post(
        url,
        {
            "name": "公积金系统",
            "client_id": "gjj",
            "client_secret": "s" * 40,
            "client_type": "confidential",
            "redirect_uris": "https://gjj.example/cb",
            "skip_authorization": "on",
        },
    )
    assert good.status_code == 302
    app = Application.objects.get(client_id="gjj")
    assert app.authorization_grant_type == "authorization-code" and app.algorithm == "RS256"
    assert AuditEvent.objects.filter(action="sso.client_registered", object_id="gjj").exists()


def test_the_login_page_lets_its_form_reach_only_a_registered_callback(db, client):
    registered, _ = client_register(name="某系统", redirect_uris=REDIRECT_URI)
    query = {"client_id": registered.client_id, "redirect_uri": REDIRECT_URI}
    page = client.get("/login/", {"next": f"/oidc/authorize/?{urlencode(query)}"})
    assert page["Content-Security-Policy"].endswith("form-action 'self' http://127.0.0.1:9")

    forged = {"client_id": registered.client_id, "redirect_uri": "http://evil.example/cb"}
    page = client.get("/login/", {"next": f"/oidc/authorize/?{urlencode(forged)}"})
    assert page["Content-Security-Policy"].endswith("form-action 'self'")
    page = client.get("/login/", {"next": "/my/cases/"})
    assert page["Content-Security-Policy"].endswith("form-action 'self'")
