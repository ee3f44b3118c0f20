"""The OpenID Connect token endpoint: authorization code + PKCE exchanges. Not a test.

Issue 14 asks for at least 200 exchanges a second at 16 clients. On a migrated
PostgreSQL database this registers a department's system (a confidential,
first-party client, its secret hashed as ``client_register`` stores it), a
real-named citizen, and ``--codes`` authorization codes as the authorize
endpoint stores them (django-oauth-toolkit's ``Grant``: the S256 challenge of
one verifier, a nonce, the scopes ``openid profile realname``). The codes live
an hour here (the platform's live 60 s) so a run is not cut by the clock.
Then it starts gunicorn and drives ``POST /oidc/token/`` with wrk, each
request a fresh code (each wrk thread walks its own share) with HTTP Basic
client authentication; a first exchange by hand checks the ID token's RS256
signature against the JWKS and its claims. Afterwards it counts the access
tokens issued against the 200 answers. Prints a Markdown table with the
1-minute load average.

    DATABASE_URL=postgres://…/tb_sso .venv/bin/tongban migrate
    .venv/bin/python bench/sso_token.py --database-url postgres://…/tb_sso
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import secrets
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.case_flow.wrk import wrk_run  # noqa: E402  # after the path is set
from bench.common import markdown, request, start_gunicorn  # noqa: E402

REDIRECT_URI = "https://sys.example/callback"
SCOPE = "openid profile realname"
VERIFIER = "bench-verifier-" + "v" * 50  # 43..128 characters (RFC 7636)

EXCHANGE = r"""
local codes = {%(codes)s}
local head = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Authorization"] = "Basic %(basic)s",
}
local n = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
  thread:set("nthreads", %(nthreads)d)
end
request = function()
  n = n + 1
  local code = codes[(n - 1) * nthreads + tid] or "exhausted"
  return wrk.format("POST", "/oidc/token/", head,
    "grant_type=authorization_code&code=" .. code .. "&redirect_uri=%(redirect)s"
    .. "&code_verifier=%(verifier)s")
end
"""


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def seed(count: int) -> tuple[str, str, list[str]]:
    """The client's id and secret and ``count`` fresh codes."""
    from oauth2_provider.models import get_grant_model

    from tongban.core.identifiers import generate_check_digit_resident
    from tongban.identity.models import User
    from tongban.identity.services import citizen_signup
    from tongban.sso.services import client_register

    user = User.objects.filter(username="sso_bench").first()
    if user is None:
        first17 = "32010219850312001"
        user = citizen_signup(
            username="sso_bench", phone="13800000001", password="Pw-12345678", name="张伟",
            id_number=first17 + generate_check_digit_resident(first17),
        )  # fmt: skip
    client, secret = client_register(
        name=f"压测部门系统{secrets.token_hex(3)}", redirect_uris=REDIRECT_URI, first_party=True
    )
    grant_model = get_grant_model()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    codes = [secrets.token_urlsafe(24) for _ in range(count)]
    for start in range(0, count, 5000):
        grant_model.objects.bulk_create(
            [
                grant_model(
                    user=user,
                    code=code,
                    application=client,
                    expires=expires,
                    redirect_uri=REDIRECT_URI,
                    scope=SCOPE,
                    code_challenge=challenge(VERIFIER),
                    code_challenge_method="S256",
                    nonce=secrets.token_hex(8),
                    claims="{}",
                )
                for code in codes[start : start + 5000]
            ]
        )
    return client.client_id, secret, codes


def body(code: str) -> bytes:
    return urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER,
        }
    ).encode()


def check_one(port: int, basic: str, code: str) -> dict[str, object]:
    """One exchange by hand: the ID token verifies against the JWKS."""
    from jwcrypto import jwk, jwt

    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    status, ms, content, _ = request(port, "POST", "/oidc/token/", body=body(code), headers=headers)
    assert status == 200, content
    answer = json.loads(content)
    _, _, jwks, _ = request(port, "GET", "/oidc/jwks/")
    keys = jwk.JWKSet.from_json(jwks)
    token = jwt.JWT(jwt=answer["id_token"], key=keys, algs=["RS256"])
    claims = json.loads(token.claims)
    assert claims["real_name_level"] >= 1 and claims["name"] == "张伟", claims
    replay = request(port, "POST", "/oidc/token/", body=body(code), headers=headers)
    assert replay[0] == 400 and b"invalid_grant" in replay[2], replay
    return {"first exchange ms": round(ms, 1), "claims": sorted(claims)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--codes", type=int, default=30_000)
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8391)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from oauth2_provider.models import get_access_token_model

    client_id, secret, codes = seed(args.codes)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    tokens_before = get_access_token_model().objects.count()

    def ready(port: int) -> bool:
        return request(port, "GET", "/.well-known/openid-configuration")[0] == 200

    server = start_gunicorn(args.database_url, args.port, args.workers, ready)
    rows = []
    try:
        print(check_one(args.port, basic, codes.pop()))
        for clients in [int(c) for c in args.clients.split(",")]:
            share = codes[: len(codes) // 2] if clients == 1 else codes[len(codes) // 2 :]
            threads = min(2, clients)
            script = EXCHANGE % {
                "codes": ", ".join(json.dumps(c) for c in share),
                "basic": basic,
                "nthreads": threads,
                "redirect": urllib.parse.quote(REDIRECT_URI, safe=""),
                "verifier": VERIFIER,
            }
            report = wrk_run(
                args.port, script, connections=clients, seconds=args.seconds, threads=threads
            )
            rows.append(
                {
                    "clients": clients,
                    "workers": args.workers,
                    "exchanges": report["requests"] - report["non2xx"] - report["errors"],
                    "exchanges/s": report["rps"],
                    "p50": report["p50"],
                    "p95": report["p95"],
                    "p99": report["p99"],
                    "non-2xx": report["non2xx"],
                    "errors": report["errors"],
                    "load (1 min)": f"{os.getloadavg()[0]:.2f}",
                }
            )
            time.sleep(5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    issued = get_access_token_model().objects.count() - tokens_before
    columns = ["clients", "workers", "exchanges", "exchanges/s", "p50", "p95", "p99"]
    columns += ["non-2xx", "errors", "load (1 min)"]
    print(markdown("OIDC token endpoint, authorization code + PKCE (ms)", rows, columns))
    answered = 1 + sum(int(r["exchanges"]) for r in rows)
    print(f"access tokens issued: {issued}; 200 answers: {answered} (the first by hand)")


if __name__ == "__main__":
    main()
