"""``tongban audit verify`` and ``tongban audit seal`` (ADR-0008)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core import clock
from tongban.core.audit_seal import audit_seal_all, audit_verify


class Command(BaseCommand):
    help = (
        "Audit log tools: `seal` links waiting events into the chain and signs a "
        "checkpoint; `verify` checks the chain, the checkpoints and the witness file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"已封存 {audit_seal_all()} 条审计记录。")
            return
        result = audit_verify()
        if result.ok:
            waiting = f"待封存 {result.unsealed} 条"
            if result.oldest_unsealed is not None:
                age = (clock.now() - result.oldest_unsealed).total_seconds()
                waiting += f"（最早的已等待 {age:.0f} 秒）"
            self.stdout.write(
                f"审计日志完整：共校验 {result.checked} 条记录、{result.checkpoints} 个签名检查点，"
                f"见证文件 {result.witnessed} 条一致；{waiting}。"
            )
            return
        where = f"在第 {result.broken_seq} 条记录处" if result.broken_seq else ""
        raise CommandError(f"审计日志{where}断裂：{result.reason}（此前 {result.checked} 条完好）")
