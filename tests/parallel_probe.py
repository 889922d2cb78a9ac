"""Run only by tests/test_parallel_workers.py, in a pytest of its own with two xdist workers
(its name keeps the suite from collecting it): each test writes what its worker sees."""

import json
import os
from pathlib import Path

from django.conf import settings
from hypothesis import settings as hypothesis_settings


def _write_what_this_worker_sees() -> None:
    profile = hypothesis_settings.default
    seen = {
        "worker": os.environ.get("PYTEST_XDIST_WORKER", ""),
        "redis": settings.REDIS_URL,
        "var_dir": str(settings.VAR_DIR),
        "media_root": str(settings.MEDIA_ROOT),
        "queue": settings.JOB_QUEUE,
        "channels": settings.LIVE_CHANNEL_PREFIX,
        "cache": settings.CACHES["default"]["KEY_PREFIX"],
        "database": settings.DATABASES["default"]["TEST"]["NAME"],
        "hypothesis_derandomize": profile.derandomize,
        "hypothesis_database": repr(profile.database),
    }
    out = Path(os.environ["DLP_PARALLEL_PROBE_DIR"]) / f"{seen['worker'] or 'serial'}.json"
    out.write_text(json.dumps(seen))


def test_first():
    _write_what_this_worker_sees()


def test_second():
    _write_what_this_worker_sees()
