"""Loaded with `-p tests.environment` (see pyproject), before pytest-django sets Django up.

The suite runs on PostgreSQL and Redis, as production does. Override with DATABASE_URL /
REDIS_URL; the defaults are the machine's local services. pytest-django creates (and drops)
its own `test_…` database next to the named one; this run's Celery queue and live-event
channels get a unique name, and tests/conftest.py removes them at the end.

Under pytest-xdist (`./dev test -n N`) every worker process imports this module again, with
PYTEST_XDIST_WORKER set ("gw0", "gw1", ...) and the controller's environment inherited: each
worker gets its own RUN_ID (so its own queue, channel and cache prefixes; pytest-django adds
`_gw0`... to the test database's name), its own folder under DLP_VAR_DIR (trained models are
stored by job id, and job ids start at 1 in every worker's database) and its own Redis
database, so that Celery's broadcast messages of one worker's live platform (kombu prefixes
them with the database number) never reach another's. Redis pub/sub channels are not
per-database: the live-event channels are kept apart by their RUN_ID prefix.
"""

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

RUN_ID = uuid.uuid4().hex[:10]
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REDIS_DATABASES = 16  # Redis's default `databases`


def worker_redis_url(url: str, worker: str) -> str:
    """The Redis URL with a database number of this xdist worker's own: gw0 the one after the
    URL's, gw1 the next, ... (wrapping around after 16: the prefixes still keep them apart)."""
    if not worker:
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = (base + 1 + int(worker.removeprefix("gw"))) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{number}"))


os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dlplatform")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DLP_VAR_DIR", f"/tmp/dlp-test-{RUN_ID}")
if WORKER:  # the controller's values (inherited) are the base
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], WORKER)
    os.environ["DLP_VAR_DIR"] = os.path.join(os.environ["DLP_VAR_DIR"], WORKER)
os.environ["DLP_JOB_QUEUE"] = f"test-{RUN_ID}"
os.environ["DLP_LIVE_CHANNEL_PREFIX"] = f"test-{RUN_ID}:"
os.environ["DLP_CACHE_PREFIX"] = f"test-{RUN_ID}-cache"
os.environ["DLP_TEST_DATABASE_NAME"] = f"test_dlplatform_{RUN_ID}"
