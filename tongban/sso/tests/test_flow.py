"""The whole OpenID Connect flow against the running server, with an independent
client library (Authlib): discovery, authorization code with PKCE, the consent
page, the token exchange, the ID token verified against JWKS, userinfo, key
rotation, RP-initiated logout, and every refusal of the issue's "bad input"."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError
from joserfc.jwk import KeySet

from tongban.core.models import AuditEvent
from tongban.sso.tests.conftest import LOGOUT_URI, PASSWORD, REDIRECT_URI, use_keys

pytestmark = pytest.mark.django_db(transaction=True)


def discover(base: str) -> dict[str, Any]:
    answer = requests.get(f"{base}/.well-known/openid-configuration", timeout=10)
    assert answer.status_code == 200
    return answer.json()


def browser_login(base: str, username: str) -> requests.Session:
    """A browser's session logged in on the platform's own login page."""
    browser = requests.Session()
    page = browser.get(f"{base}/login/", timeout=10)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found is not None
    token = found.group(1)
    answer = browser.post(
        f"{base}/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    return browser


def hidden_fields(text: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]+>", text):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


class RelyingParty:
    """What a department system does, with Authlib."""

    def __init__(self, base: str, client: Any, secret: str, scope: str = "openid profile"):
        self.meta = discover(base)
        self.client_id = client.client_id
        self.session = OAuth2Session(
            client.client_id,
            secret,
            scope=scope,
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
        )
        self.verifier = generate_token(48)
        self.nonce = generate_token(20)

    def authorization_url(self, **extra: Any) -> str:
        uri, self.state = self.session.create_authorization_url(
            self.meta["authorization_endpoint"],
            code_verifier=self.verifier,
            nonce=self.nonce,
            **extra,
        )
        return uri

    def token(self, callback: str, **kwargs: Any) -> dict[str, Any]:
        return self.session.fetch_token(
            self.meta["token_endpoint"],
            authorization_response=callback,
            code_verifier=kwargs.pop("code_verifier", self.verifier),
            **kwargs,
        )

    def verify(self, id_token: str) -> dict[str, Any]:
        jwks = requests.get(self.meta["jwks_uri"], timeout=10).json()
        token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.meta["issuer"]},
            aud={"essential": True, "value": self.client_id},
            nonce={"essential": True, "value": self.nonce},
            exp={"essential": True},
        ).validate(token.claims)
        return dict(token.claims)


def authorize(browser: requests.Session, uri: str, *, consent: bool = True) -> str:
    """Follow the authorization request through the consent page; the callback URL."""
    answer = browser.get(uri, allow_redirects=False, timeout=10)
    if answer.status_code == 200 and "授权确认" in answer.text:
        fields = hidden_fields(answer.text)
        if consent:
            fields["allow"] = "同意"
        else:
            fields.pop("allow", None)
        action = answer.url.split("?")[0]
        answer = browser.post(
            action, data=fields, headers={"Referer": answer.url}, allow_redirects=False, timeout=10
        )
    assert answer.status_code == 302, answer.text[:800]
    return answer.headers["Location"]


def test_discovery_names_the_endpoints_pkce_and_rs256(live_server):
    meta = discover(live_server.url)
    assert meta["issuer"] == live_server.url
    assert meta["authorization_endpoint"] == f"{live_server.url}/oidc/authorize/"
    assert meta["jwks_uri"] == f"{live_server.url}/oidc/jwks/"
    assert meta["end_session_endpoint"] == f"{live_server.url}/oidc/logout/"
    assert meta["response_types_supported"] == ["code"]
    assert "S256" in meta["code_challenge_methods_supported"]
    assert "RS256" in meta["id_token_signing_alg_values_supported"]
    assert {"realname", "business", "staff"} <= set(meta["scopes_supported"])
    assert "real_name_level" in meta["claims_supported"]


def test_a_citizen_logs_in_to_a_third_party_client_with_consent(live_server, citizen, third_party):
    client, secret = third_party
    rp = RelyingParty(live_server.url, client, secret, scope="openid profile realname")
    browser = browser_login(live_server.url, citizen.username)

    first = browser.get(rp.authorization_url(), allow_redirects=False, timeout=10)
    assert first.status_code == 200
    assert "授权确认" in first.text and "实名等级和脱敏身份号码" in first.text
    # The consent form may lead back to this client's address only.
    assert "form-action 'self' http://127.0.0.1:9" in first.headers["Content-Security-Policy"]

    callback = authorize(browser, rp.authorization_url())
    assert callback.startswith(REDIRECT_URI + "?")
    assert parse_qs(urlsplit(callback).query)["state"] == [rp.state]
    token = rp.token(callback)
    claims = rp.verify(token["id_token"])
    assert claims["sub"] == str(citizen.pk)
    assert claims["name"] == "张伟"
    assert claims["real_name_level"] == 1
    assert claims["id_number_masked"] == citizen.person.id_number_masked
    assert "legal_entities" not in claims  # not asked for (scope business)

    info = rp.session.get(rp.meta["userinfo_endpoint"], timeout=10).json()
    assert info["sub"] == str(citizen.pk) and info["real_name_level"] == 1

    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "sso.consent_granted" in actions and "sso.token_issued" in actions
    # The audit details carry no personal data: the client and the scope only.
    row = AuditEvent.objects.get(action="sso.token_issued")
    assert row.object_id == client.client_id and "张伟" not in str(row.details)


def test_a_business_account_gets_its_legal_entities(live_server, business_user, third_party):
    client, secret = third_party
    rp = RelyingParty(live_server.url, client, secret, scope="openid business")
    browser = browser_login(live_server.url, business_user.username)
    claims = rp.verify(rp.token(authorize(browser, rp.authorization_url()))["id_token"])
    assert claims["legal_entities"] == [
        {
            "credit_code": business_user.business_authorizations.get().legal_entity.credit_code,
            "name": "南京示例科技有限公司",
            "role": "legal_representative",
        }
    ]


def test_refusing_consent_sends_access_denied_and_issues_nothing(live_server, citizen, third_party):
    from oauth2_provider.models import Grant

    client, secret = third_party
    rp = RelyingParty(live_server.url, client, secret)
    browser = browser_login(live_server.url, citizen.username)
    callback = authorize(browser, rp.authorization_url(), consent=False)
    assert parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]
    assert not Grant.objects.exists()
    assert AuditEvent.objects.filter(action="sso.consent_denied").exists()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:9/callback/",  # a trailing slash
        "http://127.0.0.1:9/callback?x=1",  # an extra query
        "http://127.0.0.1:8/callback",  # another loopback port (RFC 8252 leniency: not here)
        "http://attacker.example/callback",
    ],
)
def test_a_redirect_uri_not_registered_exactly_is_refused_without_redirecting(
    live_server, citizen, third_party, redirect_uri
):
    client, secret = third_party
    rp = RelyingParty(live_server.url, client, secret)
    rp.session.redirect_uri = redirect_uri
    browser = browser_login(live_server.url, citizen.username)
    answer = browser.get(rp.authorization_url(), allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "回调地址未登记" in answer.text
    refused = AuditEvent.objects.get(action="sso.authorize_refused")
    assert refused.object_id == client.client_id


def test_a_request_without_pkce_is_refused(live_server, citizen, third_party):
    client, _ = third_party
    browser = browser_login(live_server.url, citizen.username)
    meta = discover(live_server.url)
    answer = browser.get(
        meta["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "state": "s1",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["s1"]


def test_a_reused_code_and_a_wrong_verifier_are_refused(live_server, citizen, third_party):
    from authlib.integrations.base_client.errors import OAuthError

    client, secret = third_party
    browser = browser_login(live_server.url, citizen.username)

    rp = RelyingParty(live_server.url, client, secret)
    callback = authorize(browser, rp.authorization_url())
    with pytest.raises(OAuthError) as wrong:
        rp.token(callback, code_verifier=generate_token(48))
    assert wrong.value.error == "invalid_grant"

    rp = RelyingParty(live_server.url, client, secret)
    callback = authorize(browser, rp.authorization_url())
    rp.token(callback)
    with pytest.raises(OAuthError) as reused:
        rp.token(callback)
    assert reused.value.error == "invalid_grant"

    refusals = AuditEvent.objects.filter(action="sso.token_refused")
    assert [r.details["error"] for r in refusals] == ["invalid_grant", "invalid_grant"]


def test_keys_rotate_without_breaking_tokens_issued_before(
    live_server, settings, oidc_keys, citizen, third_party
):
    old_key, new_key = oidc_keys
    client, secret = third_party
    browser = browser_login(live_server.url, citizen.username)
    rp = RelyingParty(live_server.url, client, secret)
    before = rp.token(authorize(browser, rp.authorization_url()))

    use_keys(settings, new_key, old_key)  # `tongban sso rotate-key` and a restart

    jwks = requests.get(rp.meta["jwks_uri"], timeout=10).json()
    assert len(jwks["keys"]) == 2
    assert rp.verify(before["id_token"])["sub"] == str(citizen.pk)  # still verifies
    info = rp.session.get(rp.meta["userinfo_endpoint"], timeout=10)
    assert info.status_code == 200  # the access token issued before still works

    rp2 = RelyingParty(live_server.url, client, secret)
    after = rp2.token(authorize(browser, rp2.authorization_url()))
    keyset = KeySet.import_key_set(jwks)
    kid_before = jwt.decode(before["id_token"], keyset).header["kid"]
    kid_after = jwt.decode(after["id_token"], keyset).header["kid"]
    assert kid_before != kid_after
    assert kid_after == jwks["keys"][0]["kid"]

    # Once the old key is dropped from the file, its tokens no longer verify.
    use_keys(settings, new_key)
    with pytest.raises((BadSignatureError, InvalidKeyIdError)):
        rp.verify(before["id_token"])


def test_rp_initiated_logout_ends_the_session_and_returns_to_the_registered_address(
    live_server, citizen, third_party
):
    client, secret = third_party
    browser = browser_login(live_server.url, citizen.username)
    rp = RelyingParty(live_server.url, client, secret)
    token = rp.token(authorize(browser, rp.authorization_url()))

    refused = browser.get(
        rp.meta["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": "http://127.0.0.1:9/elsewhere",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert refused.status_code == 400 and "未在通办登记" in refused.text

    answer = browser.get(
        rp.meta["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": LOGOUT_URI,
            "state": "bye",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == LOGOUT_URI + "?state=bye"
    # Logged out of the platform: the authorization endpoint asks for a login.
    again = browser.get(rp.authorization_url(), allow_redirects=False, timeout=10)
    assert again.status_code == 302 and "/login/" in again.headers["Location"]
    # …and the tokens issued to the client are revoked.
    assert rp.session.get(rp.meta["userinfo_endpoint"], timeout=10).status_code == 401
    assert AuditEvent.objects.filter(action="sso.logout").exists()
