"""Settings, read from the environment.

With nothing set, the project runs embedded: DEBUG on, SQLite under var/, Celery tasks run
in-process, mail printed to the console (and kept in the outbox table), a local-memory cache.
Setting DATABASE_URL, CELERY_BROKER_URL, CACHE_URL and EMAIL_URL switches to PostgreSQL, Redis
and SMTP, which is what production and CI use.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
# Rotating the key: the new one in SECRET_KEY, the old ones here (comma-separated) until the
# links and sessions they signed may lapse. Our signed links accept them too.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Empty: links in mail follow the address each request was made to (config/site_url.py).
SITE_URL = env.str("SITE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "config.apps.AdminConfig",  # Django's admin with our site class (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "csp",
    "axes",
    "outbox",
    "accounts",
    "workshops",
    "schedule",
    "registration",
    "submissions",
    "demo",
]

MIDDLEWARE = [
    # First: answers /healthz before ALLOWED_HOSTS or the HTTPS redirect can turn probes away.
    "config.health.HealthCheckMiddleware",
    "config.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what is not stored compressed already (with its BREACH padding): the stored
    # schedule pages and exports carry their own gzip (schedule.serving).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # The address this request was made to, for the links of the mail it writes.
    "config.site_url.SiteUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A dropped database connection in a view: 503 "try again", not a 500.
    "config.database_unavailable.DatabaseUnavailableMiddleware",
    # Last: turns a refused login (too many failures) into the lockout page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "submissions.context_processors.reviewing",
            ],
        },
    },
    {
        # Mail subjects and plain-text bodies (outbox.mail.render_mail): text, not HTML, so
        # nothing is escaped (a subject read “Tom&#x27;s” when it was).
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Databases: SQLite under var/ by default. IMMEDIATE transactions take SQLite's write lock at
# BEGIN, so two writers serialize instead of failing with "database is locked" mid-transaction.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A request (or /healthz) must not hang on a database that stopped answering.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
    # django-environ leaves ?key_prefix=, ?timeout=… in lower case, and Django ignores them.
    for _name in ("key_prefix", "timeout", "version"):
        if _name in CACHES["default"]:
            CACHES["default"][_name.upper()] = CACHES["default"].pop(_name)
    if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # The same backend, as an empty cache while Redis is unreachable (config/redis_cache.py).
        CACHES["default"]["BACKEND"] = "config.redis_cache.RedisCache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
# Argon2 for every new or changed password; the others only verify (and upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses every login attempt (admin and allauth alike) while one is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",  # the admin's own login
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Speakers sign in through allauth; the admin keeps its own login page whatever LOGIN_URL says.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "submissions:after_login"  # reviewers to their reviews

# Speaker accounts (django-allauth): email and password only, the address verified before the
# first login; every mail allauth sends goes through our outbox (accounts.adapter).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# The sign-up and "add an address" forms refuse addresses that look like another account's.
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "add_email": "accounts.forms.AddEmailForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Workshops] "
ACCOUNT_LOGOUT_REDIRECT_URL = "workshops:home"
# Reauthentication (before changing the address or password) asks for the password only: a code
# by mail would make a mailbox worth as much as the password, and axes counts no code attempts.
ACCOUNT_REAUTHENTICATION_METHODS = ("password",)
# allauth's own limits, counted in the shared cache. Lockout after failed logins is axes' job
# (below, for the admin too); these catch one address spraying many accounts, and keep anybody
# from flooding a person's mailbox with reset links or confirmation mail.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/m/ip,10/15m/key",
    "signup": "10/m/ip",
    "reset_password": "10/m/ip,3/15m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}

# Login throttling (django-axes), on the admin's and the speakers' login alike: after
# AXES_FAILURE_LIMIT failures for one address from one IP, that pair is refused for the cool-off
# time (429 and a page that says so). Keyed on the pair so that nobody can lock a speaker out
# from elsewhere, nor a whole conference venue behind one NAT address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "config.security.login_identifier"
AXES_CLIENT_IP_CALLABLE = "config.security.login_client_ip"  # as TRUST_X_FORWARDED_FOR says
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # failures are what we need; no row per successful login

LANGUAGE_CODE = "en"
# Our wording where a package's differs (“Log in”, not allauth's “Sign In”).
LOCALE_PATHS = [BASE_DIR / "locale"]
# And our way of writing dates (config/formats/en/formats.py): one style everywhere.
FORMAT_MODULE_PATH = ["config.formats"]
# Stored in UTC; every page about a workshop is rendered in that workshop's own zone.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Submitted PDFs: beside MEDIA_ROOT, never under it or STATIC_ROOT, and served only by views
# that check who asks (config/storage.py).
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "config.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: the console by default (every mail is also kept in the outbox table); EMAIL_URL such as
# smtp://user:password@mail.example.org:587/?tls=True for real delivery.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="workshops@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Outbox delivery: attempts per mail, and how long a mail may stay "sending" before the sweeper
# decides its worker died (longer than one SMTP exchange can take).
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=8)
MAIL_RETRY_BACKOFF_MAX = env.int("MAIL_RETRY_BACKOFF_MAX", default=600)
MAIL_STUCK_AFTER = timedelta(
    seconds=env.int("MAIL_STUCK_AFTER", default=max(600, 4 * EMAIL_TIMEOUT))
)
MAIL_REQUEUE_GRACE = timedelta(seconds=env.int("MAIL_REQUEUE_GRACE", default=120))

# How long a sign-up waits for its workshop's registration lock (PostgreSQL) before it answers
# "try again": a sign-up holds it for a few milliseconds, so only a stuck transaction waits out.
REGISTRATION_LOCK_TIMEOUT = timedelta(
    milliseconds=env.int("REGISTRATION_LOCK_TIMEOUT_MS", default=5000)
)

# Celery: a real broker when CELERY_BROKER_URL is set, otherwise tasks run in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=4)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The visibility timeout must outlast the longest retry countdown (MAIL_RETRY_BACKOFF_MAX), or
# Redis hands a waiting retry to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang on a dead broker: try publishing briefly, then leave the mail
# queued for the sweeper (outbox.tasks.requeue_stale_mail).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-mail": {
        "task": "outbox.tasks.requeue_stale_mail",
        "schedule": env.int("MAIL_SWEEP_SECONDS", default=60),
    },
    "registration-reminders": {
        "task": "registration.tasks.send_due_reminders",
        "schedule": env.int("REMINDER_SWEEP_SECONDS", default=900),
    },
    # Seats held for addresses not confirmed in time go back to the pool (and the line moves).
    "registration-lapsed-holds": {
        "task": "registration.tasks.release_lapsed_holds",
        "schedule": env.int("HOLD_SWEEP_SECONDS", default=60),
    },
    # Uploads kept for a form sent back (workshops.pending_uploads), once their tokens expire.
    "pending-uploads": {
        "task": "workshops.tasks.sweep_pending_uploads",
        "schedule": 3600,
    },
}

# Co-author notices per submitting account and day (they go to any address an author types).
COAUTHOR_NOTICES_PER_DAY = env.int("COAUTHOR_NOTICES_PER_DAY", default=20)

# Public form abuse, counted in the shared cache (config/ratelimit.py). Per IP the limit lets a
# whole institute behind one NAT address register at once; abuse is stopped where it is: per
# address (a mailbox flooded with registration mail), per address and IP, and the honeypot.
REGISTRATION_POSTS_PER_MINUTE = env.int("REGISTRATION_POSTS_PER_MINUTE", default=300)
REGISTRATION_POSTS_PER_ADDRESS_PER_HOUR = env.int(
    "REGISTRATION_POSTS_PER_ADDRESS_PER_HOUR", default=10
)
REGISTRATION_POSTS_PER_ADDRESS_AND_IP_PER_MINUTE = env.int(
    "REGISTRATION_POSTS_PER_ADDRESS_AND_IP_PER_MINUTE", default=5
)
# Admin login attempts per IP and minute, refused before any password is hashed (Argon2 costs
# about half a second of CPU each). The speakers' login has allauth's "login" limit.
ADMIN_LOGIN_POSTS_PER_MINUTE = env.int("ADMIN_LOGIN_POSTS_PER_MINUTE", default=30)
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
# Behind our one proxy, which adds the client's address to X-Forwarded-For, the client is the
# last entry (config.ratelimit.client_ip, which allauth, axes and our limits all use).
TRUSTED_PROXY_COUNT = 1 if TRUST_X_FORWARDED_FOR else 0

# /healthz: how long each dependency may take to answer (config/health.py).
HEALTHZ_TIMEOUT_MS = env.int("HEALTHZ_TIMEOUT_MS", default=1500)

# Logs: plain lines locally, one JSON object per line in production (LOG_FORMAT=json|plain),
# each with the request id (config/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "config.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Production hardening; every value can be overridden for a TLS-terminating proxy.
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it: forms carry the token
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): scripts only from our own static files, on every page
# including the admin; no inline script or on*= handler anywhere (tests/security/test_csp.py).
# Inline styles stay allowed: the admin and a few of its pages use style attributes and <style>
# blocks, and CSS cannot run code. Bootstrap draws its icons from data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": not DEBUG and SECURE_SSL_REDIRECT,
    }
}
