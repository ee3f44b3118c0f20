"""``tongban regions <sub-command>``: the region tree (行政区划).

``tongban regions load [FILE ...]`` loads ``code,name,level,parent_code``
files in the order given (a file's parents must be loaded already or be in
the same file), each in one transaction, and reports the counts. Without a
file it loads the committed GB/T 2260 file and then the 乡镇/村 of the demo
counties. To load all of 江苏 and 江西's 乡镇 and 村, build a file with
``tongban/org/data/build_subcounty_regions.py --province 32 --province 36``
and load it (see ``tongban/org/data/README.md``).

``tongban regions counts CODE`` prints how many 乡镇 and 村 lie beneath a
region (R-HA-2's denominators).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import DomainError
from tongban.org.selectors import region_get, region_subdivision_counts
from tongban.org.services import (
    DEFAULT_REGIONS_FILE,
    SUBCOUNTY_REGIONS_FILE,
    regions_load_from_file,
)


class Command(BaseCommand):
    help = "Regions: `load` files of code,name,level,parent_code; `counts` of 乡镇 and 村."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser("load", help="create or update regions from CSV files, in order")
        load.add_argument("files", nargs="*", help="CSV files; default: the committed ones")
        counts = sub.add_parser("counts", help="the 乡镇 and 村 beneath a region")
        counts.add_argument("code", help="region code (6 or 12 digits)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "load":
                self._load(options["files"] or [DEFAULT_REGIONS_FILE, SUBCOUNTY_REGIONS_FILE])
            else:
                self._counts(options["code"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None

    def _load(self, files: list[Any]) -> None:
        for path in files:
            result = regions_load_from_file(path=path, actor="cli")
            self.stdout.write(
                f"{getattr(path, 'name', path)}：新增 {result.created}，更新 {result.updated}，"
                f"未变 {result.unchanged}。"
            )

    def _counts(self, code: str) -> None:
        region = region_get(code.strip())
        counts = region_subdivision_counts(region.code)
        self.stdout.write(
            f"{region.full_name or region.name}（{region.code}）：乡镇级 {counts.townships} 个"
            f"（其中类似乡级单位 {counts.similar_townships} 个），村级 {counts.villages} 个"
            f"（其中类似村级单位 {counts.similar_villages} 个）。"
        )
