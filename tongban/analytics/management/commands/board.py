"""``tongban board rebuild [--month YYYY-MM …]``: rebuild the board's rollups."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.analytics import indicators, services
from tongban.core import clock


def _month(text: str) -> dt.date:
    try:
        if len(text) != 7:
            raise ValueError(text)
        return indicators.parse_period(text, today=clock.today())[0]
    except ValueError:
        raise CommandError(f"月份应为 YYYY-MM，收到 {text!r}") from None


class Command(BaseCommand):
    help = "指标看板：从办件、评价、工单等源数据重建月度汇总。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="重建汇总（默认全部有数据的月份）")
        rebuild.add_argument("--month", action="append", default=[], help="YYYY-MM，可重复")

    def handle(self, *args: Any, **options: Any) -> None:
        months = [_month(m) for m in options["month"]] or None
        started = time.perf_counter()
        result = services.board_rollups_rebuild(periods=months)
        self.stdout.write(
            f"重建 {result.months} 个月、{result.rows} 行汇总，用时 "
            f"{time.perf_counter() - started:.1f} 秒。"
        )
