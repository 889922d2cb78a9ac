"""A pack's events stored in one transaction (pack_services.record_events_of_jobs) keep,
job by job, what services.record_events guarantees: the job's next gap-free sequence
numbers, only its running attempt writes, its own cancel flag read back, a deleted job
counts as cancelled, its viewers woken with exactly what was stored."""

import json

import pytest

from jobs import live, pack_services, services
from jobs.models import JobEvent, TrainingJob

EVENTS = [("metric", {"scope": "step", "epoch": 1, "step": 1, "train_loss": 0.69}),
          ("metric", {"scope": "step", "epoch": 1, "step": 2, "train_loss": 0.5})]


def running(user, config) -> TrainingJob:
    job = services.job_submit(user=user, config=config)
    return services.job_start(job_id=job.pk, worker="w1")


@pytest.mark.django_db
def test_each_job_of_a_pack_is_stored_as_record_events_stores_it(
    user, other_user, moons_config, monkeypatch, django_capture_on_commit_callbacks
):
    stored, handed_on, cancelled, quiet = (running(owner, moons_config)
                                           for owner in (user, user, other_user, other_user))
    services.record_events(job_id=stored.pk, events=EVENTS[:1], attempt=1)
    TrainingJob.objects.filter(pk=handed_on.pk).update(attempt=2)  # the reaper handed it on
    TrainingJob.objects.filter(pk=cancelled.pk).update(cancel_requested=True)
    TrainingJob.objects.filter(pk=quiet.pk).update(heartbeat_at=None)
    deleted = running(user, moons_config).pk
    TrainingJob.objects.filter(pk=deleted).delete()
    before = {job.pk: job.last_seq for job in TrainingJob.objects.all()}
    published: list[dict[int, str]] = []
    monkeypatch.setattr(live, "publish_encoded_many", published.append)

    with django_capture_on_commit_callbacks(execute=True):
        outcomes = pack_services.record_events_of_jobs(batches=[
            (stored.pk, 1, EVENTS), (handed_on.pk, 1, EVENTS), (cancelled.pk, 1, EVENTS),
            (deleted, 1, EVENTS), (quiet.pk, 1, [])])

    assert outcomes == {stored.pk: None, handed_on.pk: pack_services.SUPERSEDED,
                        cancelled.pk: pack_services.CANCEL, deleted: pack_services.CANCEL,
                        quiet.pk: None}
    for job in (stored, cancelled):
        job.refresh_from_db()
        seqs = list(job.events.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, job.last_seq + 1))
        assert job.last_seq == before[job.pk] + 2
        new = list(job.events.filter(seq__gt=before[job.pk]).order_by("seq"))
        assert [(event.type, event.payload) for event in new] == EVENTS
    handed_on.refresh_from_db()
    assert handed_on.last_seq == before[handed_on.pk]  # nothing of it was stored
    assert not JobEvent.objects.filter(job=handed_on, seq__gt=before[handed_on.pk]).exists()
    quiet.refresh_from_db()
    assert quiet.heartbeat_at is not None and quiet.last_seq == before[quiet.pk]
    # One wake-up for all of them, each job's message saying what its rows say.
    assert len(published) == 1 and set(published[0]) == {stored.pk, cancelled.pk}
    for job in (stored, cancelled):
        assert json.loads(published[0][job.pk]) == [
            event.as_message() for event in job.events.filter(seq__gt=before[job.pk])
            .order_by("seq")]
