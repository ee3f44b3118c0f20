"""``tongban sso rotate-key`` and ``tongban sso client NAME --redirect-uri URI …``.

``rotate-key`` puts a new signing key in front of the key file and keeps
``TONGBAN_OIDC_RETIRED_KEYS`` old ones, still published at JWKS so that
tokens signed before keep verifying; restart the web processes afterwards.
``client`` registers a system (the secret is printed once).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import DomainError
from tongban.sso import keys
from tongban.sso.services import client_register


class Command(BaseCommand):
    help = "Single sign-on: rotate the ID-token signing key, or register a client system."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate-key", help="make a new signing key; keep the old ones published")
        client = sub.add_parser("client", help="register a client system")
        client.add_argument("name")
        client.add_argument("--redirect-uri", action="append", required=True)
        client.add_argument("--post-logout-redirect-uri", action="append", default=[])
        client.add_argument("--public", action="store_true", help="no secret (a mobile app)")
        client.add_argument(
            "--first-party", action="store_true", help="a department's own system: no consent page"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rotate-key":
            path = settings.TONGBAN_OIDC_KEY_FILE
            if not path:
                raise CommandError("TONGBAN_OIDC_KEY_FILE is not set")
            kid, count = keys.rotate(path=Path(path), keep=settings.TONGBAN_OIDC_RETIRED_KEYS)
            self.stdout.write(f"new signing key {kid}; {count} keys published. Restart the web.")
            return
        try:
            client, secret = client_register(
                name=options["name"],
                redirect_uris=" ".join(options["redirect_uri"]),
                post_logout_redirect_uris=" ".join(options["post_logout_redirect_uri"]),
                confidential=not options["public"],
                first_party=options["first_party"],
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(f"client_id: {client.client_id}")
        if secret:
            self.stdout.write(f"client_secret (shown once): {secret}")
