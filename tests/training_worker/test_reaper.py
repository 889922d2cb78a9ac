"""The reaper hands on jobs whose worker machine was lost and re-sends jobs whose message
was lost, on the real broker (this test run's Redis queue, which no worker reads)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import dispatch, services
from jobs.models import JobEvent, JobStatus, TrainingJob
from training_worker import broker_queue, reaper, recording, runner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_queue(settings):
    _clear_queue()
    yield
    _clear_queue()


def _channel_call(work):
    from dlplatform.celery import app

    with app.connection_for_read() as connection:
        return work(connection.default_channel)


def _queue_names(channel) -> list[str]:
    return [channel._q_for_pri(queue, priority)
            for queue in dispatch.job_queues() for priority in channel.priority_steps]


def _clear_queue() -> None:
    _channel_call(lambda channel: [channel.client.delete(name) for name in _queue_names(channel)])


def queued_messages() -> list[tuple[int, int]]:
    """(job id, attempt) of every message waiting in the job queues."""
    def read(channel):
        raw = [m for name in _queue_names(channel) for m in channel.client.lrange(name, 0, -1)]
        messages = [json.loads(m) for m in raw]
        return [(dispatch.job_id_of(m["headers"]["id"]), m["headers"]["id"].split("-")[2])
                for m in messages]
    return [(job_id, int(attempt)) for job_id, attempt in _channel_call(read)]


def waited(job, seconds: float) -> None:
    """The job was submitted (and last written) `seconds` ago."""
    past = timezone.now() - timedelta(seconds=seconds)
    TrainingJob.objects.filter(pk=job.pk).update(created_at=past, heartbeat_at=past)


def go_silent(job, seconds: float = 600) -> None:
    TrainingJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=seconds))


def status_events(job) -> list[dict]:
    return [e.payload for e in JobEvent.objects.filter(job=job, type="status").order_by("seq")]


@pytest.fixture
def reap(django_capture_on_commit_callbacks):
    """One round of the reaper, its messages sent as at the commit of its transactions."""
    def reap_once() -> reaper.Reaped:
        with django_capture_on_commit_callbacks(execute=True):
            return reaper.reap_lost_jobs()
    return reap_once


@pytest.fixture
def job(user, moons_config, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # its message sent, as at commit
        return services.job_submit(user=user, config=moons_config)


def test_a_job_whose_worker_went_silent_is_queued_again_as_its_next_attempt(reap, job, user,
                                                                           moons_config):
    services.job_start(job_id=job.pk, attempt=1)
    healthy = services.job_submit(user=user, config=moons_config)
    services.job_start(job_id=healthy.pk, attempt=1)
    go_silent(job)
    _clear_queue()  # the submissions' own messages: a worker took them

    reaped = reap()

    assert (reaped.requeued, reaped.failed) == (1, 0)
    job.refresh_from_db()
    assert (job.status, job.attempt, job.worker) == (JobStatus.QUEUED, 1, "")
    assert status_events(job)[-1]["requeued"] is True
    assert queued_messages() == [(job.pk, 2)]
    assert TrainingJob.objects.get(pk=healthy.pk).status == JobStatus.RUNNING

    # The lost attempt's own message, redelivered late, runs nothing; the new one restarts.
    assert services.job_start(job_id=job.pk, attempt=1) is None
    restarted = services.job_start(job_id=job.pk, attempt=2, worker="survivor:1")
    assert (restarted.status, restarted.attempt) == (JobStatus.RUNNING, 2)
    assert status_events(job)[-1] == {
        "status": "running", "attempt": 2, "restarted": True,
        "error": "The worker running attempt 1 stopped; starting again."}
    assert services.job_start(job_id=job.pk, attempt=2) is None  # a duplicate of it, too


def test_a_second_reaper_at_the_same_time_hands_nothing_on_twice(reap, job):
    services.job_start(job_id=job.pk, attempt=1)
    go_silent(job)
    _clear_queue()
    first, second = reap(), reap()
    assert (first.requeued, second.requeued, second.resent) == (1, 0, 0)
    assert queued_messages() == [(job.pk, 2)]


def test_a_job_out_of_attempts_fails_with_the_reason(reap, job, settings):
    services.job_start(job_id=job.pk, attempt=1)
    TrainingJob.objects.filter(pk=job.pk).update(attempt=settings.JOB_MAX_ATTEMPTS)
    go_silent(job)
    assert reap().failed == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "stopped responding" in job.error


def test_the_attempt_that_was_handed_on_cannot_write_or_end_the_job(reap, job):
    services.job_start(job_id=job.pk, attempt=1)
    go_silent(job)
    reap()
    before = list(JobEvent.objects.filter(job=job).values_list("seq", flat=True))
    last_seq = TrainingJob.objects.get(pk=job.pk).last_seq
    with pytest.raises(services.AttemptSuperseded):
        services.record_events(job_id=job.pk, events=[("metric", {"step": 1})], attempt=1)
    assert TrainingJob.objects.get(pk=job.pk).last_seq == last_seq  # no seq taken either
    with pytest.raises(services.AttemptSuperseded):
        services.job_heartbeat(job_id=job.pk, attempt=1)
    assert not services.job_finish(job_id=job.pk, status=JobStatus.SUCCEEDED, attempt=1)
    assert list(JobEvent.objects.filter(job=job).values_list("seq", flat=True)) == before


def test_a_recorder_whose_attempt_was_handed_on_stops_training(reap, job):
    services.job_start(job_id=job.pk, attempt=1)
    recorder = recording.EventRecorder(job.pk, time_limit_s=60, attempt=1)
    go_silent(job)
    reap()
    from engine import Event

    recorder.on_event(Event("metric", {"step": 1}))
    recorder.flush()
    assert recorder.superseded
    assert recorder.on_event(Event("metric", {"step": 2})) == "stop"
    recording.end(recorder, JobStatus.SUCCEEDED)  # ends nothing: the next attempt owns the job
    assert TrainingJob.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_an_idle_recorder_still_beats_the_jobs_heart(reap, job, settings):
    services.job_start(job_id=job.pk, attempt=1)
    go_silent(job)
    settings.JOB_HEARTBEAT_S = 0
    recorder = recording.EventRecorder(job.pk, time_limit_s=60, attempt=1)
    recorder._write_pending()  # what the writer thread does when nothing is buffered
    job.refresh_from_db()
    assert timezone.now() - job.heartbeat_at < timedelta(seconds=5)
    assert reap().requeued == 0


def test_a_queued_job_waiting_with_its_message_in_the_queue_is_left_alone(reap, job, settings):
    assert queued_messages() == [(job.pk, 1)]
    waited(job, 5 * 3600)
    assert broker_queue.pending_job_ids(dispatch.job_queues()) == {job.pk}
    assert reap().resent == 0
    assert queued_messages() == [(job.pk, 1)]


def test_a_queued_job_whose_message_was_lost_is_sent_once_more_and_runs_once(reap, job):
    waited(job, 300)
    _clear_queue()  # Redis restarted without persistence
    assert reap().resent == 1
    assert reap().resent == 0  # its message is back in the queue
    assert queued_messages() == [(job.pk, 1)]
    # Sent twice (the lost message turns up after all): the job still runs once.
    runner.job_run(job_id=job.pk, attempt=1, worker="w:1")
    runner.job_run(job_id=job.pk, attempt=1, worker="w:2")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.worker == "w:1"
    assert [e["status"] for e in status_events(job)] == ["queued", "running", "succeeded"]


def test_a_queued_job_is_not_checked_before_it_has_waited(reap, job):
    _clear_queue()
    assert reap().resent == 0


def test_where_the_broker_cannot_be_read_only_a_very_old_queued_job_is_sent_again(reap,
        job, user, moons_config, monkeypatch, settings):
    """None is what pending_job_ids answers for the filesystem broker (embedded default)."""
    monkeypatch.setattr(broker_queue, "pending_job_ids", lambda queues: None)
    recent = services.job_submit(user=user, config=moons_config)
    waited(recent, 600)
    waited(job, settings.JOB_QUEUED_LOST_AFTER_S + 60)
    _clear_queue()
    assert reap().resent == 1
    assert queued_messages() == [(job.pk, 1)]


def test_a_job_sent_for_an_attempt_past_the_cap_fails(job, settings):
    services.job_start(job_id=job.pk, attempt=1)
    assert services.job_start(job_id=job.pk, attempt=settings.JOB_MAX_ATTEMPTS + 1) is None
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # attempt 1 is running: not the one before the cap
    TrainingJob.objects.filter(pk=job.pk).update(attempt=settings.JOB_MAX_ATTEMPTS)
    assert services.job_start(job_id=job.pk, attempt=settings.JOB_MAX_ATTEMPTS + 1) is None
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "each of" in job.error
