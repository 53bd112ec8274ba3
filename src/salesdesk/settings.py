"""Settings for salesdesk.

Everything that differs between a laptop and a production server is read from the
environment (see docs/operations.md); the defaults are safe for one office on SQLite.
"""

import os
import secrets
from decimal import Decimal
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The data directory lives outside the source tree so that a reinstall or `git clean`
# never touches the company's books.
DATA_DIR = Path(
    os.environ.get("SALESDESK_DATA_DIR", Path.home() / ".local" / "share" / "salesdesk")
).expanduser()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    if os.environ.get("SALESDESK_SECRET_KEY"):
        return os.environ["SALESDESK_SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("SALESDESK_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("SALESDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SALESDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "ninja",
    "salesdesk.core",
    "salesdesk.customers",
    "salesdesk.catalog",
    "salesdesk.calls",
    "salesdesk.orders",
    "salesdesk.warehouse",
    "salesdesk.receivables",
    "salesdesk.commissions",
    "salesdesk.reports",
    "salesdesk.workbench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "salesdesk.core.middleware.ContentSecurityPolicyMiddleware",
    "salesdesk.core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "salesdesk.core.middleware.ChineseFirstLocaleMiddleware",
    "salesdesk.core.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "salesdesk.core.middleware.LoginRequiredMiddleware",
    "salesdesk.core.middleware.IdempotencyMiddleware",
]

ROOT_URLCONF = "salesdesk.urls"
WSGI_APPLICATION = "salesdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salesdesk.core.context_processors.navigation",
            ],
        },
    },
]
# Select boxes drawn in Python, the same HTML as Django's templates draw (core/renderers.py).
FORM_RENDERER = "salesdesk.core.renderers.QuickSelects"

# --- Database -------------------------------------------------------------------------
# SQLite by default: WAL lets readers run beside the one writer, IMMEDIATE takes the
# write lock at BEGIN so two writers queue instead of failing half-way, and the busy
# timeout is how long they queue. synchronous=FULL survives power loss; NORMAL is only
# for development (SALESDESK_DEBUG=1), where speed matters more. The engine is Django's with a
# queue in front of the write lock (salesdesk.core.backends.sqlite3): SQLite's busy timeout alone
# lets newcomers overtake a writer that has waited long, until it fails with "database is locked".
SQLITE_SYNCHRONOUS = "NORMAL" if DEBUG else "FULL"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Parameters are bound by the server, so a statement the connection has run before is
        # sent as its prepared plan: the same few dozen statements make up every order, and
        # planning them again each time was a third of the server's work (docs/decisions.md).
        DATABASES["default"]["OPTIONS"] = {
            "server_side_binding": True,
            "prepare_threshold": 1,
            # No JIT compiling: a month-end sum that runs in 30 ms spent 100 ms being compiled
            # first, because its estimated cost passed PostgreSQL's threshold (docs/decisions.md).
            "options": "-c jit=off",
            **DATABASES["default"].get("OPTIONS", {}),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "salesdesk.core.backends.sqlite3",
            "NAME": os.environ.get("SALESDESK_SQLITE_PATH", str(DATA_DIR / "salesdesk.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    f"PRAGMA journal_mode=WAL;PRAGMA foreign_keys=ON;PRAGMA synchronous={SQLITE_SYNCHRONOUS};"
                ),
            },
            # Tests use a file, not memory, so that threads can race on separate connections.
            "TEST": {"NAME": os.environ.get("SALESDESK_TEST_SQLITE_PATH", str(DATA_DIR / "test.sqlite3"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's model backend, reading a user's permissions together with the role (core.auth).
AUTHENTICATION_BACKENDS = ["salesdesk.core.auth.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "login"
# Failed logins per username and per client address before the door closes for a while.
LOGIN_THROTTLE_LIMIT = int(os.environ.get("SALESDESK_LOGIN_THROTTLE_LIMIT", "10"))
LOGIN_THROTTLE_WINDOW_SECONDS = 15 * 60

SESSION_COOKIE_AGE = 12 * 60 * 60  # a working day, then log in again
SESSION_IDLE_SECONDS = 30 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
API_TOKEN_TTL_HOURS = 12

# Production behind HTTPS: `SALESDESK_HTTPS=1` turns on everything `check --deploy` asks.
if _env_bool("SALESDESK_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Language, time -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at every start when it is missing
WHITENOISE_USE_FINDERS = True  # serve vendored files without a collectstatic step
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Business settings ----------------------------------------------------------------
SALESDESK = {
    "COMPANY_NAME": os.environ.get("SALESDESK_COMPANY_NAME", "科迪色彩"),
    # Orders to customers outside this province are paid before they ship (款到发货).
    "HOME_PROVINCE": os.environ.get("SALESDESK_HOME_PROVINCE", "广东"),
    "EXPRESS_CUTOFF": os.environ.get("SALESDESK_EXPRESS_CUTOFF", "11:30"),
    "PAGE_SIZE": 25,
    # Bad-debt write-offs up to this many yuan finance may approve; larger ones only the manager.
    "WRITE_OFF_LIMIT": Decimal(os.environ.get("SALESDESK_WRITE_OFF_LIMIT", "500")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"salesdesk": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
