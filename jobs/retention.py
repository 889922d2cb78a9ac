"""Keeping the event table from growing forever: the per-step points of old runs go, what
their pages draw from stays.

A run's per-step metric events (one per reported step, most of its rows) are what its live
view plotted while it trained. Once it has been finished for EVENT_RETENTION_DAYS they are
deleted; its summary, status events, per-epoch metrics (the history charts) and pictures,
and its trained and deployed models are kept, so its page, exports and comparisons still
work, on one point per epoch.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs.models import JobEvent, JobStatus, TrainingJob

BATCH = 200  # runs per transaction: short locks on a busy table


def prune_step_events(*, older_than_days: float | None = None) -> int:
    """Delete per-step events of runs finished more than `older_than_days` ago; the count."""
    days = settings.EVENT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    finished = TrainingJob.objects.filter(
        status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED],
        finished_at__lt=cutoff,
    ).values_list("pk", flat=True)
    deleted = 0
    job_ids = list(finished)
    for start in range(0, len(job_ids), BATCH):
        with transaction.atomic():
            count, _ = JobEvent.objects.filter(
                job_id__in=job_ids[start:start + BATCH], type="metric", payload__scope="step"
            ).delete()
        deleted += count
    return deleted
