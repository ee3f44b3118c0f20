"""``tongban calendar import FILE`` and ``tongban calendar status``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core import clock
from tongban.core.calendar import get_calendar, notice_due
from tongban.core.errors import DomainError
from tongban.core.services import calendar_notice_import, calendar_notice_parse


class Command(BaseCommand):
    help = "Working-day calendar: import a year's holiday notice, or show which years lack data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a YAML or CSV notice file")
        imp.add_argument("file")
        sub.add_parser(
            "status",
            help="which years have a notice; which coming years are provisional or lack data",
        )

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
        confirmed = sorted(cal.confirmed_years)
        self.stdout.write(
            f"已有放假通知的年度：{confirmed[0]}–{confirmed[-1]}"
            if confirmed
            else "没有任何年度的放假通知"
        )
        for year in range(today.year, today.year + settings.TONGBAN_CALENDAR_LOOKAHEAD_YEARS + 1):
            if year in cal.confirmed_years:
                self.stdout.write(f"{year} 年：已有放假通知")
            elif year in cal.provisional_years:
                self.stdout.write(
                    f"{year} 年：暂定——依据《全国年节及纪念日放假办法》推算，"
                    "所计期限标注为暂定；国务院放假通知发布后请导入（tongban calendar import）"
                )
            else:
                self.stdout.write(
                    f"{year} 年：缺少数据——请依据国务院办公厅通知导入（tongban calendar import）"
                )
        due = notice_due(today=today)
        if due is not None:
            raise CommandError(f"请导入 {due} 年的国务院放假通知")
