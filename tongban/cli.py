"""The ``tongban`` console script: Django's manage.py under our settings.

``tongban demo load`` is the management command ``demo`` with the sub-command
``load``; the same holds for ``calendar``, ``token`` and ``audit``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
