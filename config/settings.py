"""Suara settings: one module, read from the environment.

With nothing set and DEBUG=true the platform runs on embedded defaults (SQLite, Celery
tasks in-process, mail to the console through the MAILERS setting). Production sets DEBUG=false, SECRET_KEY,
DATABASE_URL, REDIS_URL and ALLOWED_HOSTS; `manage.py check --deploy` is then clean.
"""

from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

if DEBUG:
    # Only for the demo and development: never used when DEBUG is off.
    SECRET_KEY = env_str("SECRET_KEY", "insecure-demo-key-do-not-use-in-production")
else:
    SECRET_KEY = env_str("SECRET_KEY", "")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "modeltranslation",  # must come before the admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes
    "accounts",
    "consult",
    "feedback",
    "outcomes",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite for the demo, PostgreSQL everywhere else.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5
    )
else:
    # The results indexes' INCLUDE columns are PostgreSQL's; the demo does without them.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker for Celery and shared cache. Without it, tasks run in-process.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "suara",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while an address is locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Staff sign-in throttling (django-axes): 5 failures for one email from one address lock
# that pair out for an hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form calls the email field "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_PROXY", False) else None
# Two-factor sign-in (TOTP): required for owners, available to every member of staff.
OTP_TOTP_ISSUER = "Suara"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages. A language Django does not know is added here and in EXTRA_LANG_INFO,
# with its catalogue in locale/: no code changes.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ms", "Bahasa Melayu"),
    ("zh-hans", "简体中文"),
    ("ta", "தமிழ்"),
    ("ar", "العربية"),
    ("fr", "Français"),
    ("es", "Español"),
]
EXTRA_LANG_INFO: dict[str, dict[str, object]] = {}
LANG_INFO.update(EXTRA_LANG_INFO)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)

# Static files, served by WhiteNoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Mail: console for the demo; SMTP or a django-anymail backend in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "timeout": env_int("EMAIL_TIMEOUT", 10),
}
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
del EMAIL_BACKEND  # Django 6.1 refuses the old EMAIL_* settings beside MAILERS.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Suara <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS: console in the demo; an HTTP gateway (JSON POST with a bearer token) when its URL is
# set. SMS_BACKEND names any class with `send(*, to, text, reference) -> provider id`.
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "notifications.channels.HttpSmsBackend"
    if SMS_GATEWAY_URL
    else "notifications.channels.ConsoleSmsBackend",
)

# Notifications: the outbox and its delivery (notifications/README.md).
NOTIFICATIONS_FAN_OUT_BATCH = env_int("NOTIFICATIONS_FAN_OUT_BATCH", 1000)  # recipients/step
NOTIFICATIONS_INSERT_BATCH = env_int("NOTIFICATIONS_INSERT_BATCH", 1000)  # rows per INSERT
# Longer than the hard task time limit, so a live worker never loses a message it is sending.
NOTIFICATIONS_CLAIM_TIMEOUT = env_int(
    "NOTIFICATIONS_CLAIM_TIMEOUT", env_int("CELERY_TASK_TIME_LIMIT", 300) + 60
)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6)
NOTIFICATIONS_SWEEP_AFTER = env_int("NOTIFICATIONS_SWEEP_AFTER", 60)  # seconds
NOTIFICATIONS_SWEEP_LIMIT = env_int("NOTIFICATIONS_SWEEP_LIMIT", 20000)  # messages per sweep
NOTIFICATIONS_SMS_MAX_SEGMENTS = env_int("NOTIFICATIONS_SMS_MAX_SEGMENTS", 3)
NOTIFICATIONS_UNSUBSCRIBE_MAILTO = env_str("NOTIFICATIONS_UNSUBSCRIBE_MAILTO", "")
# Per channel: messages per delivery task, and a Celery rate limit on those tasks per
# worker (e.g. "2/s"; empty for none).
NOTIFICATIONS_CHANNELS = {
    "email": {
        "batch": env_int("NOTIFICATIONS_EMAIL_BATCH", 100),
        "rate_limit": env_str("NOTIFICATIONS_EMAIL_RATE_LIMIT", ""),
    },
    "sms": {
        "batch": env_int("NOTIFICATIONS_SMS_BATCH", 10),
        "rate_limit": env_str("NOTIFICATIONS_SMS_RATE_LIMIT", "2/s"),
    },
}

# Celery
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "consult-advance-lifecycle": {"task": "consult.advance_lifecycle", "schedule": 30.0},
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 30.0},
    "outcomes-jobs-sweep": {"task": "outcomes.jobs_sweep", "schedule": 60.0},
    "outcomes-follow-up-surveys": {"task": "outcomes.follow_up_surveys_start", "schedule": 3600.0},
    "outcomes-contact-details-purge": {
        "task": "outcomes.contact_details_purge",
        "schedule": 3600.0,
    },
}

# REST framework and the OpenAPI schema
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only: the browsable API's inline script would break our Content Security Policy.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Scoped throttles; partner apps are counted per API token (feedback/api.py).
    "DEFAULT_THROTTLE_RATES": {
        "submissions": env_str("API_SUBMISSIONS_RATE", "600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Suara API",
    "DESCRIPTION": "Read and submit to public consultations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.add_error_responses",
    ],
}

# Security. HTTPS settings follow DEBUG unless the deployment says otherwise.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# A public consultation's page, as visitors without a session see it, is rendered once per
# version of the consultation and language and kept this long (seconds; 0: never kept).
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 300)

# Long jobs (outcomes/jobs.py): seconds a job may wait after its task was published (or
# failed to be) before beat's sweep publishes it again.
JOBS_SWEEP_AFTER = env_int("JOBS_SWEEP_AFTER", 300)

# Privacy: published statistics hide groups smaller than this.
SUPPRESSION_THRESHOLD = env_int("SUPPRESSION_THRESHOLD", 5)
# The follow-up survey stays open this many days; contact details are purged this many
# days after it closes (opinions stay, and stay counted).
FOLLOW_UP_SURVEY_DAYS = env_int("FOLLOW_UP_SURVEY_DAYS", 30)
CONTACT_RETENTION_DAYS = env_int("CONTACT_RETENTION_DAYS", 30)

# Citizen form abuse guards (feedback/abuse.py): responses started or sent per address and
# per consultation within the window; signed-in facilitators are never limited.
FEEDBACK_RATE_LIMITS = {
    "per_address": env_int("FEEDBACK_RATE_PER_ADDRESS", 30),
    "per_consultation": env_int("FEEDBACK_RATE_PER_CONSULTATION", 3000),
    "window": env_int("FEEDBACK_RATE_WINDOW_SECONDS", 600),
}
FEEDBACK_MAX_REQUEST_BYTES = env_int("FEEDBACK_MAX_REQUEST_MB", 30) * 1024 * 1024
# How long a web process reuses, for the submissions API, a partner key it has checked, the
# consultation it posts to and that consultation's questions (seconds; feedback.queries.recently).
API_REUSE_SECONDS = 5

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; failures and lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
