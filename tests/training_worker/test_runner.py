"""The worker-side run of a job, in-process (the integration tests run it in a real worker)."""

import pytest
from django.test import override_settings

from jobs import services
from jobs.models import JobEvent, JobStatus
from training_worker import runner


def event_types(job) -> list[str]:
    return list(JobEvent.objects.filter(job=job).values_list("type", flat=True))


@pytest.mark.django_db
def test_run_stores_every_engine_event_and_the_summary(user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    types = event_types(job)
    assert types[:3] == ["status", "status", "info"]
    assert types.count("confusion_matrix") == 20
    assert types[-1] == "status"
    last_epoch = JobEvent.objects.filter(job=job, type="metric", payload__scope="epoch").last()
    assert job.result["val_accuracy"] == last_epoch.payload["val_accuracy"]


@pytest.mark.django_db
def test_running_a_finished_job_again_changes_nothing(user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    runner.job_run(job_id=job.pk)
    count = JobEvent.objects.filter(job=job).count()
    runner.job_run(job_id=job.pk)
    assert JobEvent.objects.filter(job=job).count() == count


@pytest.mark.django_db
def test_a_diverging_run_fails_with_the_reason(user, moons_config):
    config = dict(moons_config, optim={"name": "sgd", "lr": 10, "batch_size": 32, "epochs": 5})
    config["data"] = dict(moons_config["data"], name="digits")
    config["model"] = dict(moons_config["model"], hidden=[64, 64], activation="linear")
    job = services.job_submit(user=user, config=config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "learning rate" in job.error


@pytest.mark.django_db
@override_settings(JOB_TIME_LIMIT_S=0)
def test_a_run_past_its_time_limit_fails_and_says_so(user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "time limit" in job.error
    assert event_types(job).count("confusion_matrix") < 20
