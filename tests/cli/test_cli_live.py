"""dlp against a live platform (uvicorn, a Celery worker, PostgreSQL, Redis), run as a user
runs it: the installed executable in a subprocess, configured only by DLP_URL and
DLP_CONFIG_DIR."""

import csv
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
import yaml

from tests.fixtures.accounts import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def dlp_command() -> list[str]:
    """The console script next to this interpreter (what `pip install` made), else -m."""
    script = Path(sys.executable).parent / "dlp"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dlclient"]


@pytest.fixture
def dlp(live_platform, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DLP_")}
    env.update(DLP_URL=live_platform.url, DLP_CONFIG_DIR=str(tmp_path / "config"),
               PYTHONUNBUFFERED="1")

    def run(*args: str, stdin: str | None = None, timeout: float = 60,
            popen: bool = False):
        command = [*dlp_command(), *args]
        if popen:
            return subprocess.Popen(command, cwd=tmp_path, env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return subprocess.run(command, cwd=tmp_path, env=env, input=stdin, text=True,
                              capture_output=True, timeout=timeout)

    run.dir = tmp_path
    return run


def login(dlp, user) -> str:
    done = dlp("login", "--username", user.username, "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    credentials = dlp.dir / "config" / "credentials.json"
    assert credentials.stat().st_mode & 0o777 == 0o600
    return json.loads(credentials.read_text())["token"]


def wait_for_line(process: subprocess.Popen, expected: str, timeout: float = 30) -> None:
    """Read the process's stdout until `expected` (a whole line), in a thread so that a
    process that never prints it fails the test instead of hanging it."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in iter(
        process.stdout.readline, "")], daemon=True).start()
    while lines.get(timeout=timeout) != expected:
        pass


def write_yaml(dlp, name: str, config: dict) -> str:
    (dlp.dir / name).write_text(yaml.safe_dump(config))
    return name


def test_submit_follow_list_download_and_deploy(dlp, user, moons_config, live_platform):
    token = login(dlp, user)
    config = dict(moons_config, optim=dict(moons_config["optim"], epochs=3))

    followed = dlp("submit", write_yaml(dlp, "moons.yaml", config), "--follow")
    assert followed.returncode == 0, followed.stderr + live_platform.logs()
    lines = followed.stdout.splitlines()
    job_id = int(lines[0])
    assert any(line.startswith("epoch 3/3  train loss") for line in lines), followed.stdout
    assert lines[-1].startswith(f"job {job_id} succeeded")

    replayed = dlp("follow", str(job_id))  # a finished job: its stored events, then exit
    assert replayed.returncode == 0 and "epoch 3/3" in replayed.stdout, replayed.stderr

    listed = dlp("list")
    assert listed.returncode == 0, listed.stderr
    row = listed.stdout.splitlines()[1].split()
    assert row[:5] == [str(job_id), "succeeded", "mlp", "moons", "3"]
    assert str(job_id) not in dlp("list", "--status", "failed").stdout
    shown = dlp("show", str(job_id))
    assert json.loads(shown.stdout)["status"] == "succeeded"

    history = httpx.get(f"{live_platform.url}/api/v1/jobs/{job_id}/metrics/",
                        headers={"Authorization": f"Token {token}"}, timeout=10).json()
    assert dlp("download", str(job_id), "--format", "json", "-o", "run.json").returncode == 0
    assert json.loads((dlp.dir / "run.json").read_text())["events"] == history["events"]
    assert dlp("download", str(job_id)).returncode == 0  # csv, under the server's filename
    with (dlp.dir / f"run_{job_id}_metrics.csv").open() as file:
        rows = list(csv.DictReader(file))
    metrics = [event for event in history["events"] if event["type"] == "metric"]
    assert [int(row["seq"]) for row in rows] == [event["seq"] for event in metrics]
    epochs = [(row["epoch"], float(row["val_loss"])) for row in rows if row["scope"] == "epoch"]
    assert epochs == [(str(e["payload"]["epoch"]), e["payload"]["val_loss"])
                      for e in metrics if e["payload"]["scope"] == "epoch"]

    deployed = dlp("deploy", str(job_id), "--name", "moons-cli")
    assert deployed.returncode == 0, deployed.stderr
    model_id = deployed.stdout.split()[1]
    assert dlp("models").stdout.splitlines()[1].split()[:3] == [model_id, "moons-cli", str(job_id)]
    predicted = dlp("predict", model_id, "--inputs", "[[0.5, 0.2], [1.8, -0.3]]")
    assert len(json.loads(predicted.stdout)["predictions"]) == 2, predicted.stderr
    exported = dlp("model-download", model_id, "--format", "torchscript", "-o", "model.pt")
    assert exported.returncode == 0, exported.stderr
    assert (dlp.dir / "model.pt").stat().st_size > 1000


def test_cancel_ends_follow_with_1_and_a_refused_config_exits_2(dlp, user, moons_config,
                                                               live_platform):
    login(dlp, user)
    config = dict(moons_config, optim=dict(moons_config["optim"], batch_size=1, epochs=40))
    config["data"] = dict(config["data"], n_samples=5000)
    submitted = dlp("submit", write_yaml(dlp, "long.yaml", config))
    assert submitted.returncode == 0, submitted.stderr
    job_id = submitted.stdout.strip()

    # Ctrl-C stops following, not the job; a second follower then sees the cancel.
    interrupted = dlp("follow", job_id, popen=True)
    try:
        wait_for_line(interrupted, f"job {job_id} running\n")
        interrupted.send_signal(signal.SIGINT)
        assert interrupted.wait(timeout=10) == 130
        assert "keeps running" in interrupted.stderr.read()
    finally:
        interrupted.kill()
    assert json.loads(dlp("show", job_id).stdout)["status"] == "running"

    follower = dlp("follow", job_id, popen=True)
    try:
        wait_for_line(follower, f"job {job_id} running\n")
        cancelled = dlp("cancel", job_id)
        assert cancelled.returncode == 0, cancelled.stderr
        assert follower.wait(timeout=30) == 1, follower.stderr.read() + live_platform.logs()
    finally:
        follower.kill()
    shown = json.loads(dlp("show", job_id).stdout)
    assert shown["status"] == "cancelled"

    bad = dict(moons_config, optim=dict(moons_config["optim"], lr=-1))
    refused = dlp("submit", write_yaml(dlp, "bad.yaml", bad))
    assert refused.returncode == 2
    assert "config.optim.lr:" in refused.stderr and "Traceback" not in refused.stderr
    missing = dlp("show", "999999")
    assert missing.returncode == 2 and "No such job" in missing.stderr
