"""Settings shared by every environment (CONVENTIONS 8).

Everything is declared here with a safe default; production differs by
environment variables only (see ``production.py``). Secrets required in
production have no default there and fail loudly.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.conf import global_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime state of the embedded default (SQLite file, key file, uploads).
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs (Swagger UI) from local static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "tongban.core",
    "tongban.org",
    "tongban.identity",
    "tongban.catalog",
    "tongban.certificates",
    "tongban.sharing",
    "tongban.cases",
    "tongban.hotline",
    "tongban.bundles",
    "tongban.evaluation",
    "tongban.appointments",
    "tongban.supervision",
    "tongban.analytics",
    "tongban.portal",
    "tongban.workbench",
    "tongban.demo",
]

MIDDLEWARE = [
    # First: every later layer (rate limits, audit, idempotency) sees the client.
    "tongban.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the input checks, so that their refusals carry the headers too.
    "tongban.core.middleware.SecurityHeadersMiddleware",
    "tongban.core.middleware.InputBoundaryMiddleware",
    "tongban.core.middleware.StrongIfMatchMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tongban.core.middleware.ApiProblemMiddleware",
    "tongban.core.middleware.IdempotencyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.core.context_processors.display",
            ],
        },
    },
]

# SQLite (WAL) is the embedded default; DATABASE_URL selects PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A PostgreSQL hot standby for reads that tolerate a second of lag (tongban.core.db,
# docs/deployment.md). Empty: every read goes to the primary. Only the reads opted
# in go there: the routes below (GET/HEAD) and code under `using_replica()`; a
# client that wrote within TONGBAN_READ_YOUR_WRITES_SECONDS reads from the primary,
# and so does everyone while the standby is unreachable or replays more than
# TONGBAN_REPLICA_MAX_LAG_SECONDS behind (checked every TONGBAN_REPLICA_CHECK_SECONDS).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
TONGBAN_READ_YOUR_WRITES_SECONDS = int(os.environ.get("TONGBAN_READ_YOUR_WRITES_SECONDS", "10"))
TONGBAN_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("TONGBAN_REPLICA_MAX_LAG_SECONDS", "5"))
TONGBAN_REPLICA_CHECK_SECONDS = float(os.environ.get("TONGBAN_REPLICA_CHECK_SECONDS", "5"))
# Routes as Django resolves them (`request.resolver_match.route`). Not the API's
# case page (`api/v1/cases/<case_no>`): its ETag is what the next command's
# If-Match is checked against, and a client without cookies would read it stale.
TONGBAN_REPLICA_READ_ROUTES = env_list(
    "TONGBAN_REPLICA_READ_ROUTES",
    [
        # The public catalogue: changes only when a guide is published.
        "api/v1/catalog/items",
        "api/v1/catalog/suggest",
        "api/v1/catalog/items/<implementation_code>",
        "api/v1/catalog/lists",
        "api/v1/catalog/lists/<slug>",
        "api/v1/catalog/stats",
        "services/",
        "services/<str:code>/",
        "lists/",
        "lists/<slug:slug>/",
        "stats/",
        # 我的办件 and the staff queues (read-your-writes keeps one's own changes).
        "api/v1/cases",
        "api/v1/cases/queue",
        "my/cases/",
        "my/cases/<str:case_no>/",
        "workbench/cases/",
        "workbench/cases/<str:case_no>/",
        # Read models: supervision and statistics.
        "api/v1/supervision/alerts",
        "api/v1/supervision/hotline",
        "api/v1/hotline/stats",
        # The indicators board reads rollups only (tongban.analytics).
        "workbench/board/",
        "figures/",
    ],
)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A standby that does not answer is given up on quickly (tongban.core.db).
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # Tests use the primary's test database for it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tongban.core.db.ReplicaRouter"]
    # Outside everything that reads the database (sessions, users, tokens).
    MIDDLEWARE.insert(1, "tongban.core.db.ReadYourWritesMiddleware")

AUTH_USER_MODEL = "identity.User"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Chosen files from node_modules (Apache ECharts for the board's charts).
    "tongban.core.staticfinders.VendorFinder",
]
MEDIA_URL = "/media/"
# Uploaded files (materials, notices, certificates). With more than one node this
# is a directory every node mounts (NFS or CephFS; docs/deployment.md).
MEDIA_ROOT = Path(os.environ.get("TONGBAN_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Background work: Django's tasks API with the database backend (DESIGN §5).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "outbox", "scheduler"],
    }
}

# Field encryption (SM4-GCM) and search tokens (HMAC-SM3). Keys are
# "key_id:hex" pairs; the first is used to encrypt, all are used to decrypt.
# Empty means: use (and create on first use) the local key file below, which
# is only allowed outside production.
TONGBAN_FIELD_KEYS = env_list("TONGBAN_FIELD_KEYS", [])
TONGBAN_SEARCH_KEY = os.environ.get("TONGBAN_SEARCH_KEY", "")
TONGBAN_LOCAL_KEY_FILE = VAR_DIR / "field-keys.json"
TONGBAN_REQUIRE_KEYS = False
# Audit checkpoints (ADR-0008): Ed25519 keys the database does not hold,
# "key_id:base64 seed" (the first signs), retired public keys to keep verifying,
# and the append-only witness file beside the database.
TONGBAN_AUDIT_SIGNING_KEYS = env_list("TONGBAN_AUDIT_SIGNING_KEYS", [])
TONGBAN_AUDIT_VERIFY_KEYS = env_list("TONGBAN_AUDIT_VERIFY_KEYS", [])
TONGBAN_AUDIT_LOCAL_KEY_FILE = VAR_DIR / "audit-signing-key.json"
TONGBAN_AUDIT_WITNESS_FILE = Path(
    os.environ.get("TONGBAN_AUDIT_WITNESS_FILE", str(VAR_DIR / "audit-witness.jsonl"))
)

# Working-day calendar: how many coming years the admin is warned about.
TONGBAN_CALENDAR_LOOKAHEAD_YEARS = 1

# Outbox delivery: attempts before the dead-letter state, and backoff base.
TONGBAN_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("TONGBAN_OUTBOX_MAX_ATTEMPTS", "8"))
TONGBAN_OUTBOX_BACKOFF_SECONDS = int(os.environ.get("TONGBAN_OUTBOX_BACKOFF_SECONDS", "30"))

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks,
# comma-separated, e.g. "10.0.0.5,10.1.0.0/16"). Empty: the peer's address is
# the client's, and X-Forwarded-For is ignored (core.middleware.proxies).
TONGBAN_TRUSTED_PROXIES = env_list("TONGBAN_TRUSTED_PROXIES", [])

# Login (identity.services.login): only failures count, never successes.
# One account from one address: after this many failures a growing wait
# (base, 2 × base, 4 × base … up to the cap); a success clears it.
TONGBAN_LOGIN_FREE_FAILURES = int(os.environ.get("TONGBAN_LOGIN_FREE_FAILURES", "5"))
# One account from all addresses together (a distributed guess): the same
# back-off after this many failures.
TONGBAN_LOGIN_ACCOUNT_FREE_FAILURES = int(
    os.environ.get("TONGBAN_LOGIN_ACCOUNT_FREE_FAILURES", "20")
)
TONGBAN_LOGIN_BACKOFF_BASE_SECONDS = int(os.environ.get("TONGBAN_LOGIN_BACKOFF_BASE_SECONDS", "30"))
TONGBAN_LOGIN_BACKOFF_MAX_SECONDS = int(os.environ.get("TONGBAN_LOGIN_BACKOFF_MAX_SECONDS", "900"))
# Failures are forgotten this long after the last one.
TONGBAN_LOGIN_FAILURE_MEMORY_SECONDS = int(
    os.environ.get("TONGBAN_LOGIN_FAILURE_MEMORY_SECONDS", str(24 * 3600))
)
# One address, all accounts (guessing many usernames): failed logins per window.
TONGBAN_LOGIN_ADDRESS_FAILURES = int(os.environ.get("TONGBAN_LOGIN_ADDRESS_FAILURES", "50"))
TONGBAN_LOGIN_RATE_WINDOW_SECONDS = int(os.environ.get("TONGBAN_LOGIN_RATE_WINDOW_SECONDS", "900"))

# Citizen sign-up (identity.services.signup): the phone is proved with a
# one-time code by SMS before the account exists. The code's lifetime, the
# guesses it allows, and how often one may be sent.
TONGBAN_SIGNUP_CODE_TTL_SECONDS = int(os.environ.get("TONGBAN_SIGNUP_CODE_TTL_SECONDS", "600"))
TONGBAN_SIGNUP_CODE_MAX_ATTEMPTS = int(os.environ.get("TONGBAN_SIGNUP_CODE_MAX_ATTEMPTS", "5"))
TONGBAN_SIGNUP_CODE_RESEND_SECONDS = int(os.environ.get("TONGBAN_SIGNUP_CODE_RESEND_SECONDS", "60"))
# Codes sent per phone and per address within an hour.
TONGBAN_SIGNUP_CODES_PER_PHONE = int(os.environ.get("TONGBAN_SIGNUP_CODES_PER_PHONE", "5"))
TONGBAN_SIGNUP_CODES_PER_ADDRESS = int(os.environ.get("TONGBAN_SIGNUP_CODES_PER_ADDRESS", "20"))
# Refused sign-ups (identity not accepted, wrong code) per address per hour
# and per ID number per day: the name/ID check is not a free oracle.
TONGBAN_SIGNUP_FAILURES_PER_ADDRESS = int(
    os.environ.get("TONGBAN_SIGNUP_FAILURES_PER_ADDRESS", "10")
)
TONGBAN_SIGNUP_FAILURES_PER_ID_NUMBER = int(
    os.environ.get("TONGBAN_SIGNUP_FAILURES_PER_ID_NUMBER", "5")
)

# API tokens expire after this many days unless created with another expiry
# (0: tokens created without an expiry never expire; not recommended).
TONGBAN_API_TOKEN_DEFAULT_DAYS = int(os.environ.get("TONGBAN_API_TOKEN_DEFAULT_DAYS", "90"))

# Catalogue: a guide submitted by one editor is published by another (四眼原则).
TONGBAN_CATALOG_FOUR_EYES = env_bool("TONGBAN_CATALOG_FOUR_EYES", True)

# Uploaded case materials: the largest file accepted.
TONGBAN_UPLOAD_MAX_BYTES = int(os.environ.get("TONGBAN_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# Files uploaded with an application form that was refused (another field was
# wrong) are kept for the corrected submission this many hours (portal.staging).
TONGBAN_STAGED_UPLOAD_HOURS = int(os.environ.get("TONGBAN_STAGED_UPLOAD_HOURS", "24"))
# An OFD upload is a zip: its parts may inflate to at most this (zip bombs).
TONGBAN_OFD_MAX_INFLATED_BYTES = int(
    os.environ.get("TONGBAN_OFD_MAX_INFLATED_BYTES", str(100 * 1024 * 1024))
)
# A JSON request may carry an upload in base64 (4/3 of its size) plus the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = TONGBAN_UPLOAD_MAX_BYTES * 4 // 3 + 1024 * 1024
# 告知承诺: the commitment is checked within this many days of the decision.
TONGBAN_COMMITMENT_CHECK_DAYS = 60
# Deferred (容缺) materials are due this many working days after acceptance.
TONGBAN_DEFERRED_MATERIALS_WORKING_DAYS = 10

# Idempotency records are kept this long.
TONGBAN_IDEMPOTENCY_TTL_HOURS = 24

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGBAN_LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

# Notifications
# -------------
# Messages to applicants (SMS and e-mail) through pluggable gateways, chosen by
# dotted path; delivered after commit through the outbox (core.notifications).
# The logging SMS gateway is for development: it writes the masked number and
# the text to the log and sends nothing. Failed sends are retried with the
# outbox's backoff (TONGBAN_OUTBOX_BACKOFF_SECONDS) up to
# TONGBAN_OUTBOX_MAX_ATTEMPTS attempts.
TONGBAN_SMS_GATEWAY = os.environ.get(
    "TONGBAN_SMS_GATEWAY", "tongban.core.notifications.LoggingSmsGateway"
)
TONGBAN_EMAIL_GATEWAY = os.environ.get(
    "TONGBAN_EMAIL_GATEWAY", "tongban.core.notifications.SmtpEmailGateway"
)
TONGBAN_EMAIL_HOST = os.environ.get("TONGBAN_EMAIL_HOST", "localhost")
TONGBAN_EMAIL_PORT = int(os.environ.get("TONGBAN_EMAIL_PORT", "25"))
TONGBAN_EMAIL_USER = os.environ.get("TONGBAN_EMAIL_USER", "")
TONGBAN_EMAIL_PASSWORD = os.environ.get("TONGBAN_EMAIL_PASSWORD", "")
TONGBAN_EMAIL_USE_TLS = env_bool("TONGBAN_EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
TONGBAN_EMAIL_USE_SSL = env_bool("TONGBAN_EMAIL_USE_SSL", False)  # implicit TLS, usually 465
TONGBAN_EMAIL_TIMEOUT_SECONDS = int(os.environ.get("TONGBAN_EMAIL_TIMEOUT_SECONDS", "10"))
TONGBAN_EMAIL_FROM = os.environ.get("TONGBAN_EMAIL_FROM", "通办 <noreply@tongban.local>")

# Supervision
# -----------
# Alert tiers of DESIGN §4: yellow when this share of a limit is used or at
# most this many working days remain; red when overdue (cases.deadlines.alert_level).
TONGBAN_ALERT_YELLOW_SHARE = float(os.environ.get("TONGBAN_ALERT_YELLOW_SHARE", "0.8"))
TONGBAN_ALERT_YELLOW_DAYS_LEFT = int(os.environ.get("TONGBAN_ALERT_YELLOW_DAYS_LEFT", "2"))
# The alert sweep reads only cases whose stored deadline is at most this many
# working days away (or past), so that a pass stays small on a large table. A
# limit of L working days turns yellow by share (1 − share) × L days before its
# end: the default covers limits up to 75 working days (above the 60 of joint
# handling with its extension, 行政许可法 第四十二条); longer limits turn yellow
# when they come within the horizon.
TONGBAN_ALERT_HORIZON_WORKING_DAYS = int(os.environ.get("TONGBAN_ALERT_HORIZON_WORKING_DAYS", "15"))

# PDF documents (notices, lists) embed this TrueType CJK font, installed by
# `make install` from the npm registry with its licence (core.pdf_fonts).
TONGBAN_PDF_FONT = os.environ.get(
    "TONGBAN_PDF_FONT",
    str(
        BASE_DIR
        / "node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf"
    ),
)

# Public URLs
# -----------
# The address the public reaches the portal at: legal documents (通知书、决定书)
# carry a QR code with an absolute link to their verification page under it.
TONGBAN_PUBLIC_BASE_URL = os.environ.get("TONGBAN_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Electronic certificates (电子证照, docs/certificates.md)
# --------------------------------------------------------
# The algorithm of the signature in a certificate's QR code: SM2 (GB/T 32918,
# the default) or Ed25519. Each department has its own key, made on first use
# and rotated with a new key id (ADR-0007).
TONGBAN_CERTIFICATE_SIGNATURE_ALGORITHM = os.environ.get(
    "TONGBAN_CERTIFICATE_SIGNATURE_ALGORITHM", "SM2"
)
# Seal the certificate PDF (the seal drawn and a PAdES signature, R-EC-1).
TONGBAN_CERTIFICATE_SEAL_PDF = env_bool("TONGBAN_CERTIFICATE_SEAL_PDF", True)

# 12345 hotline (docs/hotline.md)
# ------------------------------
# R-HL-3: transfer to the responsible department within 1 working day, handled
# within 5 working days of the dispatch (a category may set its own limits);
# urgent orders run in hours.
TONGBAN_HOTLINE_DISPATCH_WORKING_DAYS = int(
    os.environ.get("TONGBAN_HOTLINE_DISPATCH_WORKING_DAYS", "1")
)
TONGBAN_HOTLINE_HANDLE_WORKING_DAYS = int(
    os.environ.get("TONGBAN_HOTLINE_HANDLE_WORKING_DAYS", "5")
)
TONGBAN_HOTLINE_URGENT_DISPATCH_HOURS = int(
    os.environ.get("TONGBAN_HOTLINE_URGENT_DISPATCH_HOURS", "2")
)
TONGBAN_HOTLINE_URGENT_HANDLE_HOURS = int(
    os.environ.get("TONGBAN_HOTLINE_URGENT_HANDLE_HOURS", "24")
)
# An extension (延期) the centre may approve, in working days, in total.
TONGBAN_HOTLINE_EXTENSION_MAX_WORKING_DAYS = int(
    os.environ.get("TONGBAN_HOTLINE_EXTENSION_MAX_WORKING_DAYS", "10")
)
# An overdue order's 督办 level rises one step every this many working days overdue.
TONGBAN_HOTLINE_ESCALATE_EVERY_WORKING_DAYS = int(
    os.environ.get("TONGBAN_HOTLINE_ESCALATE_EVERY_WORKING_DAYS", "2")
)
# 差评整改 (好差评, 国办发〔2019〕51号): working days the department has to answer a bad rating.
TONGBAN_RECTIFICATION_WORKING_DAYS = int(os.environ.get("TONGBAN_RECTIFICATION_WORKING_DAYS", "15"))
# A rating may be changed once within this many natural days (not fixed nationally).
TONGBAN_RATING_CHANGE_DAYS = int(os.environ.get("TONGBAN_RATING_CHANGE_DAYS", "7"))
# Orders of the same caller, or the same place and category, within this many
# days are shown as likely duplicates and may be merged (并案).
TONGBAN_HOTLINE_DUPLICATE_WINDOW_DAYS = int(
    os.environ.get("TONGBAN_HOTLINE_DUPLICATE_WINDOW_DAYS", "30")
)
# Open311 GeoReport v2: the region of a request that names no jurisdiction_id.
TONGBAN_HOTLINE_OPEN311_JURISDICTION = os.environ.get(
    "TONGBAN_HOTLINE_OPEN311_JURISDICTION", "320100"
)

# Single sign-on (tongban.sso, docs/sso.md)
# -----------------------------------------
# The platform is the OpenID Connect provider of departments' systems and the
# mobile front end (R-ID-1, R-PL-4): authorization code with PKCE only, ID
# tokens signed RS256 with the first key of the key file and every key of it
# published at JWKS (`tongban sso rotate-key`). Clients are registered by
# administrators; redirect URIs must match exactly.
INSTALLED_APPS += ["tongban.sso", "oauth2_provider"]  # sso first: its templates win
# The login page's CSP lets its form go on to a registered client's callback.
MIDDLEWARE += ["tongban.sso.middleware.LoginFormActionMiddleware"]
TONGBAN_OIDC_KEY_FILE = os.environ.get(
    "TONGBAN_OIDC_KEY_FILE", str(VAR_DIR / "oidc-signing-keys.pem")
)
# Retired keys kept (and published) after a rotation: longer than a token lives.
TONGBAN_OIDC_RETIRED_KEYS = int(os.environ.get("TONGBAN_OIDC_RETIRED_KEYS", "2"))
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "tongban.sso.validators.TongbanOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "tongban.sso.scopes.TongbanScopes",
    "APPLICATION_ADMIN_CLASS": "tongban.sso.admin.ClientAdmin",
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    # Set to the public address in production (else taken from the request).
    "OIDC_ISS_ENDPOINT": os.environ.get("TONGBAN_OIDC_ISSUER", ""),
    "ALLOWED_REDIRECT_URI_SCHEMES": env_list("TONGBAN_OIDC_REDIRECT_SCHEMES", ["https", "http"]),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 14 * 24 * 3600,
    # A consent given once is not asked again while a token for it lives.
    "REQUEST_APPROVAL_PROMPT": "auto",
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    # Client secrets are long random strings: one round of PBKDF2, not the
    # password hasher's million, on every code exchange (tongban/sso/hashers.py).
    "CLIENT_SECRET_HASHER": "client_secret_sha256",
    # Kept off on purpose: the token view rolls back every refused exchange
    # (tongban/sso/views.py), which would also undo the library's revocation of
    # a reused refresh token's family. Turning this on needs that revocation
    # committed apart from the refused exchange.
    "REFRESH_TOKEN_REUSE_PROTECTION": False,
}
PASSWORD_HASHERS = [*global_settings.PASSWORD_HASHERS, "tongban.sso.hashers.ClientSecretHasher"]

# Department systems (tongban.integration, docs/integration.md): system accounts
# scoped to one department read its cases as they change and act on them through
# the cases API; signed webhooks tell them of case and 12345 order events.
INSTALLED_APPS += ["tongban.integration"]

# 个人空间 / 企业空间 (tongban.spaces) and their 消息中心 (tongban.inbox): issue 14, items 3 and 5.
INSTALLED_APPS += ["tongban.inbox", "tongban.spaces"]
# 惠企政策 matched against the 法人库 and pushed to businesses (issue 14, item 4).
INSTALLED_APPS += ["tongban.policies"]

# Credit, joint rewards and punishments (tongban.credit, issue 17, docs/credit.md).
INSTALLED_APPS += ["tongban.credit"]

# 中介服务超市 and 公共资源交易 (tongban.intermediaries, issue 18, docs/marketplace.md).
INSTALLED_APPS += ["tongban.intermediaries"]
# How sealed bids' content keys are wrapped to a tender's opening key: "x25519"
# (X25519 + HKDF-SM3 + SM4-GCM, the default) or "sm2" (GB/T 32918.4; slower).
TONGBAN_BID_KEY_SCHEME = os.environ.get("TONGBAN_BID_KEY_SCHEME", "x25519")

# 统一网上支付 (tongban.payments, issue 19, docs/payments.md): orders are due this many
# working days after issue; pending ones are queried after this many minutes; the
# simulated provider's HMAC-SM3 key and the receipts' check-code key (empty: derived
# from SECRET_KEY, for the demo only; set both in production).
INSTALLED_APPS += ["tongban.payments"]
TONGBAN_PAYMENTS_DUE_WORKING_DAYS = int(os.environ.get("TONGBAN_PAYMENTS_DUE_WORKING_DAYS", "15"))
TONGBAN_PAYMENTS_QUERY_AFTER_MINUTES = int(
    os.environ.get("TONGBAN_PAYMENTS_QUERY_AFTER_MINUTES", "15")
)
TONGBAN_PAYMENTS_SIM_SECRET = os.environ.get("TONGBAN_PAYMENTS_SIM_SECRET", "")
TONGBAN_PAYMENTS_RECEIPT_SECRET = os.environ.get("TONGBAN_PAYMENTS_RECEIPT_SECRET", "")

# Window service standards (issue 16 item 6, tongban.appointments): a 首问责任 question
# is answered within this many working days of being asked, and a 纠错 report about a
# window within this many working days of being filed; later ones are overdue.
TONGBAN_FIRST_QUESTION_WORKING_DAYS = int(
    os.environ.get("TONGBAN_FIRST_QUESTION_WORKING_DAYS", "3")
)
TONGBAN_ERROR_REPORT_WORKING_DAYS = int(os.environ.get("TONGBAN_ERROR_REPORT_WORKING_DAYS", "5"))
