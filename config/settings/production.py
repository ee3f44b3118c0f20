"""Production: PostgreSQL, keys and secrets from the environment, HTTPS."""

import os

from .base import *  # noqa: F403  (settings modules extend the base namespace)

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
TONGBAN_REQUIRE_KEYS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
