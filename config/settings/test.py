"""Settings for pytest. ``TONGBAN_TEST_DATABASE_URL`` selects PostgreSQL."""

import os

import dj_database_url

from .base import *  # noqa: F403  (settings modules extend the base namespace)
from .base import BASE_DIR, DATABASES

DEBUG = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "tongban.sso.hashers.ClientSecretHasher",  # OAUTH2_PROVIDER's CLIENT_SECRET_HASHER
]
_test_url = os.environ.get("TONGBAN_TEST_DATABASE_URL")
if _test_url:
    DATABASES["default"] = dj_database_url.parse(_test_url)
else:
    DATABASES["default"]["NAME"] = str(BASE_DIR / "var" / "test.sqlite3")
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "outbox", "scheduler"],
    }
}
# Fixed keys so that tests never write a key file.
TONGBAN_FIELD_KEYS = [
    "k2:00112233445566778899aabbccddeeff",
    "k1:0f1e2d3c4b5a69788796a5b4c3d2e1f0",
]
TONGBAN_SEARCH_KEY = "test-search-key-0123456789abcdef"
# A fixed audit checkpoint key (a 32-byte Ed25519 seed); the witness file is
# each test's own (conftest.py).
TONGBAN_AUDIT_SIGNING_KEYS = ["test-audit:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders in tests; no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Development and tests send no e-mail: the gateway logs the masked address only.
TONGBAN_EMAIL_GATEWAY = "tongban.core.notifications.LoggingEmailGateway"
# Single sign-on: no key file; tests make their signing keys (tongban/sso/tests).
TONGBAN_OIDC_KEY_FILE = ""
