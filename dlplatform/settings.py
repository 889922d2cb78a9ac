"""Settings for Deep Learning Lessons, all read from the environment with safe defaults.

With neither DATABASE_URL nor REDIS_URL set, the platform runs on its embedded default:
SQLite, kombu's filesystem broker and database polling for live updates. Set both to run
on PostgreSQL and Redis (docker compose and CI do).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DLP_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    """The variable's value; an empty value counts as unset, as in most deployment tools."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if value in (None, "") else float(value)


DEBUG = env_bool("DJANGO_DEBUG", False)
# The fallback key only ever signs sessions of a local embedded run; production must set one.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dlp-embedded-default-not-for-production")
ALLOWED_HOSTS = [h for h in env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in env_str("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "nested_admin",  # the quiz page: questions with their choices, on one page
    "dlplatform",  # no model; its migrations made the table accounts now owns
    "accounts",
    "lessons",
    "jobs",
    "deployments",
    "training_worker",  # the worker; no model, its migrations made jobs' and deployments' tables
    "classroom",  # last: accounts.instructors sets the role groups after it migrates
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dlplatform.middleware.DatabaseUnavailableMiddleware",
    "dlplatform.middleware.ApiBodyLimitMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "dlplatform.urls"
ASGI_APPLICATION = "dlplatform.asgi.application"
WSGI_APPLICATION = "dlplatform.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "dlplatform.db"  # PostgreSQL, with a connection cap
# Connections one process may hold at once (web: requests and streams; worker: per child);
# keep the sum over all processes below the server's max_connections.
DB_MAX_CONNECTIONS = env_int("DLP_DB_MAX_CONNECTIONS", 20)
DB_CONNECTION_WAIT_S = env_float("DLP_DB_CONNECTION_WAIT_S", 10.0)
# Reuse closed PostgreSQL connections (dlplatform/db/pool.py), within the cap above: an idle
# one is closed after DB_POOL_MAX_IDLE_S (seen when the process next takes a connection), any
# after DB_POOL_MAX_LIFETIME_S, and one idle for DB_POOL_PING_AFTER_S answers a SELECT 1
# before it is used again.
DB_POOL = env_bool("DLP_DB_POOL", True)
DB_POOL_MAX_IDLE_S = env_float("DLP_DB_POOL_MAX_IDLE_S", 60.0)
DB_POOL_MAX_LIFETIME_S = env_float("DLP_DB_POOL_MAX_LIFETIME_S", 1800.0)
DB_POOL_PING_AFTER_S = env_float("DLP_DB_POOL_PING_AFTER_S", 10.0)
if os.environ.get("DLP_TEST_DATABASE_NAME"):
    # Lets concurrent test runs on one server each create (and drop) their own database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DLP_TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to one file: wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# E-mail (password-reset links). Production sets DJANGO_EMAIL_HOST and sends through that SMTP
# server; without it (the embedded default) messages are printed on the web's console.
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)  # implicit TLS, usually port 465
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", not EMAIL_USE_SSL)  # STARTTLS
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT_S", 10)
DEFAULT_FROM_EMAIL = env_str(
    "DJANGO_DEFAULT_FROM_EMAIL", "Deep Learning Lessons <noreply@localhost>"
)
PASSWORD_RESET_TIMEOUT = env_int("DJANGO_PASSWORD_RESET_TIMEOUT_S", 3 * 24 * 3600)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Our CSS and JS, and Plotly.js vendored from the npm registry (static/vendor/plotly/README.md):
# served by us, never from a CDN.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Content-hashed names and gzip variants, written by collectstatic (dlplatform/static_files.py).
    "staticfiles": {"BACKEND": "dlplatform.static_files.StaticFilesStorage"},
}
# Unhashed names (only what a page links without {% static %}) are cached briefly; hashed
# ones for ten years, immutable (WhiteNoise tells them apart through the manifest).
WHITENOISE_MAX_AGE = 0 if DEBUG else 300

# Behind HTTPS in production (DJANGO_HTTPS=true): secure cookies, HSTS, redirects to HTTPS.
HTTPS = env_bool("DJANGO_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# The TLS-terminating proxy says the original scheme in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Trained models, through Django's storage API. By default a local folder, which web and
# workers must share (one machine, or one volume in docker compose). With DLP_S3_BUCKET,
# S3-compatible object storage (django-storages), which any number of web and worker
# machines share; credentials come from the environment as boto3 reads them
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the machine's role).
MEDIA_ROOT = Path(env_str("DLP_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: downloads go through owner-checked views
S3_BUCKET = env_str("DLP_S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("DLP_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("DLP_S3_REGION", "") or None,
            "location": env_str("DLP_S3_PREFIX", ""),  # a key prefix, for a shared bucket
            "default_acl": None,  # private objects: served only through our views
            "file_overwrite": True,  # a job's second run replaces its model
        },
    }

# Content-Security-Policy on every response (django-csp). Scripts only from our own files:
# every page script is a static file, and page data travels in json_script blocks, which
# are data, not code. Styles also allow 'unsafe-inline', for one reason: Plotly.js adds
# its <style> element at run time and sets style attributes on what it draws, and it has
# no way to carry a nonce. The risk this leaves is CSS injection, and that needs markup we
# let through: authored HTML is sanitized (nh3) and attributes that can carry style are
# dropped there. Images may be data:/blob: URLs (Plotly's heatmaps and its PNG export).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
# Read from the shared cache, kept in the database: a learner's page reads its session
# without a query (dlplatform/sessions.py).
SESSION_ENGINE = "dlplatform.sessions"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# How many reverse proxies of ours stand in front of the web processes. Each appends the
# address it saw to X-Forwarded-For, so with N proxies the N-th entry from the right is the
# client's; anything left of it was written by the client and is never trusted.
TRUSTED_PROXIES = env_int("DLP_TRUSTED_PROXIES", 0)

REST_FRAMEWORK = {
    # Token first, so an unauthenticated call gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",  # hashed, named, revocable
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API speaks JSON. Form bodies would also be accepted by default, and DRF reads a
    # boolean missing from a form as false (HTML checkbox rules): an empty multipart PATCH
    # would unshare a run. Only the token endpoint takes forms too (`curl -d` in the README).
    # Bounded in size and nesting depth (dlplatform/parsers.py): a deep body must not recurse.
    "DEFAULT_PARSER_CLASSES": ["dlplatform.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "jobs.api.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"login": env_str("DLP_TOKEN_LOGIN_RATE", "10/min")},
    # Throttles key on the client's address: X-Forwarded-For only as far as our own proxies
    # wrote it (0: the socket's address; a client's header is never believed).
    "NUM_PROXIES": TRUSTED_PROXIES,
    "EXCEPTION_HANDLER": "dlplatform.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Deep Learning Lessons API",
    "DESCRIPTION": (
        "Submit PyTorch training jobs, follow them live over Server-Sent Events and read "
        "their full metric history. Authenticate with a session or `Authorization: Token <key>` "
        "(create a key on your account page, /accounts/, or with `POST /api/v1/auth/token/`)."
    ),
    "VERSION": "1.0.0",
    # 3.1 speaks JSON Schema 2020-12, the dialect of the engine's config schema.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # A PATCH body is documented as its serializer checks it: sharing requires `shared`.
    "COMPONENT_SPLIT_PATCH": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jobs.api.schema.add_event_stream_path",
        "jobs.api.schema.add_error_responses",
    ],
}

# --- Jobs, broker and live events -------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
# Redis wakes live viewers when it is there; without it the stream polls the event table.
LIVE_EVENTS_BACKEND = "redis" if REDIS_URL else "poll"
LIVE_POLL_INTERVAL_S = env_float("DLP_LIVE_POLL_INTERVAL_S", 0.2)
# Lets several deployments (or test runs) share one Redis without hearing each other.
LIVE_CHANNEL_PREFIX = env_str("DLP_LIVE_CHANNEL_PREFIX", "dlp:")
SSE_KEEPALIVE_S = env_float("DLP_SSE_KEEPALIVE_S", 15.0)
# Open event streams one user may hold at once (a page opens one per run it shows).
SSE_MAX_STREAMS_PER_USER = env_int("DLP_SSE_MAX_STREAMS_PER_USER", 12)

# A job may train at most this long; the engine is stopped cooperatively at the soft limit
# and Celery kills the task at the hard limit if the engine does not return.
JOB_TIME_LIMIT_S = env_int("DLP_JOB_TIME_LIMIT_S", 600)
JOB_HARD_TIME_LIMIT_S = JOB_TIME_LIMIT_S + 60
# How long a worker keeps retrying a database write before it gives the job up.
DB_RETRY_S = env_float("DLP_DB_RETRY_S", 30.0)
# A job whose worker process or machine is lost is tried again, this many attempts in all.
JOB_MAX_ATTEMPTS = env_int("DLP_JOB_MAX_ATTEMPTS", 2)
# A worker beats a running job's heart this often (training_worker.recording.EventRecorder)...
JOB_HEARTBEAT_S = env_float("DLP_JOB_HEARTBEAT_S", 5.0)
# ... and a running job whose heart has not beaten for this long lost its worker machine:
# the reaper queues it again (training_worker/reaper.py). Well above a few missed beats and
# a database hiccup (a live worker whose job was handed on stops: its attempt is fenced).
JOB_STALE_AFTER_S = env_int("DLP_JOB_STALE_AFTER_S", 30)
# A queued job is checked for a lost message once it has waited this long; where the
# broker cannot be read (the filesystem broker), it is sent again only after the second.
JOB_QUEUED_CHECK_AFTER_S = env_int("DLP_JOB_QUEUED_CHECK_AFTER_S", 60)
JOB_QUEUED_LOST_AFTER_S = env_int("DLP_JOB_QUEUED_LOST_AFTER_S", 3600)
# Prometheus scrapes /metrics with this bearer token; unset, /metrics does not exist.
METRICS_TOKEN = env_str("DLP_METRICS_TOKEN", "")
# Runs finished this long ago lose their per-step points (jobs/retention.py).
EVENT_RETENTION_DAYS = env_float("DLP_EVENT_RETENTION_DAYS", 30.0)
# A worker that starts a small MLP job trains up to this many compatible queued jobs with it
# in one vectorized pass (training_worker/packing.py): 3 to 15 times the throughput at 8 to
# 128 jobs (bench/packed_bench.py), each packed run streaming exactly what it would alone.
# 1 (the default) trains every job alone. Not on by default yet: a class of 30 on one
# worker finishes in ~7-18x one run packed against ~35x unpacked (bench/class_bench.py,
# 2026-12-06), short of the 3x goal: the engine's own 30-job pack is 3-7x one run
# (docs/scaling.md, "A class of thirty"). A packed job is charged its share of the pack's
# time against its learner's daily training time.
PACK_MAX_JOBS = env_int("DLP_PACK_MAX_JOBS", 1)
# The worker flushes buffered events at this cadence (or sooner when the buffer fills).
EVENT_FLUSH_INTERVAL_S = env_float("DLP_EVENT_FLUSH_INTERVAL_S", 0.15)
# Store event batches from a thread beside training (training_worker.recording.EventRecorder),
# so the writes overlap the steps; off, training pauses for each batch's transaction.
EVENT_WRITER_THREAD = env_bool("DLP_EVENT_WRITER_THREAD", True)
EVENT_FLUSH_MAX_EVENTS = env_int("DLP_EVENT_FLUSH_MAX_EVENTS", 200)
JOB_QUEUE = env_str("DLP_JOB_QUEUE", "cpu")
# With GPU workers: jobs whose steps are big enough for a GPU to speed up go here (routing.py).
JOB_GPU_QUEUE = env_str("DLP_GPU_QUEUE", "")
# Batch × forward multiply-accumulates per sample: a CNN on 28x28 images at batch 64 is
# ~6e7; the digits MLP at batch 32 is ~4e5, a moons MLP at batch 1 ~300.
JOB_GPU_MIN_MACS_PER_STEP = env_int("DLP_GPU_MIN_MACS_PER_STEP", 20_000_000)
TRAINING_DEVICE = env_str("DLP_TRAINING_DEVICE", "cpu")
TORCH_NUM_THREADS = env_int("DLP_TORCH_NUM_THREADS", 1)

# Shared by every process through Redis: login throttling must count across web processes,
# and a lesson edited in one (or by `manage.py load_lessons`) must drop the cached pages of
# all. The embedded default shares files in its var folder instead.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": env_str("DLP_CACHE_PREFIX", "dlp"),
         # A Redis that hangs is an error after 2 s (pages then skip the cache), not a hang.
         "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2,
                     # One pool per process, not one per request (dlplatform/redis_pool.py).
                     "pool_class": "dlplatform.redis_pool.SharedConnectionPool"}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
              "LOCATION": str(VAR_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 10000}}
    )
}
LOGIN_FAILURES_ALLOWED = env_int("DLP_LOGIN_FAILURES_ALLOWED", 5)
LOGIN_LOCKOUT_S = env_int("DLP_LOGIN_LOCKOUT_S", 900)

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        # Above the hard time limit, so a long job is not delivered to a second worker.
        "visibility_timeout": JOB_HARD_TIME_LIMIT_S + 300,
    }
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
        # The default 1 s poll would make every job wait ~0.5 s before starting.
        "polling_interval": 0.05,
    }
)
CELERY_TASK_DEFAULT_QUEUE = JOB_QUEUE
CELERY_TASK_IGNORE_RESULT = True  # job state lives in TrainingJob rows, not a result backend
# A job is acknowledged only when it finished, and requeued if its worker process dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker holds one job at a time, so a queued job never waits behind a busy worker.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A child that grew past this (KiB) after a job is replaced by a fresh fork of the warm
# parent (torch stays imported there), so one huge job cannot starve the next ones.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("DLP_WORKER_MAX_MEMORY_KIB", 3 * 1024 * 1024)
# Recycle children now and then all the same: fragmentation and leaks in native libraries
# grow slowly over thousands of jobs; a fork of the warm parent costs ~0.2 s (its warm-up
# run, engine/process_warm_up.py).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("DLP_WORKER_MAX_TASKS_PER_CHILD", 500)
# A child reports itself up after worker_process_init, which trains that tiny warm-up model:
# ~0.2 s, seconds on saturated cores; Celery's default wait (4 s) would kill it as stuck.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = env_float("DLP_WORKER_PROC_ALIVE_TIMEOUT_S", 30.0)
# A starting worker takes jobs (and answers pings) once its children are warm, or after this
# long all the same (training_worker/warm_start.py).
WORKER_WARM_UP_TIMEOUT_S = env_float("DLP_WORKER_WARM_UP_TIMEOUT_S", 60.0)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "reap-lost-jobs": {
        "task": "training_worker.tasks.reap_lost_jobs",
        "schedule": env_float("DLP_REAPER_INTERVAL_S", 10.0),
    },
    "prune-events": {"task": "training_worker.tasks.prune_events", "schedule": 24 * 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
