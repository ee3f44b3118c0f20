"""``tongban sharing verify-log`` and ``tongban sharing seal``: the access log's chains."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.sharing.access_log import access_log_seal, access_log_verify


class Command(BaseCommand):
    help = "Access log tools: `verify-log` checks the chains and seals; `seal` seals now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify-log", "seal"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            seal = access_log_seal()
            if seal is None:
                self.stdout.write("没有需要封存的访问日志。")
            else:
                self.stdout.write(f"已封存 {seal.count} 条访问日志（批次 #{seal.pk}）。")
            return
        result = access_log_verify()
        if result.ok:
            self.stdout.write(
                f"数据访问日志完整：共校验 {result.checked} 条记录、{result.seals} 个封存批次。"
            )
            return
        where = f"第 {result.broken_seq} 条记录处" if result.broken_seq else ""
        raise CommandError(f"数据访问日志{where}校验失败：{result.reason}")
