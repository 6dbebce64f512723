"""Settings, all from the environment (django-environ).

`SHEQUTONG_MODE` is `production` unless said otherwise. Only `demo` and `test` have usable
defaults for secrets: a production process without real keys refuses to start, and
`shequtong check-deploy` lists what a deployment still lacks.
"""

import re
from pathlib import Path

import environ
from huey import RedisHuey, SqliteHuey

BASE_DIR = Path(__file__).resolve().parent
env = environ.Env()

MODE = env.str("SHEQUTONG_MODE", default="production")
if MODE not in {"production", "demo", "test"}:
    raise environ.ImproperlyConfigured(
        f"SHEQUTONG_MODE 只能是 production、demo 或 test，而不是 {MODE!r}"
    )
INSECURE_MODE = MODE in {"demo", "test"}

# Working directory for the embedded default: the SQLite file and uploaded media.
VAR_DIR = Path(env.str("SHEQUTONG_VAR_DIR", default=str(Path.cwd() / "var")))

# Well-known values, so that check-deploy can tell a demo secret from a real one.
DEMO_SECRET_KEY = "demo-only-secret-key-never-use-in-production-0123456789abcdef"  # noqa: S105
DEMO_DATA_KEYS = "demo:ZGVtby1vbmx5LWRhdGEta2V5LTMyLWJ5dGVzLWxvbmc="
DEMO_HMAC_KEY = "demo-only-hmac-key-never-use-in-production"
DEMO_AUDIT_KEYS = "demo:ZGVtby1vbmx5LWF1ZGl0LWtleS0zMi1ieXRlcy1sb24="


def _secret(name: str, demo_value: str) -> str:
    if INSECURE_MODE:
        return env.str(name, default=demo_value)
    return env.str(name)


SECRET_KEY = _secret("DJANGO_SECRET_KEY", DEMO_SECRET_KEY)
# Personal-data vault: "kid:base64key,kid2:base64key"; the first key encrypts, all decrypt.
SHEQUTONG_DATA_KEYS = _secret("SHEQUTONG_DATA_KEYS", DEMO_DATA_KEYS)
# Keyed hash for exact lookup and de-duplication of ID and phone numbers.
SHEQUTONG_HMAC_KEY = _secret("SHEQUTONG_HMAC_KEY", DEMO_HMAC_KEY)
# Audit-log seal: "kid:base64key,…" like the data keys, the first seals, all verify. Kept out
# of the database so that whoever can rewrite its rows cannot recompute the chain.
SHEQUTONG_AUDIT_KEYS = _secret("SHEQUTONG_AUDIT_KEYS", DEMO_AUDIT_KEYS)
# Days audit entries are kept before `shequtong audit prune` may remove them: 网络安全法 art. 21
# asks for at least six months of logs.
SHEQUTONG_AUDIT_RETENTION_DAYS = env.int("SHEQUTONG_AUDIT_RETENTION_DAYS", default=366)
# Entries are sealed after their transaction commits: by a thread of the process, or (tests)
# at once in the committing thread.
SHEQUTONG_AUDIT_SEAL_INLINE = env.bool("SHEQUTONG_AUDIT_SEAL_INLINE", default=MODE == "test")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if INSECURE_MODE else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "shequtong.web.views.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "template_partials",
    # Serves Swagger UI from its own static files (no CDN) at /api/v1/docs.
    "ninja",
    # The task worker (`shequtong worker`); each app's tasks are in its tasks.py.
    "huey.contrib.djhuey",
    "shequtong.core",
    "shequtong.registry",
    "shequtong.cases",
    "shequtong.care",
    "shequtong.ledger",
    "shequtong.accounts",
    "shequtong.volunteering",
    "shequtong.deliberation",
    "shequtong.notices",
    "shequtong.surveys",
    "shequtong.covenants",
    "shequtong.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, which answers static files itself (those may be cached).
    "shequtong.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF reads the form: no NUL in any field, no body past the limit, named.
    "shequtong.core.middleware.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shequtong.web.middleware.DomainErrorMiddleware",
    "shequtong.web.middleware.ConsoleForStaffMiddleware",
    "shequtong.core.middleware.RequestContextMiddleware",
    "shequtong.core.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks, so it sees every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shequtong.urls"
WSGI_APPLICATION = "shequtong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shequtong.web.context_processors.console",
            ],
        },
    }
]

# SQLite in WAL mode under ./var/ by default; PostgreSQL (or a compatible database) by URL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'shequtong.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue instead of failing: IMMEDIATE takes the write lock at BEGIN, so a
        # read-then-write transaction can never deadlock on the lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    # Persistent connections: ~10x the throughput of a connection per request (ARCHITECTURE.md).
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if MODE == "test":
    # Argon2 is deliberately slow; the suite creates thousands of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
# Where a resident portal page (/m/…) sends someone not signed in: phone and one-time code.
SHEQUTONG_RESIDENT_LOGIN_URL = "accounts:m_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Lockout after repeated failures (django-axes): an account at one address, and one address
# across every account it tries (password spraying), each with its own limit (core/lockout.py).
AXES_FAILURE_LIMIT = env.int("SHEQUTONG_LOGIN_FAILURE_LIMIT", default=5)
SHEQUTONG_LOGIN_IP_FAILURE_LIMIT = env.int("SHEQUTONG_LOGIN_IP_FAILURE_LIMIT", default=15)
AXES_COOLOFF_TIME = env.float("SHEQUTONG_LOGIN_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "shequtong.core.lockout.LoginLockout"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shequtong.web.views.auth.lockout_response"
AXES_VERBOSE = False

# Two-factor (TOTP) for administrative roles, when the deployment turns it on.
SHEQUTONG_REQUIRE_2FA = env.bool("SHEQUTONG_REQUIRE_2FA", default=not INSECURE_MODE)
OTP_TOTP_ISSUER = "社区通"

# Session hardening: short-lived, HTTP-only, same-site; secure cookies behind HTTPS.
SESSION_COOKIE_AGE = env.int("SHEQUTONG_SESSION_SECONDS", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "shequtong_session"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SHEQUTONG_HTTPS", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SHEQUTONG_HSTS_SECONDS", default=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL_REDIRECT else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A base map under the boundary maps: an XYZ tile URL on the intranet (a 天地图 or GeoServer
# mirror, e.g. https://tiles.gov.local/{z}/{x}/{y}.png). Unset, maps draw the boundaries and
# their names on a plain ground; nothing is fetched from outside.
SHEQUTONG_MAP_TILES = env.str("SHEQUTONG_MAP_TILES", default="")
_TILE_ORIGIN = re.match(r"https?://[^/{}]+", SHEQUTONG_MAP_TILES)
# Self only: every script, style, font and image is served by the platform itself (the tile
# server above excepted), no inline script or style is left in a template, and Leaflet draws
# from data: and blob: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *([_TILE_ORIGIN[0]] if _TILE_ORIGIN else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The interactive API docs and the OpenAPI document without login: on in demo and test; in
# production they need a staff login unless published on purpose.
SHEQUTONG_PUBLISH_API_DOCS = env.bool("SHEQUTONG_PUBLISH_API_DOCS", default=INSECURE_MODE)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("SHEQUTONG_STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up without it
MEDIA_URL = "/media/"
# Uploaded and generated files are the platform's alone: not readable by other local users.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
MEDIA_ROOT = Path(env.str("SHEQUTONG_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`, which only a production install runs;
        # demo and test serve the package's files directly (WHITENOISE_USE_FINDERS).
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if MODE == "production" and not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = MODE != "production"

# Ledger imports: the largest upload the console takes (the CLI has no limit).
SHEQUTONG_UPLOAD_MAX_MB = env.int("SHEQUTONG_UPLOAD_MAX_MB", default=50)
# Days an uploaded ledger (encrypted) is kept after its import ends, for the rejected-rows
# workbook; `shequtong import purge` deletes older ones (0: as soon as the import ends).
SHEQUTONG_UPLOAD_RETENTION_DAYS = env.int("SHEQUTONG_UPLOAD_RETENTION_DAYS", default=30)
# What a ledger may hold once unpacked: a 1 MB .xlsx can hold 400 MB of sheet XML, so the upload
# limit alone bounds nothing. Checked before the sheet is decoded (registry.importing.readers).
SHEQUTONG_IMPORT_MAX_ROWS = env.int("SHEQUTONG_IMPORT_MAX_ROWS", default=50_000)
SHEQUTONG_IMPORT_MAX_UNPACKED_MB = env.int("SHEQUTONG_IMPORT_MAX_UNPACKED_MB", default=200)
# An import job whose worker has not reported for this long is shown as interrupted, with a
# button to resume it (its worker was killed or the server restarted).
SHEQUTONG_IMPORT_STALE_SECONDS = env.int("SHEQUTONG_IMPORT_STALE_SECONDS", default=120)
SHEQUTONG_IMPORT_BATCH = env.int("SHEQUTONG_IMPORT_BATCH", default=1000)

# Background and periodic work (imports, the case and care sweeps, alarm follow-ups) runs on
# one task worker, `shequtong worker` (Huey). Its queue lives in a SQLite file beside the data
# on the embedded default, or in Redis (`redis://127.0.0.1:6379/0`) where several servers
# share the work. In test mode tasks run inline unless a test starts a real worker.
SHEQUTONG_TASK_QUEUE = env.str("SHEQUTONG_TASK_QUEUE", default="")
SHEQUTONG_WORKER_THREADS = env.int("SHEQUTONG_WORKER_THREADS", default=2)
if SHEQUTONG_TASK_QUEUE.startswith(("redis://", "rediss://")):
    HUEY = RedisHuey("shequtong", url=SHEQUTONG_TASK_QUEUE, immediate=MODE == "test")
else:
    HUEY = SqliteHuey(
        "shequtong",
        filename=SHEQUTONG_TASK_QUEUE.removeprefix("sqlite:///") or str(VAR_DIR / "tasks.sqlite3"),
        immediate=MODE == "test",
    )

# Cases (事件处置): photo uploads, the radius and window in which a new report is offered as a
# duplicate of an open case, the days a resident may reopen a resolved case by rating it
# unsatisfied, and the working days a summoned department has to report in.
SHEQUTONG_PHOTO_MAX_MB = env.int("SHEQUTONG_PHOTO_MAX_MB", default=10)
SHEQUTONG_PHOTOS_PER_CASE = env.int("SHEQUTONG_PHOTOS_PER_CASE", default=9)
SHEQUTONG_DUPLICATE_RADIUS_M = env.int("SHEQUTONG_DUPLICATE_RADIUS_M", default=250)
SHEQUTONG_DUPLICATE_WINDOW_DAYS = env.int("SHEQUTONG_DUPLICATE_WINDOW_DAYS", default=7)
SHEQUTONG_REOPEN_DAYS = env.int("SHEQUTONG_REOPEN_DAYS", default=7)
SHEQUTONG_SUMMONS_RESPONSE_DAYS = env.int("SHEQUTONG_SUMMONS_RESPONSE_DAYS", default=1)
# Seconds a process keeps the category tree (tests read it afresh: rows come and go).
# Seconds a worker process keeps reference data (core.reference) changed in another process.
SHEQUTONG_REFERENCE_TTL = env.int("SHEQUTONG_REFERENCE_TTL", default=60)

# Extra font directories for PDFs (a Chinese font must be installed or named here).
SHEQUTONG_FONT_DIRS = env.list("SHEQUTONG_FONT_DIRS", default=[])

# The MQTT broker devices publish to (`shequtong care ingest-mqtt` subscribes).
SHEQUTONG_MQTT_URL = env.str("SHEQUTONG_MQTT_URL", default="mqtt://127.0.0.1:1883")
# Elderly care: days raw device readings are kept; the daytime hours in which "no activity"
# counts (local time, start and end hour); the subsidy per completed home-service order
# (yuan, by service) and the most one person receives in a calendar month.
SHEQUTONG_CARE_READING_DAYS = env.int("SHEQUTONG_CARE_READING_DAYS", default=90)
# Messages one device may send at once over MQTT, and per second after that (per topic): a
# wristband sends one a minute; a broken one flooding the broker is cut off, the rest are not.
SHEQUTONG_CARE_DEVICE_BURST = env.int("SHEQUTONG_CARE_DEVICE_BURST", default=30)
SHEQUTONG_CARE_DEVICE_RATE = env.float("SHEQUTONG_CARE_DEVICE_RATE", default=1.0)
SHEQUTONG_CARE_DAYTIME = tuple(env.list("SHEQUTONG_CARE_DAYTIME", cast=int, default=[7, 21]))
SHEQUTONG_CARE_SUBSIDY = env.dict(
    "SHEQUTONG_CARE_SUBSIDY",
    cast={"value": int},
    default={"meal": 5, "cleaning": 30, "emergency": 20, "bath": 40, "medical": 30, "mobility": 20},
)
SHEQUTONG_CARE_SUBSIDY_MONTHLY_CAP = env.int("SHEQUTONG_CARE_SUBSIDY_MONTHLY_CAP", default=300)

# Where messages go besides the in-app inbox (dotted paths of core.notify channels).
SHEQUTONG_NOTIFY_CHANNELS = env.list("SHEQUTONG_NOTIFY_CHANNELS", default=[])
# Sends residents' one-time sign-in codes; the built-in one writes them to the log (the demo).
SHEQUTONG_SMS_GATEWAY = env.str(
    "SHEQUTONG_SMS_GATEWAY", default="shequtong.accounts.services.LoggingSmsGateway"
)

# Volunteering (issue 13): star levels at these cumulative hours (民政部 default), 爱心币 per
# hour served, the age from which banked time may be spent, the largest single transfer.
SHEQUTONG_STAR_HOURS = tuple(
    env.list("SHEQUTONG_STAR_HOURS", cast=int, default=[100, 300, 600, 1000, 1500])
)
SHEQUTONG_COINS_PER_HOUR = env.int("SHEQUTONG_COINS_PER_HOUR", default=10)
SHEQUTONG_TIMEBANK_WITHDRAW_AGE = env.int("SHEQUTONG_TIMEBANK_WITHDRAW_AGE", default=60)
SHEQUTONG_TIMEBANK_TRANSFER_CAP = env.int("SHEQUTONG_TIMEBANK_TRANSFER_CAP", default=100 * 60)
# 爱心币 earned by a 随手拍 report the community found valid (closed as handled), and how long
# coins last: those credited more than this many days ago and not spent lapse (0: never).
SHEQUTONG_COINS_PER_VALID_REPORT = env.int("SHEQUTONG_COINS_PER_VALID_REPORT", default=2)
SHEQUTONG_COINS_VALID_DAYS = env.int("SHEQUTONG_COINS_VALID_DAYS", default=730)
# 红黑榜: the 公示 period, and how long a published entry stays on the list, per list.
SHEQUTONG_HONOUR_NOTICE_DAYS = env.int("SHEQUTONG_HONOUR_NOTICE_DAYS", default=7)
SHEQUTONG_HONOUR_VALID_DAYS = {"red": 365, "family": 365, "black": 180}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("SHEQUTONG_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
