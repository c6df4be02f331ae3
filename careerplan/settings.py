"""careerplan settings: one module for every environment, configured from the environment.

Defaults give the embedded mode (SQLite, a filesystem Celery broker, email to the console and
to files) so that `make run` needs nothing but Python. Operators point DATABASE_URL,
CELERY_BROKER_URL, CACHE_URL and EMAIL_URL at real services. Production (DJANGO_DEBUG false,
the default) refuses to start without DJANGO_SECRET_KEY.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env("CAREERPLAN_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

PRODUCTION_CONFIG_ERROR = (
    "DJANGO_SECRET_KEY is not set. It is required when DJANGO_DEBUG is false (production): "
    "set it to a long random string, e.g. "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
)
if DEBUG:
    SECRET_KEY = env(
        "DJANGO_SECRET_KEY", default="insecure-development-key-never-use-in-production"
    )
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(PRODUCTION_CONFIG_ERROR)

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # third party
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "corsheaders",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.headless",
    # ours
    "accounts",
    "roles",
    "plans",
    "pathfinder",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "careerplan.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "careerplan.api.middleware.RejectNulCharactersMiddleware",
    "careerplan.api.middleware.AllauthDocumentTooDeepMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RateLimitRetryAfterMiddleware",
]

ROOT_URLCONF = "careerplan.urls"
WSGI_APPLICATION = "careerplan.wsgi.application"
ASGI_APPLICATION = "careerplan.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # project-level overrides (drf-spectacular's Redoc page without third-party fonts)
        "DIRS": [BASE_DIR / "careerplan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers run beside one writer, and
    # IMMEDIATE transactions make a writer wait (up to `timeout`) instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif env.bool("DATABASE_POOL", default=False):
    # psycopg 3's pool inside each process (Django >= 5.1); no persistent connections then.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Persistent connections: one per gunicorn worker process, checked before reuse.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling counters, catalogue cache) ------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://careerplan")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Fails open: a Redis outage costs rate limiting and cached payloads, never a request.
    CACHES["default"]["BACKEND"] = "careerplan.cache.FailOpenRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 1, "socket_timeout": 1}
    )
# Sessions (the app client's X-Session-Token is a session key): read through the cache when it
# is shared by every process (Redis), so an API request costs no session query; written to both,
# so a Redis outage or flush only costs a database read. With the per-process default cache a
# sign-out in one worker would not reach the others' copies, so sessions stay in the database.
SHARED_CACHE = CACHES["default"]["BACKEND"] == "careerplan.cache.FailOpenRedisCache"
SESSION_ENGINE = (
    "accounts.sessions"  # cached_db, each cached copy kept at most 10 minutes
    if SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, reading the session's user with a compiled query.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth (headless: JSON endpoints for app and browser clients, no HTML pages).
# Email is the login; there are no usernames.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"  # adds an optional display_name
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# One address per account (it is the login): changing it adds the new address, which replaces
# the old one once verified (POST /_allauth/{app,browser}/v1/account/email).
ACCOUNT_CHANGE_EMAIL = True
# "optional" (default) lets `make run` work without a mail server; "mandatory" refuses sign-in
# until the address is verified; "none" sends no verification email.
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
if ACCOUNT_EMAIL_VERIFICATION not in ("none", "optional", "mandatory"):
    raise ImproperlyConfigured(
        f"ACCOUNT_EMAIL_VERIFICATION must be none, optional or mandatory, "
        f"not {ACCOUNT_EMAIL_VERIFICATION!r}."
    )
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
# Posting the emailed key signs in only the session that is waiting for it (the one that just
# gave the password); the key alone, e.g. from another device, verifies without signing in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Tell the owner by email when their password or email address changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
SITE_NAME = env("SITE_NAME", default="careerplan")  # how account emails name the product
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Limits on the sign-in / sign-up / password-reset endpoints, kept in CACHES["default"] (Redis
# in production via CACHE_URL, so every web process shares the counters). "ip" limits are per
# client address, "key" limits per account (the email address). Refused requests get 429 with
# Retry-After (accounts.adapters, accounts.middleware).
ACCOUNT_RATE_LIMITS = {
    "login": env("RATE_LIMIT_LOGIN", default="30/m/ip"),
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": env("RATE_LIMIT_SIGNUP", default="20/m/ip"),
    "reset_password": env("RATE_LIMIT_RESET_PASSWORD", default="20/m/ip,5/m/key"),
    "reset_password_from_key": env("RATE_LIMIT_RESET_PASSWORD_FROM_KEY", default="20/m/ip"),
    "confirm_email": "1/3m/key",
}
# Client addresses for the per-IP limits (allauth and DRF alike): behind N proxies that append
# to X-Forwarded-For, set TRUSTED_PROXY_COUNT=N; otherwise REMOTE_ADDR is used and the header is
# ignored (it can be forged).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
HEADLESS_ONLY = True
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_TOKEN_STRATEGY = "accounts.authentication.SessionTokenStrategy"  # noqa: S105 - a class path
# allauth's own OpenAPI description of /_allauth/ at /_allauth/openapi.{json,yaml,html}.
HEADLESS_SERVE_SPECIFICATION = env.bool("HEADLESS_SERVE_SPECIFICATION", default=DEBUG)
FRONTEND_URL = env("FRONTEND_URL", default="http://localhost:3000").rstrip("/")
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{FRONTEND_URL}/account/verify-email/{{key}}",
    "account_reset_password": f"{FRONTEND_URL}/account/password/reset",
    "account_reset_password_from_key": f"{FRONTEND_URL}/account/password/reset/key/{{key}}",
    "account_signup": f"{FRONTEND_URL}/account/signup",
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="careerplan <noreply@careerplan.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = VAR_DIR / "mail"
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "careerplan.mail.ConsoleAndFileEmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- CORS -----------------------------------------------------------------------------------
# Only the configured origins (exact scheme://host[:port]) may call the API from a browser;
# never every origin, since credentials (cookies) are allowed.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_ALL_ORIGINS = False
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-csrftoken",
    "x-requested-with",
    "x-session-token",
)
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "Location"]

# --- Django REST framework ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        # orjson: the same JSON as DRF's renderer, several times faster on large bodies.
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PARSER_CLASSES": ["careerplan.api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.SessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "careerplan.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ("v1",),
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "careerplan.api.search.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's anon/user scopes, counted in fixed windows (one Redis round trip per request).
        "careerplan.api.throttling.AnonRateThrottle",
        "careerplan.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_RATE_ANON", default="600/minute"),
        "user": env("THROTTLE_RATE_USER", default="1200/minute"),
        "account_delete": env("THROTTLE_RATE_ACCOUNT_DELETE", default="5/hour"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # 0: REMOTE_ADDR, never a forgeable X-Forwarded-For
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "careerplan.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "careerplan.api.errors.ProblemExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "careerplan.api.errors.ProblemFormatter",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "ERROR_SCHEMAS": {
        status: "careerplan.api.errors.ProblemSerializer"
        for status in ("400", "401", "403", "404", "405", "406", "412", "415", "429", "500")
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "careerplan API",
    "DESCRIPTION": (
        "Plan a career as a medical coder, medical biller or hybrid coder-biller: a sourced "
        "catalogue of roles, certifications, training paths and salaries, and personal plans "
        "with costs, schedules and reminders. Errors are RFC 9457 problem details."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc assets are served locally (works offline, no third-party CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "plans.models.Plan.Status",
        "PlanItemKindEnum": "plans.models.PlanItem.ItemKind",
        "PlanItemStatusEnum": "plans.models.PlanItem.Status",
        "DurationUnitEnum": "plans.models.PlanItem.DurationUnit",
        "MilestoneKindEnum": "plans.models.Milestone.MilestoneKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "careerplan.api.schema.problem_media_type_hook",
    ],
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    # Embedded broker: messages are files under var/celery, so no server is needed.
    _broker_dir = VAR_DIR / "celery" / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
        # Tasks are short; an unacknowledged message is redelivered after this many seconds.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
CELERY_RESULT_BACKEND = env(
    "CELERY_RESULT_BACKEND", default=f"file://{(VAR_DIR / 'celery' / 'results').as_posix()}"
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    (VAR_DIR / "celery" / "results").mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True  # tasks that return something useful opt in
CELERY_RESULT_EXPIRES = 3600
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # short tasks, acks_late: never hoard messages
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_IMPORTS = ["careerplan.tasks"]  # project-level tasks (apps are autodiscovered)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic jobs live in the database (plans migration 0003 installs them): admins see and
# change them under "Periodic tasks" in /admin/; beat picks changes up without a restart.
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Reminders -------------------------------------------------------------------------------
REMINDER_SEND_HOUR = env.int("REMINDER_SEND_HOUR", default=9)  # local hour in the user's zone
REMINDER_MILESTONE_OFFSETS = env.list("REMINDER_MILESTONE_OFFSETS", cast=int, default=[0])
REMINDER_CATCH_UP_HOURS = env.int("REMINDER_CATCH_UP_HOURS", default=24)
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=500)
REMINDER_SCAN_LIMIT = env.int("REMINDER_SCAN_LIMIT", default=10_000)
REMINDER_LEASE_SECONDS = env.int("REMINDER_LEASE_SECONDS", default=900)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=8)
REMINDER_RETRY_BASE_SECONDS = env.int("REMINDER_RETRY_BASE_SECONDS", default=60)
REMINDER_RETRY_CAP_SECONDS = env.int("REMINDER_RETRY_CAP_SECONDS", default=3600)
# Absolute links in emails and calendar URLs point here.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Security (production defaults; DEBUG relaxes nothing the tests rely on) -----------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# CSRF_COOKIE_HTTPONLY stays False: allauth's browser client reads `csrftoken` to send it back.
# Content-Security-Policy (careerplan.security): HTML pages may load only our own files; API
# bodies may load nothing. Override with the whole policy string, or "" to send none.
CSP_PAGE_POLICY = env(
    "CSP_PAGE_POLICY",
    default="; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    ),
)
CSP_API_POLICY = env("CSP_API_POLICY", default="default-src 'none'; frame-ancestors 'none'")
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

PORT = env.int("PORT", default=8000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
