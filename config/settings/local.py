"""The embedded default: SQLite, local key file, debug pages off by default.

Debug pages show settings, SQL and personal data of the request to anyone who
makes the server fail (issue 9, item 6): set ``DJANGO_DEBUG=1`` to turn them on
while developing. Static files are served by WhiteNoise with or without debug
(``tongban serve`` collects them first).
"""

from .base import *  # noqa: F403  (settings modules extend the base namespace)
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)

# Development and tests send no e-mail: the gateway logs the masked address only.
TONGBAN_EMAIL_GATEWAY = "tongban.core.notifications.LoggingEmailGateway"
