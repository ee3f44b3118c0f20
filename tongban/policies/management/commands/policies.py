"""``tongban policies load FILE.json`` (the library) and ``tongban policies match`` (the push).

FILE.json is a list of policies: ``{"title", "issuer", "document_no",
"valid_from", "valid_until"?, "benefits", "rules", "automatic"?, "item"?}``
(rules: ``tongban.policies.rules``; item: the 实施编码 of the service item a
免申即享 policy's grants are recorded under, required for one); each is
created and published. ``match`` matches
every published, current policy in one pass over the 法人库 and pushes the new
matches (run it on a schedule, or after the 法人库 changes).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.catalog.models import ServiceItem
from tongban.core.errors import DomainError
from tongban.policies.batch import policy_match_all
from tongban.policies.services import policy_create, policy_publish


class Command(BaseCommand):
    help = "The policy library: load policies from JSON, match and push them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="create and publish the policies of a JSON file")
        load.add_argument("file")
        sub.add_parser("match", help="match every published, current policy")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "load":
                self._load(Path(options["file"]))
            else:
                self._match()
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.detail}") from None

    def _load(self, path: Path) -> None:
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取 {path}：{exc}") from None
        if not isinstance(entries, list):
            raise CommandError("文件应为政策列表")
        for entry in entries:
            try:
                until = entry.get("valid_until")
                code = str(entry.get("item") or "")
                item = (
                    ServiceItem.objects.filter(implementation_code=code).first() if code else None
                )
                if code and item is None:
                    raise CommandError(f"没有实施编码为 {code} 的事项")
                policy = policy_create(
                    title=entry["title"],
                    issuer=entry["issuer"],
                    document_no=entry["document_no"],
                    valid_from=dt.date.fromisoformat(entry["valid_from"]),
                    valid_until=dt.date.fromisoformat(until) if until else None,
                    benefits=entry.get("benefits", ""),
                    rules_raw=entry.get("rules", {}),
                    automatic=bool(entry.get("automatic", False)),
                    service_item=item,
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise CommandError(f"政策条目不完整或格式错误：{exc}") from None
            policy_publish(policy=policy)
            self.stdout.write(f"已发布 {policy}")

    def _match(self) -> None:
        # Every current policy in one pass over the 法人库 (policies.batch).
        result = policy_match_all()
        self.stdout.write(
            f"{result.policies} 项政策，读取法人库 {result.businesses_read} 家，"
            f"新匹配 {result.matched} 家次"
        )
