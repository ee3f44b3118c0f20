"""``tongban audit verify``: recompute the SM3 hash chain of the audit log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools: `verify` checks the hash chain and names the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"审计日志完整：共校验 {result.checked} 条记录。")
            return
        raise CommandError(
            f"审计日志在第 {result.broken_seq} 条记录处断裂：{result.reason}"
            f"（此前 {result.checked} 条完好）"
        )
