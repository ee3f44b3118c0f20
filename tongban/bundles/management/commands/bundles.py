"""``tongban bundles delivery-recount``: every open 一件事's members onto the
bundle's unified delivery date (``bundles.services.clocks``); safe to run again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.bundles.services.clocks import bundle_delivery_recount
from tongban.core.errors import DomainError


class Command(BaseCommand):
    help = "一件事: recount the members' delivery deadlines on the bundle's unified delivery date."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("delivery-recount", help="members filed before the rule, or after a change")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = bundle_delivery_recount()
        except DomainError as exc:
            raise CommandError(f"[{exc.code}] {exc.detail}") from None
        self.stdout.write(
            f"applications={result.applications} cases_changed={len(result.cases)} "
            f"failed={result.failed}"
        )
        for case_no in result.cases:
            self.stdout.write(case_no)
