"""Redis (broker and live wake-ups) restarts mid-run: the run finishes, a viewer's stream
recovers without gaps, and the stored history is intact. Uses a Redis server of its own,
so the machine's shared Redis is never restarted."""

import shutil
import socket
import subprocess
import threading
import time

import httpx
import pytest
from django.utils import timezone

from jobs.models import JobStatus, TrainingJob
from tests.fixtures.accounts import new_key
from tests.fixtures.live_platform import free_port, running_platform
from tests.integration.sse_client import read_events

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CONFIG = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 1500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "sgd", "lr": 0.05, "batch_size": 1, "epochs": 20},
}


def start_redis(port: int, log_dir) -> subprocess.Popen:
    process = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(log_dir)],
        stdout=(log_dir / f"redis-{time.monotonic_ns()}.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_a_run_and_its_viewer_survive_a_redis_restart(user, tmp_path):
    port = free_port()
    redis = start_redis(port, tmp_path)
    redis_url = f"redis://127.0.0.1:{port}/0"
    try:
        with running_platform(tmp_path, REDIS_URL=redis_url) as platform:
            token = new_key(user)
            headers = {"Authorization": f"Token {token}"}
            job = httpx.post(f"{platform.url}/api/v1/jobs/", json={"config": CONFIG},
                             headers=headers, timeout=10).json()
            streamed = []
            # stop_after sees every event as it arrives; it never asks to stop.
            viewer = threading.Thread(target=lambda: read_events(
                job["urls"]["events"], token, timeout=120,
                stop_after=lambda events: streamed.append(events[-1])))
            viewer.start()
            deadline = time.monotonic() + 30
            while not any(e.type == "metric" for e in list(streamed)):
                assert time.monotonic() < deadline, platform.logs()
                time.sleep(0.05)

            redis.terminate()
            redis.wait(timeout=10)
            time.sleep(1.5)  # the run goes on while Redis is away
            redis = start_redis(port, tmp_path)
            restarted_at = timezone.now()

            viewer.join(timeout=120)
            assert not viewer.is_alive(), "the stream never ended"
            row = TrainingJob.objects.get(pk=job["id"])
            assert row.status == JobStatus.SUCCEEDED, (row.error, platform.logs())
            assert row.finished_at > restarted_at, "the outage was not mid-run"
            history = httpx.get(job["urls"]["metrics"], headers=headers,
                                timeout=10).json()["events"]
            assert [e["seq"] for e in history] == list(range(1, len(history) + 1))
            assert [(e.id, e.type, e.data) for e in streamed] == [
                (e["seq"], e["type"], e["payload"]) for e in history
            ]
    finally:
        redis.terminate()
        redis.wait(timeout=10)
