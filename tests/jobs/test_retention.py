"""Old runs lose their per-step points and keep everything their pages draw from."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs import services
from jobs.models import JobEvent, TrainingJob
from training_worker import runner

pytestmark = pytest.mark.django_db


def trained_job(user, config) -> TrainingJob:
    job = services.job_submit(user=user, config=config)
    runner.job_run(job_id=job.pk)
    return TrainingJob.objects.get(pk=job.pk)


def step_events(job) -> int:
    return JobEvent.objects.filter(job=job, type="metric", payload__scope="step").count()


def test_old_runs_lose_their_step_points_and_keep_their_history(api, user, moons_config,
                                                                settings):
    old, recent = trained_job(user, moons_config), trained_job(user, moons_config)
    TrainingJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(days=settings.EVENT_RETENTION_DAYS + 1))
    kept_types = set(JobEvent.objects.filter(job=old).exclude(
        type="metric", payload__scope="step").values_list("type", flat=True))
    epochs_before = JobEvent.objects.filter(job=old, type="metric",
                                            payload__scope="epoch").count()
    assert step_events(old) > 0 and step_events(recent) > 0

    call_command("prune_events")

    assert step_events(old) == 0
    assert step_events(recent) > 0
    assert set(JobEvent.objects.filter(job=old).values_list("type", flat=True)) == kept_types
    assert JobEvent.objects.filter(job=old, type="metric",
                                   payload__scope="epoch").count() == epochs_before == 20
    old.refresh_from_db()
    assert old.result["val_accuracy"] > 0.8 and old.model is not None
    history = api.get(f"/api/v1/jobs/{old.pk}/metrics/").json()
    assert history["events"] and all(e["payload"].get("scope") != "step"
                                     for e in history["events"] if e["type"] == "metric")
    assert api.get(f"/api/v1/jobs/{old.pk}/export.csv").status_code == 200


def test_a_running_job_is_never_pruned(user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    services.job_start(job_id=job.pk)
    services.record_events(job_id=job.pk, events=[("metric", {"scope": "step", "step": 1})])
    call_command("prune_events", "--older-than-days", "0")
    assert step_events(job) == 1
