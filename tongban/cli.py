"""The ``tongban`` console script: Django's manage.py under our settings.

``tongban demo load`` is the management command ``demo`` with the sub-command
``load``; the same holds for ``calendar``, ``token`` and ``audit``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # The embedded default keeps its SQLite file (and key file) under var/;
    # create the folder on a fresh checkout so the first command works.
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and str(db["NAME"]) != ":memory:":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
