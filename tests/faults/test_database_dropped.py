"""The database drops every connection mid-run: the worker reconnects and the run finishes
with its whole history; while the database cannot be reached, the web answers 503."""

import time

import httpx
import pytest
from django.db import OperationalError, connection

from jobs import selectors
from jobs.models import JobEvent, JobStatus, TrainingJob
from tests.fixtures.accounts import new_key

CONFIG = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 1000, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "sgd", "lr": 0.05, "batch_size": 1, "epochs": 8},
}


def drop_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_run_survives_its_database_connection_being_dropped(live_platform, user):
    token = new_key(user)
    headers = {"Authorization": f"Token {token}"}
    job = httpx.post(f"{live_platform.url}/api/v1/jobs/", json={"config": CONFIG},
                     headers=headers, timeout=10).json()
    deadline = time.monotonic() + 30
    while not JobEvent.objects.filter(job_id=job["id"], type="metric").exists():
        assert time.monotonic() < deadline, live_platform.logs()
        time.sleep(0.05)

    assert drop_other_connections() >= 1  # the worker's connection, at least

    deadline = time.monotonic() + 60
    while not (row := TrainingJob.objects.get(pk=job["id"])).is_terminal:
        assert time.monotonic() < deadline, live_platform.logs()
        time.sleep(0.2)
    assert row.status == JobStatus.SUCCEEDED, (row.error, live_platform.logs())
    events = list(JobEvent.objects.filter(job_id=job["id"]).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    epochs = [e.payload["epoch"] for e in events
              if e.type == "metric" and e.payload["scope"] == "epoch"]
    assert epochs == list(range(1, 9))
    history = httpx.get(job["urls"]["metrics"], headers=headers, timeout=10).json()["events"]
    assert len(history) == len(events)


@pytest.mark.django_db
def test_the_api_answers_503_when_the_database_is_unreachable(api, monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(selectors, "jobs_visible_to", unreachable)
    response = api.get("/api/v1/jobs/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "database" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_page_answers_503_when_the_database_is_unreachable(client, user, monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(selectors, "jobs_visible_to", unreachable)
    client.force_login(user)
    response = client.get("/runs/")
    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()
