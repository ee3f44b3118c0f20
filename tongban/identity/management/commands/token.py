"""``tongban token create USERNAME [--name N] [--days D]`` and ``tongban token revoke PREFIX``.

A token expires after ``--days`` days, by default after
``TONGBAN_API_TOKEN_DEFAULT_DAYS`` (90); the expiry is printed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tongban.core import clock
from tongban.core.errors import DomainError
from tongban.identity.models import User
from tongban.identity.services import token_create, token_revoke_by_prefix


class Command(BaseCommand):
    help = "API access tokens: create one for an account (shown once), or revoke one by prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="命令行创建", help="what the token is for")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help="valid for D days (default: TONGBAN_API_TOKEN_DEFAULT_DAYS, 90)",
        )
        revoke = sub.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options)
            else:
                token = token_revoke_by_prefix(prefix=options["prefix"])
                self.stdout.write(f"已撤销访问令牌 {token.prefix}…（{token.name}）")
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.detail}") from None

    def _create(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"账号不存在：{options['username']}")
        if not user.is_active:
            raise CommandError(f"账号已停用：{user.username}")
        now = clock.now()
        days = options["days"]
        if days is not None and days <= 0:
            raise CommandError("--days 须为正整数")
        expires_at = now + dt.timedelta(days=days) if days else None
        token, plaintext = token_create(
            user=user, name=options["name"], expires_at=expires_at, now=now
        )
        self.stdout.write(plaintext)
        if token.expires_at is not None:
            local = timezone.localtime(token.expires_at)
            until = f"，有效期至 {local:%Y-%m-%d %H:%M}（{settings.TIME_ZONE}）"
        else:
            until = "，长期有效（TONGBAN_API_TOKEN_DEFAULT_DAYS 为 0）"
        self.stderr.write(
            f"已为 {user.username} 创建访问令牌 {token.prefix}…（{token.name}{until}）。"
            "令牌只显示这一次，请妥善保存。"
        )
