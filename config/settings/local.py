"""The embedded default: SQLite, local key file, debug pages off by default."""

from .base import *  # noqa: F403  (settings modules extend the base namespace)
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)

# Development and tests send no e-mail: the gateway logs the masked address only.
TONGBAN_EMAIL_GATEWAY = "tongban.core.notifications.LoggingEmailGateway"
