from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import services
from jobs.models import JobLimits, JobStatus, TrainingJob
from tests.errors import api_error, error_message


@pytest.fixture
def limits(db) -> JobLimits:
    return JobLimits.current()


@pytest.mark.django_db
def test_a_learner_at_the_concurrent_limit_gets_429_with_retry_after(api, limits, moons_config):
    limits.max_concurrent_jobs = 2
    limits.save()
    for _ in range(2):
        assert api.post("/api/v1/jobs/", {"config": moons_config}, format="json").status_code == 201
    response = api.post("/api/v1/jobs/", {"config": moons_config}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    error = api_error(response)
    assert error["code"] == "limit_reached" and error["retry_after"] == int(response["Retry-After"])
    assert "2 jobs queued or running" in error["message"]
    assert TrainingJob.objects.count() == 2

    services.job_cancel(job=TrainingJob.objects.first())  # one slot frees up
    assert api.post("/api/v1/jobs/", {"config": moons_config}, format="json").status_code == 201


@pytest.mark.django_db
def test_other_learners_are_not_limited_by_someone_else(api, limits, other_user, moons_config):
    limits.max_concurrent_jobs = 1
    limits.save()
    services.job_submit(user=other_user, config=moons_config)
    assert api.post("/api/v1/jobs/", {"config": moons_config}, format="json").status_code == 201


@pytest.mark.django_db
def test_jobs_per_hour_says_when_to_come_back(api, user, limits, moons_config):
    limits.max_jobs_per_hour = 3
    limits.save()
    for minutes_ago in (50, 20, 5):
        job = services.job_submit(user=user, config=moons_config)
        TrainingJob.objects.filter(pk=job.pk).update(
            status=JobStatus.CANCELLED, created_at=timezone.now() - timedelta(minutes=minutes_ago)
        )
    response = api.post("/api/v1/jobs/", {"config": moons_config}, format="json")
    assert response.status_code == 429
    # The oldest of the three leaves the window in about 10 minutes.
    assert 9 * 60 <= int(response["Retry-After"]) <= 11 * 60


@pytest.mark.django_db
def test_training_time_per_day_is_enforced(api, user, limits, moons_config):
    limits.max_training_seconds_per_day = 600
    limits.save()
    job = services.job_submit(user=user, config=moons_config)
    now = timezone.now()
    TrainingJob.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, started_at=now - timedelta(minutes=30),
        finished_at=now - timedelta(minutes=19),
    )
    response = api.post("/api/v1/jobs/", {"config": moons_config}, format="json")
    assert response.status_code == 429
    assert "training time" in error_message(response)


@pytest.mark.django_db
def test_a_full_queue_answers_503(api, other_user, limits, moons_config):
    limits.max_queued_jobs = 1
    limits.save()
    services.job_submit(user=other_user, config=moons_config)
    response = api.post("/api/v1/jobs/", {"config": moons_config}, format="json")
    assert response.status_code == 503
    assert response["Retry-After"]


@pytest.mark.django_db
def test_an_instructor_edits_the_limits_in_the_admin(client, make_user, limits):
    client.force_login(make_user("teacher", is_staff=True))
    response = client.post(
        f"/admin/jobs/joblimits/{limits.pk}/change/",
        {"max_concurrent_jobs": 5, "max_jobs_per_hour": 10,
         "max_training_seconds_per_day": 900, "max_queued_jobs": 50, "max_sweep_runs": 12},
    )
    assert response.status_code == 302
    assert JobLimits.current().max_concurrent_jobs == 5
    assert JobLimits.current().max_sweep_runs == 12
