"""``tongban openapi --write FILE`` / ``--check FILE``: the committed API schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def current_schema() -> str:
    from config.api import api

    schema = api.get_openapi_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write or check the committed OpenAPI schema (docs/openapi.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--write", metavar="FILE")
        group.add_argument("--check", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        schema = current_schema()
        if options["write"]:
            Path(options["write"]).write_text(schema, encoding="utf-8")
            self.stdout.write(f"wrote {options['write']}")
            return
        path = Path(options["check"])
        if not path.exists() or path.read_text(encoding="utf-8") != schema:
            raise CommandError(
                f"{path} is out of date with the API; run `make openapi` and commit the result"
            )
        self.stdout.write(f"{path} is up to date")
