"""Loaded with `-p tests.environment` (see pyproject), before pytest-django sets Django up.

The suite runs on PostgreSQL and Redis, as production does. Override with DATABASE_URL /
REDIS_URL; the defaults are the machine's local services. pytest-django creates (and drops)
its own `test_…` database next to the named one; this run's Celery queue and live-event
channels get a unique name, and tests/conftest.py removes them at the end.
"""

import os
import uuid

RUN_ID = uuid.uuid4().hex[:10]
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dlplatform")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["DLP_JOB_QUEUE"] = f"test-{RUN_ID}"
os.environ["DLP_LIVE_CHANNEL_PREFIX"] = f"test-{RUN_ID}:"
os.environ["DLP_CACHE_PREFIX"] = f"test-{RUN_ID}-cache"
os.environ["DLP_TEST_DATABASE_NAME"] = f"test_dlplatform_{RUN_ID}"
os.environ.setdefault("DLP_VAR_DIR", f"/tmp/dlp-test-{RUN_ID}")
