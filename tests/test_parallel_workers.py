"""`./dev test` runs the suite on pytest-xdist workers: each one must have its own Redis
database, queue, live-event channels, cache keys, test database and var folder (where trained
models are stored by job id), and the same repeatable Hypothesis profile as a serial run.
Checked on a real pytest with two workers, run here as a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.environment import worker_redis_url

ROOT = Path(__file__).resolve().parents[1]


def test_each_worker_gets_the_next_redis_database():
    assert worker_redis_url("redis://127.0.0.1:6379/0", "") == "redis://127.0.0.1:6379/0"
    assert worker_redis_url("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/1"
    assert worker_redis_url("redis://h:6379/3", "gw1") == "redis://h:6379/5"
    assert worker_redis_url("redis://:pw@h:6379", "gw0") == "redis://:pw@h:6379/1"
    assert worker_redis_url("redis://h/0", "gw15") == "redis://h/0"  # wraps past 16


def test_two_workers_share_no_queue_channel_database_or_folder(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_XDIST_", "DLP_", "HYPOTHESIS_"))}
    env.update(DLP_PARALLEL_PROBE_DIR=str(tmp_path), DLP_VAR_DIR=str(tmp_path / "var"),
               REDIS_URL="redis://127.0.0.1:6379/0")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         "--dist", "loadgroup",  # no groups there: each test a unit, one to each worker
         "--basetemp", str(tmp_path / "basetemp"), "tests/parallel_probe.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    seen = [json.loads(path.read_text()) for path in sorted(tmp_path.glob("*.json"))]
    assert [s["worker"] for s in seen] == ["gw0", "gw1"]
    for key in ("redis", "var_dir", "media_root", "queue", "channels", "cache", "database"):
        assert seen[0][key] != seen[1][key], key
    assert {s["redis"] for s in seen} == {"redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/2"}
    assert {s["var_dir"] for s in seen} == {str(tmp_path / "var" / "gw0"),
                                            str(tmp_path / "var" / "gw1")}
    for s in seen:  # the repeatable profile of tests/conftest.py: a fixed seed, no database
        assert s["hypothesis_derandomize"] is True
        assert s["hypothesis_database"] == "None"
