"""The README's run command on the embedded default: SQLite, kombu's filesystem broker and
table polling for live updates, one worker — no service at all. Started as a user starts
it (`manage.py up`), then a job goes through it end to end over HTTP and SSE."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fixtures.live_platform import free_port
from tests.integration.sse_client import read_events

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 10},
}

STARTUP_TIMEOUT_S = 600

pytestmark = pytest.mark.integration


def embedded_env(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL", "DLP_TEST_DATABASE_NAME",
                          "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["DLP_VAR_DIR"] = str(tmp_path / "var")
    env["DJANGO_STATIC_ROOT"] = str(tmp_path / "static")  # not the checkout's staticfiles/
    return env


@pytest.fixture
def embedded_platform(tmp_path):
    env = embedded_env(tmp_path)
    port = free_port()
    log = (tmp_path / "up.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "up", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # Its first start migrates, collects static files, trains the base models and the
        # demo's runs: minutes when another test process shares the cores (it passed the
        # old 120 s alone, not beside an xdist worker on a loaded machine). A crash still
        # fails at once: the loop checks the process on every poll.
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            assert process.poll() is None, (tmp_path / "up.log").read_text()
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "up.log").read_text()
            time.sleep(0.3)
        yield url, tmp_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_the_embedded_default_trains_and_streams_with_no_service(embedded_platform):
    url, tmp_path = embedded_platform
    assert (tmp_path / "var" / "db.sqlite3").exists()
    home = httpx.get(url + "/").text
    assert "What is deep learning?" in home  # the lessons were loaded
    token = httpx.post(url + "/api/v1/auth/token/",
                       data={"username": "learner", "password": "learn-deep-2024"}).json()["token"]
    headers = {"Authorization": f"Token {token}"}
    job = httpx.post(url + "/api/v1/jobs/", json={"config": CONFIG}, headers=headers).json()

    events = read_events(job["urls"]["events"], token, timeout=120)

    assert events[-1].data["status"] == "succeeded", (tmp_path / "up.log").read_text()[-3000:]
    history = httpx.get(job["urls"]["metrics"], headers=headers).json()["events"]
    assert [(e.id, e.type) for e in events] == [(e["seq"], e["type"]) for e in history]
    assert sum(e.type == "confusion_matrix" for e in events) == 10


def test_a_lesson_edited_by_another_process_shows_at_once(embedded_platform):
    url, tmp_path = embedded_platform
    lesson_url = url + "/courses/foundations/what-is-deep-learning/"
    assert "Edited by another process" not in httpx.get(lesson_url).text  # now cached
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from lessons.models import Lesson;"
         "lesson = Lesson.objects.get(slug='what-is-deep-learning');"
         "lesson.summary = 'Edited by another process'; lesson.save()"],
        cwd=ROOT, env=embedded_env(tmp_path), check=True, capture_output=True,
    )
    assert "Edited by another process" in httpx.get(lesson_url).text
