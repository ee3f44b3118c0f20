"""``tongban calendar import FILE`` and ``tongban calendar status``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core import clock
from tongban.core.calendar import get_calendar
from tongban.core.errors import DomainError
from tongban.core.services import calendar_notice_import, calendar_notice_parse


class Command(BaseCommand):
    help = "Working-day calendar: import a year's holiday notice, or show which years lack data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a YAML or CSV notice file")
        imp.add_argument("file")
        sub.add_parser("status", help="which years have data; which coming years lack it")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            path = Path(options["file"])
            if not path.exists():
                raise CommandError(f"文件不存在：{path}")
            try:
                notice = calendar_notice_parse(path.read_text(encoding="utf-8"), filename=path.name)
                record = calendar_notice_import(notice=notice, actor="cli")
            except DomainError as exc:
                raise CommandError(f"[{exc.code}] {exc.detail}") from None
            self.stdout.write(
                f"已导入 {record.year} 年节假日安排（{record.source}）："
                f"放假 {len(notice.holidays)} 天，调休上班 {len(notice.makeup_workdays)} 天。"
            )
            return
        cal = get_calendar()
        today = clock.today()
        years = sorted(cal.years)
        self.stdout.write(
            f"已有数据的年度：{years[0]}–{years[-1]}" if years else "没有任何年度的数据"
        )
        missing = False
        for year in range(today.year, today.year + settings.TONGBAN_CALENDAR_LOOKAHEAD_YEARS + 1):
            if cal.covers(year):
                self.stdout.write(f"{year} 年：已有数据")
            else:
                missing = True
                self.stdout.write(
                    f"{year} 年：缺少数据——请依据国务院办公厅通知导入（tongban calendar import）"
                )
        if missing:
            raise CommandError("有年度缺少工作日历数据")
