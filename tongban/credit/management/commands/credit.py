"""``tongban credit recompute``: every rated subject's credit class by the current
rules, in batches (``credit.services.recompute``); safe to run again, and to run
while listings and repairs go on (each batch locks its rating rows)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.credit.services.recompute import BATCH, class_recompute_all


class Command(BaseCommand):
    help = "信用: recompute every subject's credit class (信用等级批量重算)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute", help="all rated subjects, batch by batch")
        recompute.add_argument("--batch-size", type=int, default=BATCH)

    def handle(self, *args: Any, **options: Any) -> None:
        size = max(100, min(int(options["batch_size"]), 20_000))
        start = time.perf_counter()
        result = class_recompute_all(batch_size=size)
        classes = " ".join(f"{k}={v}" for k, v in sorted(result.by_class.items()))
        self.stdout.write(
            f"subjects={result.subjects} changed={result.changed} batches={result.batches} "
            f"{classes} seconds={time.perf_counter() - start:.1f}"
        )
