"""Settings: everything that differs between machines comes from the environment.

SQLite is the default so that clone → `make run` works; production sets DAIBAN_ENV=production,
DATABASE_URL (PostgreSQL) and the secrets.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from daiban.lib.env import development_secrets, env_bool, env_float, env_int, env_str, secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DAIBAN_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_str("DAIBAN_ENV", "development") == "production"
_dev = None if PRODUCTION else development_secrets(VAR_DIR / "dev-secrets.json")

SECRET_KEY = secret("DJANGO_SECRET_KEY", PRODUCTION, _dev)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
REDIS_URL = env_str("REDIS_URL")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DAIBAN_ENV=production 不允许 DJANGO_DEBUG 开启 (DEBUG must be off in production)")
if PRODUCTION and not REDIS_URL:
    # Login lockouts live in the database, but the portal's rate limits and CAPTCHA thresholds live
    # in the cache: with per-process memory each gunicorn worker would count on its own.
    raise ImproperlyConfigured(
        "DAIBAN_ENV=production 需要设置 REDIS_URL（多个进程共享限流计数）(REDIS_URL is required in production)"
    )
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        "REDIS_URL 应以 redis://、rediss:// 或 unix:// 开头 (REDIS_URL must be a Redis URL, e.g. redis://127.0.0.1:6379/0)"
    )
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
    "django_tasks",
    "django_tasks_db",  # the background worker's queue, in our own database (`manage.py db_worker`)
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "captcha",
    "daiban.audit",
    "daiban.accounts",
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
    "daiban.api.middleware.ApiGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "daiban.lib.text.CleanInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "daiban.audit.middleware.AuditContextMiddleware",
    "daiban.lib.messages.LazyMessageMiddleware",  # Django's, storage made on first use
    # After auth, OTP and messages: idle and absolute session expiry, the second factor, password age.
    "daiban.accounts.middleware.StaffGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A transaction the database ended because of another at the same moment: 409, try again.
    "daiban.lib.dbbusy.BusyMiddleware",
    # Last, as django-axes asks: turns a lockout flagged during the request into its answer.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username or client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "daiban.accounts.backends.NormalisedUsernameBackend",
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
                "daiban.lib.context.region",
            ],
        },
    },
]
# Every form's first invalid field gets autofocus after a refused submission (daiban/lib/forms.py).
FORM_RENDERER = "daiban.lib.forms.FormRenderer"

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

# Applied whenever a person sets a password (staff page, admin, createsuperuser, changepassword);
# the demo accounts keep `daiban-demo`, set by load_demo without validation.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "daiban.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "name", "email")}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Chinese only, whatever the browser's Accept-Language: no LocaleMiddleware, one language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese names for third-party models in the admin (django-tasks-db, django-axes): daiban/locale.
LOCALE_PATHS = [BASE_DIR / "daiban" / "locale"]
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
# Behind the TLS proxy: which header says the original request was HTTPS, e.g.
# DJANGO_SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO=https (set it only when the proxy sets that header).
_proxy_ssl = env_str("DJANGO_SECURE_PROXY_SSL_HEADER")
if _proxy_ssl:
    _header, _, _value = _proxy_ssl.partition("=")
    SECURE_PROXY_SSL_HEADER = (_header, _value or "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

# Staff sessions: idle timeout and absolute lifetime (daiban.accounts.middleware); the cookie itself
# dies with the browser and never outlives the absolute lifetime.
DAIBAN_SESSION_IDLE_MINUTES = env_int("DAIBAN_SESSION_IDLE_MINUTES", 30)
DAIBAN_SESSION_MAX_HOURS = env_int("DAIBAN_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = DAIBAN_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy (django-csp): every script is a static file of this site; no inline script,
# no inline event handler, no CDN. <style> elements only from files; style="" attributes are allowed
# because the chart and tooltip libraries set them (they cannot run script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

CACHES = {
    "default": (
        # KEY_PREFIX: several installations (or a test run) may share one Redis database.
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": env_str("DAIBAN_CACHE_PREFIX", "daiban")}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Logs: the console and rotating files under var/log/ (one per day, kept DAIBAN_LOG_RETENTION_DAYS,
# 180 by default: 《网络安全法》 Art. 21 asks for six months). concurrent-log-handler rotates safely with
# several gunicorn workers writing the same file. The mask filter is a safety net: an ID or phone
# number that slipped into a message is masked before it is written anywhere.
LOG_DIR = Path(env_str("DAIBAN_LOG_DIR", str(VAR_DIR / "log")))
DAIBAN_LOG_RETENTION_DAYS = env_int("DAIBAN_LOG_RETENTION_DAYS", 180)
LOG_DIR.mkdir(parents=True, exist_ok=True)
_file_handler = {
    "class": "concurrent_log_handler.ConcurrentTimedRotatingFileHandler",
    "when": "midnight", "backupCount": DAIBAN_LOG_RETENTION_DAYS, "encoding": "utf-8",
    "formatter": "plain", "filters": ["mask_personal_data"],
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "daiban.lib.logmask.MaskPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_data"]},
        "file": {**_file_handler, "filename": str(LOG_DIR / "daiban.log")},
        "security": {**_file_handler, "filename": str(LOG_DIR / "security.log")},
    },
    "root": {"handlers": ["console", "file"], "level": env_str("DAIBAN_LOG_LEVEL", "INFO")},
    # Request bodies carry personal data: never let Django log them.
    "loggers": {
        "django.request": {"handlers": ["console", "file"], "level": "ERROR", "propagate": False},
        # runserver's access lines carry query strings (?id_number=…): through the masking console too.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Logins, lockouts and the audit trail's own warnings also go to security.log.
        "axes": {"handlers": ["console", "file", "security"], "level": "WARNING", "propagate": False},
        "daiban.security": {"handlers": ["console", "file", "security"], "level": "INFO", "propagate": False},
        # The PDF libraries narrate every step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The background worker (petitions/events.py): what follows an event runs as a task. The database
# backend keeps the queue in our own database (SQLite by default, PostgreSQL in production, where
# several `db_worker` processes may run side by side); tests use the immediate backend.
TASKS = {
    "default": {
        "BACKEND": env_str("DAIBAN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Daiban ---------------------------------------------------------------------------------
# SM4 key (32 hex characters) for ID and phone numbers at rest; the keyed SM3 HMAC key for look-ups.
DAIBAN_DATA_KEY = secret("DAIBAN_DATA_KEY", PRODUCTION, _dev)
DAIBAN_LOOKUP_KEY = env_str("DAIBAN_LOOKUP_KEY") or (_dev or {}).get("DAIBAN_LOOKUP_KEY") or ""
# Petition numbers: PREFIX-YEAR-SEQUENCE, e.g. WS-2026-000123.
DAIBAN_NUMBER_PREFIX = env_str("DAIBAN_NUMBER_PREFIX", "WS")
# Similarity (0–1) above which two petitions of one petitioner are "the same matter".
# A calibrated probability (similarity.score); the threshold is chosen on cross-validated scores of
# the tuning part of tests/data/same_matter.jsonl (`python -m tests.data.corpus fit`).
DAIBAN_SAME_MATTER_THRESHOLD = env_float("DAIBAN_SAME_MATTER_THRESHOLD", 0.705)
# From this similarity up to the threshold above, the intake check marks an earlier petition
# 可能同一事项，请核对: complaints retold in other words often score there (README "Same matter").
DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD = env_float("DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD", 0.4)
# The check before registering tells whether an ID number is a known petitioner's: each account may
# make this many an hour (a busy intake day makes a few dozen), so nobody can sweep ID numbers with it.
DAIBAN_INTAKE_CHECKS_PER_HOUR = env_int("DAIBAN_INTAKE_CHECKS_PER_HOUR", 300, low=1, high=100_000)
# Searches of the list by ID number or phone, per account and hour (selectors.count_identity_search).
DAIBAN_IDENTITY_SEARCHES_PER_HOUR = env_int("DAIBAN_IDENTITY_SEARCHES_PER_HOUR", 120, low=1, high=100_000)
# Open petitions of other petitioners at the station on a similar matter (同一事项，多名信访人).
DAIBAN_SIMILAR_MATTER_THRESHOLD = env_float("DAIBAN_SIMILAR_MATTER_THRESHOLD", 0.33)
# API tokens live this many hours.
DAIBAN_TOKEN_HOURS = env_int("DAIBAN_TOKEN_HOURS", 12)
# Code of the station that receives petitions arriving without a station (hotline, platforms).
DAIBAN_DEFAULT_STATION = env_str("DAIBAN_DEFAULT_STATION", "bureau")
# Attachments: largest file accepted (bytes).
DAIBAN_ATTACHMENT_MAX_BYTES = env_int("DAIBAN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# The county (旗/县) the installation serves: the portal's title, the monthly report's fallback heading.
DAIBAN_REGION_NAME = env_str("DAIBAN_REGION_NAME", "乌审旗")
# The SMS signature (短信签名) registered with the carrier, printed 【…】 at the start of every SMS. Carriers
# take 2–12 characters; every SMS is kept within one segment (70 characters) with a 7-character signature
# (tests/test_round10_told.py), so a longer one may make a long message two segments.
DAIBAN_SMS_SIGNATURE = env_str("DAIBAN_SMS_SIGNATURE", f"{DAIBAN_REGION_NAME}信访代办")
if not 2 <= len(DAIBAN_SMS_SIGNATURE) <= 12 or any(c in DAIBAN_SMS_SIGNATURE for c in "【】[]\r\n"):
    raise ImproperlyConfigured("DAIBAN_SMS_SIGNATURE 短信签名应为2至12个字符，不含【】 (2-12 characters, no brackets)")
# The issuing organ printed on notices, the archive and the monthly report (a station's own address
# and phone, when set in the admin, take precedence on its notices).
DAIBAN_BUREAU_NAME = env_str("DAIBAN_BUREAU_NAME", "乌审旗自然资源局")
DAIBAN_BUREAU_ADDRESS = env_str("DAIBAN_BUREAU_ADDRESS", "内蒙古自治区鄂尔多斯市乌审旗嘎鲁图镇")
DAIBAN_BUREAU_PHONE = env_str("DAIBAN_BUREAU_PHONE", "0477-7612345")
# The organs that decide a 复查 and a 复核 (《信访工作条例》第三十五条: the original organ's higher organ,
# then the reviewing organ's): the signature and 责任者 of the 复查意见书 and 复核意见书. Blank 复查: the
# center station's name (the center decides reviews here); blank 复核: 鄂尔多斯市自然资源局.
DAIBAN_REVIEW_ORGAN_NAME = env_str("DAIBAN_REVIEW_ORGAN_NAME", "")
DAIBAN_RE_REVIEW_ORGAN_NAME = env_str("DAIBAN_RE_REVIEW_ORGAN_NAME", "鄂尔多斯市自然资源局")
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
# Public portal limits (per client address; IPv6 per /64), each counted in any hour: 1 to 100,000.
DAIBAN_PUBLIC_SUBMIT_PER_HOUR = env_int("DAIBAN_PUBLIC_SUBMIT_PER_HOUR", 10, low=1, high=100_000)
DAIBAN_PUBLIC_CAPTCHA_AFTER = env_int("DAIBAN_PUBLIC_CAPTCHA_AFTER", 2)
DAIBAN_PUBLIC_TRACK_PER_HOUR = env_int("DAIBAN_PUBLIC_TRACK_PER_HOUR", 60, low=1, high=100_000)
DAIBAN_PUBLIC_WRONG_CODES = env_int("DAIBAN_PUBLIC_WRONG_CODES", 5, low=1, high=100_000)
# First and last year the calendar seeding covers.
DAIBAN_CALENDAR_FIRST_YEAR = env_int("DAIBAN_CALENDAR_FIRST_YEAR", 2020)
DAIBAN_CALENDAR_YEARS_AHEAD = env_int("DAIBAN_CALENDAR_YEARS_AHEAD", 2)

# --- Staff accounts (issue 10, 等保 2.0 level 3) -------------------------------------------------
# Login failures (django-axes): an account is locked after this many failures within the cool-off,
# for that many minutes; a client address after DAIBAN_LOGIN_CLIENT_FAILURE_LIMIT failures over
# any usernames (an office behind one NAT address should not lock itself out after five typos).
DAIBAN_LOGIN_FAILURE_LIMIT = env_int("DAIBAN_LOGIN_FAILURE_LIMIT", 5)
DAIBAN_LOGIN_COOLOFF_MINUTES = env_int("DAIBAN_LOGIN_COOLOFF_MINUTES", 15)
DAIBAN_LOGIN_CLIENT_FAILURE_LIMIT = env_int("DAIBAN_LOGIN_CLIENT_FAILURE_LIMIT", 20)
AXES_FAILURE_LIMIT = DAIBAN_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=DAIBAN_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "daiban.accounts.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "daiban.accounts.lockout.axes_username"
AXES_CLIENT_IP_CALLABLE = "daiban.accounts.lockout.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "daiban.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A try during the lockout does not extend it: the time the user is told stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Successful logins and failures are rows of the audit trail; axes keeps only its counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Second factor (django-otp, TOTP with backup codes): required for these roles, optional for others.
DAIBAN_OTP_REQUIRED_ROLES = [r for r in (env_str("DAIBAN_OTP_REQUIRED_ROLES", "admin,center") or "").split(",") if r]
# Demo accounts sign in without a second factor unless DEMO_OTP=1 (never in production).
DEMO_OTP = env_bool("DEMO_OTP", False)
OTP_TOTP_ISSUER = env_str("DAIBAN_OTP_ISSUER", "信访代办")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passwords older than this many days must be changed at the next sign-in (0: no maximum age).
DAIBAN_PASSWORD_MAX_AGE_DAYS = env_int("DAIBAN_PASSWORD_MAX_AGE_DAYS", 0)
# Portal CAPTCHA (django-simple-captcha): a distorted raster image of digits, one try, valid 30 minutes:
# a complaint typed slowly on a phone, or five photos sent over a slow line, take longer than 5.
CAPTCHA_CHALLENGE_FUNCT = "daiban.portal.captcha.digits_challenge"
CAPTCHA_LENGTH = 4
CAPTCHA_FONT_SIZE = 30
CAPTCHA_IMAGE_SIZE = (132, 48)
CAPTCHA_LETTER_ROTATION = (-30, 30)
CAPTCHA_TIMEOUT = 30
