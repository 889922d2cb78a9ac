"""A batch of events is encoded to JSON once (services._append_events), for the table and
for the live viewers' message: both must say exactly what the payloads said."""

import json

import pytest
from django.db import connection

from jobs import live, services
from jobs.models import JobEvent

PAYLOADS = [
    ("metric", {"scope": "step", "epoch": 1, "loss": 0.6931471805599453, "lr": 1e-05}),
    ("info", {"name": "réseau \"quoted\" \u2713", "layers": [[2, 16], [16, 2]], "none": None,
              "flags": {"zeta": True, "alpha": False}}),
    ("confusion_matrix", {"labels": ["0", "1"], "matrix": [[10, 2], [3, 9]]}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("insert", ["sql", "orm"])
def test_a_batch_is_stored_and_published_as_its_payloads(user, moons_config, monkeypatch,
                                                          django_capture_on_commit_callbacks,
                                                          insert):
    job = services.job_submit(user=user, config=moons_config)
    services.job_start(job_id=job.pk)
    if insert == "orm":  # the way a database other than PostgreSQL stores a batch
        monkeypatch.setattr(connection, "vendor", "sqlite")
    published: list[tuple[int, str]] = []
    monkeypatch.setattr(live, "publish_encoded", lambda job_id, batch: published.append(
        (job_id, batch)))
    with django_capture_on_commit_callbacks(execute=True):
        services.record_events(job_id=job.pk, events=PAYLOADS)

    stored = list(JobEvent.objects.filter(job=job, seq__gt=2).order_by("seq"))
    assert [(event.type, event.payload) for event in stored] == PAYLOADS
    assert all(event.created_at >= job.created_at for event in stored)
    # The message is byte for byte what json.dumps made of the messages before (key order
    # as the engine wrote it, json.dumps's separators and escapes).
    assert published == [(job.pk, json.dumps([
        {"seq": seq, "type": event_type, "payload": payload}
        for seq, (event_type, payload) in enumerate(PAYLOADS, start=3)
    ]))]
    assert json.loads(published[0][1]) == [event.as_message() for event in stored]


@pytest.mark.django_db
def test_a_batch_for_a_job_deleted_meanwhile_stores_nothing_and_reads_as_cancelled(
        user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    services.job_start(job_id=job.pk)
    job_id = job.pk
    job.delete()  # with its owner's account, say, while the worker trains it
    assert services.record_events(job_id=job_id, events=PAYLOADS) is True
    assert not JobEvent.objects.filter(job_id=job_id).exists()
