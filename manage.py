#!/usr/bin/env python
"""Django's command-line utility; ``tongban`` is the same with a console script."""

from tongban.cli import main

if __name__ == "__main__":
    main()
