"""Settings: everything that differs between machines comes from the environment.

SQLite is the default so that clone → `make run` works; production sets DAIBAN_ENV=production,
DATABASE_URL (PostgreSQL) and the secrets.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from daiban.lib.env import development_secrets, env_bool, env_float, env_int, env_str, secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DAIBAN_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_str("DAIBAN_ENV", "development") == "production"
_dev = None if PRODUCTION else development_secrets(VAR_DIR / "dev-secrets.json")

SECRET_KEY = secret("DJANGO_SECRET_KEY", PRODUCTION, _dev)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = (env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver") or "").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in (env_str("DJANGO_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "daiban.org",
    "daiban.workdays",
    "daiban.petitions",
    "daiban.api",
    "daiban.staff",
    "daiban.documents",
    "daiban.notifications",
    "daiban.portal",
    "daiban.stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "daiban.urls"
WSGI_APPLICATION = "daiban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "daiban" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "daiban.staff.context.nav",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'daiban.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a writing transaction takes the lock when it begins, so two writers queue
    # instead of one failing half-way with "database is locked".
    # WAL: readers do not block the writer, and with synchronous=NORMAL a commit does not wait for
    # the disk (a power cut may lose the last commits, never corrupt the file). Production is PostgreSQL.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE", "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    VAR_DIR.mkdir(parents=True, exist_ok=True)
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # JIT compilation costs more than it saves on the short queries of a web request: the
    # statistics' aggregates were spending 0.6 s compiling and 0.1 s running.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "daiban" / "static"]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:workbench"
LOGOUT_REDIRECT_URL = "staff:login"
MEDIA_URL = "media/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("DAIBAN_MEDIA_ROOT", str(VAR_DIR / "media")))
# Attachments and frozen archives: never under MEDIA_ROOT, served only after a permission check.
PRIVATE_ROOT = Path(env_str("DAIBAN_PRIVATE_ROOT", str(VAR_DIR / "private")))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DAIBAN_LOG_LEVEL", "INFO")},
    # Request bodies carry personal data: never let Django log them.
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # The PDF libraries narrate every step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Daiban ---------------------------------------------------------------------------------
# SM4 key (32 hex characters) for ID and phone numbers at rest; the keyed SM3 HMAC key for look-ups.
DAIBAN_DATA_KEY = secret("DAIBAN_DATA_KEY", PRODUCTION, _dev)
DAIBAN_LOOKUP_KEY = env_str("DAIBAN_LOOKUP_KEY") or (_dev or {}).get("DAIBAN_LOOKUP_KEY") or ""
# Petition numbers: PREFIX-YEAR-SEQUENCE, e.g. WS-2026-000123.
DAIBAN_NUMBER_PREFIX = env_str("DAIBAN_NUMBER_PREFIX", "WS")
# Similarity (0–1) above which two petitions of one petitioner are "the same matter".
DAIBAN_SAME_MATTER_THRESHOLD = env_float("DAIBAN_SAME_MATTER_THRESHOLD", 0.4)
# API tokens live this many hours.
DAIBAN_TOKEN_HOURS = env_int("DAIBAN_TOKEN_HOURS", 12)
# Code of the station that receives petitions arriving without a station (hotline, platforms).
DAIBAN_DEFAULT_STATION = env_str("DAIBAN_DEFAULT_STATION", "bureau")
# Attachments: largest file accepted (bytes).
DAIBAN_ATTACHMENT_MAX_BYTES = env_int("DAIBAN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# The issuing organ printed on notices, the archive and the monthly report (a station's own address
# and phone, when set in the admin, take precedence on its notices).
DAIBAN_BUREAU_NAME = env_str("DAIBAN_BUREAU_NAME", "乌审旗自然资源局")
DAIBAN_BUREAU_ADDRESS = env_str("DAIBAN_BUREAU_ADDRESS", "内蒙古自治区鄂尔多斯市乌审旗嘎鲁图镇")
DAIBAN_BUREAU_PHONE = env_str("DAIBAN_BUREAU_PHONE", "0477-7612345")
# 监督电话 printed on the agent board (上墙公示).
DAIBAN_SUPERVISION_PHONE = env_str("DAIBAN_SUPERVISION_PHONE", "0477-7612300")
# 保管期限 on the archive cover (信访档案: 永久, 30年 or 10年).
DAIBAN_ARCHIVE_RETENTION = env_str("DAIBAN_ARCHIVE_RETENTION", "10年")
# 签发 of the monthly report (blank: signed by hand).
DAIBAN_REPORT_SIGNER = env_str("DAIBAN_REPORT_SIGNER", "")
# SMS: "daiban.notifications.backends.ConsoleBackend" (logs) or "…HttpGatewayBackend" (the gateway below).
DAIBAN_SMS_BACKEND = env_str("DAIBAN_SMS_BACKEND", "daiban.notifications.backends.ConsoleBackend")
DAIBAN_SMS_GATEWAY_URL = env_str("DAIBAN_SMS_GATEWAY_URL", "")
DAIBAN_SMS_GATEWAY_TOKEN = env_str("DAIBAN_SMS_GATEWAY_TOKEN", "")
# The client address for rate limits: REMOTE_ADDR, unless the request comes from one of these
# proxies, in which case this header (e.g. HTTP_X_REAL_IP) names the client. Empty: no proxy trusted.
DAIBAN_TRUSTED_PROXIES = [p for p in (env_str("DAIBAN_TRUSTED_PROXIES", "") or "").split(",") if p]
DAIBAN_CLIENT_IP_HEADER = env_str("DAIBAN_CLIENT_IP_HEADER", "HTTP_X_REAL_IP")
# Public portal limits (per client address).
DAIBAN_PUBLIC_SUBMIT_PER_HOUR = env_int("DAIBAN_PUBLIC_SUBMIT_PER_HOUR", 10)
DAIBAN_PUBLIC_CAPTCHA_AFTER = env_int("DAIBAN_PUBLIC_CAPTCHA_AFTER", 2)
DAIBAN_PUBLIC_TRACK_PER_HOUR = env_int("DAIBAN_PUBLIC_TRACK_PER_HOUR", 60)
DAIBAN_PUBLIC_WRONG_CODES = env_int("DAIBAN_PUBLIC_WRONG_CODES", 5)
# First and last year the calendar seeding covers.
DAIBAN_CALENDAR_FIRST_YEAR = env_int("DAIBAN_CALENDAR_FIRST_YEAR", 2020)
DAIBAN_CALENDAR_YEARS_AHEAD = env_int("DAIBAN_CALENDAR_YEARS_AHEAD", 2)
