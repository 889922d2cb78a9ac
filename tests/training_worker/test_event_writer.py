"""Events stored by a writer thread beside training (the workers' default): complete, in
order, and still carrying a cancel request back to the training loop."""

import threading
import time

import pytest

from jobs import services
from jobs.models import JobEvent, JobStatus, TrainingJob
from training_worker import runner

pytestmark = pytest.mark.django_db(transaction=True)  # the writer has its own connection


@pytest.fixture(autouse=True)
def writer_thread(settings, tmp_path):
    settings.EVENT_WRITER_THREAD = True
    settings.MEDIA_ROOT = tmp_path


def test_a_run_stores_every_event_once_and_in_order(user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    seqs = list(JobEvent.objects.filter(job=job).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, job.last_seq + 1))
    epochs = [payload["epoch"] for payload in JobEvent.objects.filter(job=job, type="metric")
              .order_by("seq").values_list("payload", flat=True) if payload["scope"] == "epoch"]
    assert epochs == list(range(1, moons_config["optim"]["epochs"] + 1))
    assert f"job-{job.pk}-events" not in [thread.name for thread in threading.enumerate()]


def test_a_cancel_reaches_the_training_loop_through_the_writer(user, moons_config, settings):
    settings.EVENT_FLUSH_INTERVAL_S = 0.05
    config = {**moons_config, "optim": {**moons_config["optim"], "epochs": 200}}
    job = services.job_submit(user=user, config=config)
    training = threading.Thread(target=runner.job_run, kwargs={"job_id": job.pk})
    training.start()
    deadline = time.monotonic() + 30
    while not JobEvent.objects.filter(job=job, type="metric").exists():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    requested = time.monotonic()
    services.job_cancel(job=TrainingJob.objects.get(pk=job.pk))
    training.join(timeout=30)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert time.monotonic() - requested < 5
    assert job.result["epochs_completed"] < 200


def test_a_pack_stores_every_jobs_events_through_one_writer(user, other_user, moons_config,
                                                            settings):
    """A pack larger than the process's database connections: its one writer thread
    stores every job's events, each job's complete and in order."""
    settings.PACK_MAX_JOBS = 8
    settings.DB_MAX_CONNECTIONS = 3
    jobs = [services.job_submit(user=owner, config={
        **moons_config, "data": {**moons_config["data"], "seed": seed}})
        for seed, owner in enumerate([user, other_user] * 3)]
    runner.job_run(job_id=jobs[0].pk, worker="w1")
    for job in jobs:
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED, job.error
        assert job.events.get(type="info").payload["packed_with"] == 5
        seqs = list(job.events.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, job.last_seq + 1))
        epochs = [payload["epoch"] for payload in job.events.filter(type="metric")
                  .order_by("seq").values_list("payload", flat=True)
                  if payload["scope"] == "epoch"]
        assert epochs == list(range(1, moons_config["optim"]["epochs"] + 1))
    assert "pack-events" not in [thread.name for thread in threading.enumerate()]
