"""``tongban scheduler``: enqueue periodic jobs while holding the database lease."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.core import scheduler


class Command(BaseCommand):
    help = "Run the scheduler (one active at a time, by a database lease)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tick", type=float, default=2.0, help="seconds between ticks")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        scheduler.run_forever(stop, tick_seconds=options["tick"])
