
import pytest
from django.db import IntegrityError

from jobs import services
from jobs.models import JobEvent, JobStatus


@pytest.fixture
def job(user, moons_config):
    return services.job_submit(user=user, config=moons_config)


def statuses(job) -> list[str]:
    return [e.payload["status"] for e in JobEvent.objects.filter(job=job, type="status")]


@pytest.mark.django_db
def test_a_run_moves_queued_running_succeeded_with_a_status_event_each(job):
    assert services.job_start(job_id=job.pk).status == JobStatus.RUNNING
    assert services.job_finish(job_id=job.pk, status=JobStatus.SUCCEEDED, result={"a": 1})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"a": 1}
    assert job.started_at <= job.finished_at
    assert statuses(job) == ["queued", "running", "succeeded"]


@pytest.mark.django_db
def test_a_job_starts_only_once(job):
    assert services.job_start(job_id=job.pk) is not None
    assert services.job_start(job_id=job.pk) is None
    assert statuses(job) == ["queued", "running"]


@pytest.mark.django_db
@pytest.mark.parametrize("final", [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED])
def test_a_finished_job_never_moves_again(job, final):
    services.job_start(job_id=job.pk)
    services.job_finish(job_id=job.pk, status=final)
    for other in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.RUNNING):
        assert not services.job_finish(job_id=job.pk, status=other)
    assert services.job_start(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == final
    assert statuses(job) == ["queued", "running", final]


@pytest.mark.django_db
def test_a_queued_job_cannot_succeed_without_running(job):
    assert not services.job_finish(job_id=job.pk, status=JobStatus.SUCCEEDED)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_cancel_of_a_queued_job_is_immediate(job):
    assert services.job_cancel(job=job).status == JobStatus.CANCELLED
    assert services.job_start(job_id=job.pk) is None  # the worker will skip it


@pytest.mark.django_db
def test_cancel_of_a_running_job_asks_the_worker(job):
    services.job_start(job_id=job.pk)
    job = services.job_cancel(job=job)
    assert job.status == JobStatus.RUNNING and job.cancel_requested
    assert services.record_events(job_id=job.pk, events=[("metric", {"step": 1})]) is True


@pytest.mark.django_db
def test_cancel_of_a_finished_job_is_a_conflict(job):
    services.job_start(job_id=job.pk)
    services.job_finish(job_id=job.pk, status=JobStatus.SUCCEEDED)
    job.refresh_from_db()
    with pytest.raises(services.JobConflict):
        services.job_cancel(job=job)


@pytest.mark.django_db
def test_events_get_gap_free_sequence_numbers_in_batches(job, django_assert_max_num_queries):
    services.job_start(job_id=job.pk)
    batch = [("metric", {"step": i}) for i in range(100)]
    # One batch is a handful of queries, not 100: savepoint, lock the job's row (which also
    # says whether cancel was asked), insert, update last_seq, release.
    with django_assert_max_num_queries(5):
        services.record_events(job_id=job.pk, events=batch)
    services.record_events(job_id=job.pk, events=batch[:3])
    seqs = list(JobEvent.objects.filter(job=job).values_list("seq", flat=True))
    assert seqs == list(range(1, 106))
    job.refresh_from_db()
    assert job.last_seq == 105


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_sequence_number(job):
    with pytest.raises(IntegrityError):
        JobEvent.objects.create(job=job, seq=1, type="metric", payload={})
