"""Claims of chaotic runs hold on other CPUs' float paths too (see float_paths.py).

Each path reruns, in a new process, every claim marked `chaotic_run`; a claim that only holds
for this machine's rounding fails here, on any machine.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.lessons.claims.float_paths import FLOAT_PATHS, fingerprint

CLAIMS = Path(__file__).parent
FINGERPRINT = ("from tests.lessons.claims.float_paths import fingerprint; "
               "print(json.dumps(fingerprint()))")


def run_on_path(path: str, *command: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **FLOAT_PATHS[path])
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run([sys.executable, *command], env=env, cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=1200)


def path_fingerprint(path: str) -> list[float]:
    script = ("import json, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
              f"'dlplatform.settings'); django.setup(); {FINGERPRINT}")
    done = run_on_path(path, "-c", script)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_float_paths_round_differently_here():
    """Not vacuous: at least one path ends the fingerprint run elsewhere than this process."""
    native = fingerprint()
    assert any(path_fingerprint(path) != native for path in FLOAT_PATHS)


@pytest.mark.parametrize("path", sorted(FLOAT_PATHS))
def test_claims_of_chaotic_runs_hold_on_another_float_path(path):
    done = run_on_path(path, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                       "-m", "chaotic_run", str(CLAIMS))
    tail = (done.stdout + done.stderr)[-4000:]
    assert done.returncode == 0, f"on the {path} float path ({FLOAT_PATHS[path]}):\n{tail}"
    assert " passed" in done.stdout, tail
