"""A department's own business system that logs its users in through Tongban.

A tiny WSGI application (standard library + Authlib), the reference for a
department integrating single sign-on (docs/sso.md): it discovers the
provider, sends the browser to the authorization endpoint with PKCE (S256),
a state and a nonce, exchanges the code at the token endpoint, verifies the
ID token's signature (joserfc, Authlib's JOSE library) against the
provider's JWKS (by ``kid``) together with its issuer, audience, expiry and
nonce, and logs out through the provider (RP-initiated logout).

Run it against a Tongban with a registered client::

    python examples/sso_department_app.py --issuer https://tongban.example \
        --client-id ID --client-secret SECRET --port 8100

The redirect URI to register is ``http://127.0.0.1:8100/callback`` (and
``http://127.0.0.1:8100/`` after logout).
"""

from __future__ import annotations

import argparse
import html
import json
import secrets
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import make_server

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class DepartmentApp:
    """The WSGI application. Sessions are kept in memory (a demo)."""

    def __init__(self, *, issuer: str, client_id: str, client_secret: str, base_url: str) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.base_url = base_url.rstrip("/")
        self.sessions: dict[str, dict[str, Any]] = {}
        self._metadata: dict[str, Any] | None = None

    # --- the provider -----------------------------------------------------------

    @property
    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            answer = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
            answer.raise_for_status()
            self._metadata = answer.json()
        return self._metadata

    def client(self) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope="openid profile realname business staff",
            redirect_uri=f"{self.base_url}/callback",
            code_challenge_method="S256",
        )

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        keys = requests.get(self.metadata["jwks_uri"], timeout=10).json()
        token = jwt.decode(id_token, KeySet.import_key_set(keys), algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.metadata["issuer"]},
            aud={"essential": True, "value": self.client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
        ).validate(token.claims)
        return dict(token.claims)

    # --- WSGI -------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        sid = cookie["dept_sid"].value if "dept_sid" in cookie else ""
        session = self.sessions.get(sid)
        if session is None:
            sid = secrets.token_urlsafe(16)
            session = self.sessions[sid] = {}
        set_cookie = ("Set-Cookie", f"dept_sid={sid}; HttpOnly; SameSite=Lax; Path=/")
        if path == "/login":
            return self._login(session, start_response, set_cookie)
        if path == "/callback":
            return self._callback(session, query, start_response, set_cookie)
        if path == "/logout":
            return self._logout(session, start_response, set_cookie)
        return self._home(session, start_response, set_cookie)

    def _redirect(self, to: str, start_response: StartResponse, *headers: Any) -> list[bytes]:
        start_response("302 Found", [("Location", to), *headers])
        return [b""]

    def _page(
        self, body: str, start_response: StartResponse, *headers: Any, status: str = "200 OK"
    ) -> list[bytes]:
        document = (
            '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>不动产登记业务系统</title></head><body><main>"
            f"<h1>不动产登记业务系统</h1>{body}</main></body></html>"
        )
        start_response(status, [("Content-Type", "text/html; charset=utf-8"), *headers])
        return [document.encode("utf-8")]

    def _home(self, session: dict[str, Any], start_response: StartResponse, *h: Any) -> list[bytes]:
        user = session.get("user")
        if not user:
            return self._page('<p><a href="/login">通过通办登录</a></p>', start_response, *h)
        entities = "、".join(e["name"] for e in user.get("legal_entities", [])) or "无"
        body = (
            f"<p data-user>您好，{html.escape(user.get('name', ''))}</p>"
            f"<p>实名等级：{html.escape(str(user.get('real_name_level', '')))}</p>"
            f"<p>身份号码：{html.escape(user.get('id_number_masked', ''))}</p>"
            f"<p>可代表的企业：{html.escape(entities)}</p>"
            '<p><a href="/logout">退出登录</a></p>'
        )
        return self._page(body, start_response, *h)

    def _login(
        self, session: dict[str, Any], start_response: StartResponse, *h: Any
    ) -> list[bytes]:
        verifier = generate_token(48)
        nonce = generate_token(20)
        uri, state = self.client().create_authorization_url(
            self.metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        session.update(state=state, verifier=verifier, nonce=nonce)
        return self._redirect(uri, start_response, *h)

    def _callback(
        self, session: dict[str, Any], query: dict[str, str], start_response: StartResponse, *h: Any
    ) -> list[bytes]:
        if "error" in query or query.get("state") != session.get("state"):
            message = html.escape(query.get("error", "state mismatch"))
            return self._page(f"<p role='alert'>登录失败：{message}</p>", start_response, *h)
        token = self.client().fetch_token(
            self.metadata["token_endpoint"],
            code=query["code"],
            code_verifier=session.pop("verifier"),
        )
        claims = self.verify_id_token(token["id_token"], session.pop("nonce"))
        session["user"] = claims
        session["id_token"] = token["id_token"]
        return self._redirect("/", start_response, *h)

    def _logout(
        self, session: dict[str, Any], start_response: StartResponse, *h: Any
    ) -> list[bytes]:
        id_token = session.pop("id_token", "")
        session.pop("user", None)
        params = {
            "id_token_hint": id_token,
            "client_id": self.client_id,
            "post_logout_redirect_uri": f"{self.base_url}/",
        }
        return self._redirect(
            f"{self.metadata['end_session_endpoint']}?{urlencode(params)}", start_response, *h
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    app = DepartmentApp(
        issuer=args.issuer,
        client_id=args.client_id,
        client_secret=args.client_secret,
        base_url=base,
    )
    with make_server("127.0.0.1", args.port, app) as server:
        print(json.dumps({"listening": base}))  # noqa: T201  (a command-line program)
        server.serve_forever()


if __name__ == "__main__":
    main()
