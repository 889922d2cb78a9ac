"""Per-learner and platform-wide job limits, checked in the database at submission.

`check_submission` runs inside the submitting transaction after locking the learner's
user row, so two simultaneous submissions by one learner are counted one after the other.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F, Min, Sum
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from jobs.models import JobLimits, JobStatus, TrainingJob

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass
class LimitReached(Exception):
    """The learner must wait: answer 429 with Retry-After."""

    message: str
    retry_after_s: int
    code: ClassVar[str] = "limit_reached"
    http_status: ClassVar[int] = 429

    def __str__(self) -> str:
        return self.message


@dataclass
class QueueFull(Exception):
    """The whole platform is at capacity: answer 503 with Retry-After."""

    message: str
    retry_after_s: int = 30
    code: ClassVar[str] = "queue_full"
    http_status: ClassVar[int] = 503

    def __str__(self) -> str:
        return self.message


def check_submission(*, user) -> None:
    User.objects.select_for_update().filter(pk=user.pk).first()
    limits = JobLimits.current()
    now = timezone.now()
    # After the lock, in a statement of its own (so it sees a submission committed while
    # this one waited): every count at once, one round trip instead of four.
    counts = _submission_counts(user, since_hour=now - HOUR, since_day=now - DAY)

    if counts["active"] >= limits.max_concurrent_jobs:
        raise LimitReached(
            f"You already have {limits.max_concurrent_jobs} jobs queued or running; wait for "
            "one to finish or cancel one.",
            retry_after_s=10,
        )

    if counts["recent"] >= limits.max_jobs_per_hour:
        raise LimitReached(
            f"You have submitted {limits.max_jobs_per_hour} jobs in the last hour, the limit.",
            retry_after_s=_seconds_until(counts["oldest_recent"] + HOUR, now),
        )

    used = counts["used"]
    used = int(used.total_seconds()) if used else 0
    if used >= limits.max_training_seconds_per_day:
        raise LimitReached(
            f"You have used your {limits.max_training_seconds_per_day // 60} minutes of "
            "training time for the last 24 hours.",
            retry_after_s=3600,
        )

    if counts["queued"] >= limits.max_queued_jobs:
        raise QueueFull("The training queue is full right now; please try again shortly.")


def _submission_counts(user, *, since_hour, since_day) -> dict:
    """The learner's jobs queued or running, submitted since `since_hour` (and the oldest of
    those), training time used since `since_day`, and the platform's queued jobs: each a
    scalar subquery on its own index, read in one SELECT. Written as SQL: the ORM spent
    longer composing these five subqueries than the database spent answering them
    (PostgreSQL's SQL; another database is asked the ORM's way, one query each)."""
    if connection.vendor != "postgresql":
        return _submission_counts_by_orm(user, since_hour=since_hour, since_day=since_day)
    table = connection.ops.quote_name(TrainingJob._meta.db_table)
    sql = f"""
        SELECT (SELECT COUNT(*) FROM {table} WHERE owner_id = %(user)s AND status IN %(active)s),
               (SELECT COUNT(*) FROM {table} WHERE owner_id = %(user)s AND created_at >= %(hour)s),
               (SELECT MIN(created_at) FROM {table}
                 WHERE owner_id = %(user)s AND created_at >= %(hour)s),
               (SELECT SUM(COALESCE(training_time,
                                    COALESCE(finished_at, STATEMENT_TIMESTAMP()) - started_at))
                  FROM {table}
                 WHERE owner_id = %(user)s AND started_at >= %(day)s),
               (SELECT COUNT(*) FROM {table} WHERE status = %(queued)s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "active": tuple(str(s) for s in ACTIVE),
                             "hour": since_hour, "day": since_day,
                             "queued": str(JobStatus.QUEUED)})
        active, recent, oldest_recent, used, queued = cursor.fetchone()
    return {"active": active, "recent": recent, "oldest_recent": oldest_recent, "used": used,
            "queued": queued}


def _submission_counts_by_orm(user, *, since_hour, since_day) -> dict:
    own = TrainingJob.objects.filter(owner=user)
    recent = own.filter(created_at__gte=since_hour)
    used = _training_seconds_since(own, since_day)
    return {"active": own.filter(status__in=ACTIVE).count(), "recent": recent.count(),
            "oldest_recent": recent.aggregate(oldest=Min("created_at"))["oldest"],
            "used": timedelta(seconds=used) if used else None,
            "queued": TrainingJob.objects.filter(status=JobStatus.QUEUED).count()}


def check_batch_submission(*, user, n_jobs: int, batch_jobs) -> None:
    """Limits for a batch of `n_jobs` submitted at once (an instructor's sweep).

    The per-learner concurrent limit (a few jobs) would refuse any useful sweep, so a batch
    takes `max_sweep_runs` instead: the user's batch jobs queued or running (`batch_jobs`,
    a queryset of their jobs that belong to batches, counted after the lock) plus this batch
    may not exceed it. Every other limit counts the whole batch: jobs in the last hour,
    training time in the last 24 hours, and room in the platform's queue.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    limits = JobLimits.current()
    now = timezone.now()
    own = TrainingJob.objects.filter(owner=user)

    active = batch_jobs.filter(status__in=ACTIVE).count()
    if active + n_jobs > limits.max_sweep_runs:
        raise LimitReached(
            f"You have {active} sweep runs queued or running; with these {n_jobs} that would "
            f"pass the {limits.max_sweep_runs} allowed at once. Wait for them to finish or "
            "cancel some.",
            retry_after_s=30,
        )
    recent = own.filter(created_at__gte=now - HOUR)
    if recent.count() + n_jobs > limits.max_jobs_per_hour:
        oldest = recent.aggregate(oldest=Min("created_at"))["oldest"] or now
        raise LimitReached(
            f"These {n_jobs} runs would pass your limit of {limits.max_jobs_per_hour} jobs "
            "in any hour.",
            retry_after_s=_seconds_until(oldest + HOUR, now),
        )
    if _training_seconds_since(own, now - DAY) >= limits.max_training_seconds_per_day:
        raise LimitReached(
            f"You have used your {limits.max_training_seconds_per_day // 60} minutes of "
            "training time for the last 24 hours.",
            retry_after_s=3600,
        )
    queued = TrainingJob.objects.filter(status=JobStatus.QUEUED).count()
    if queued + n_jobs > limits.max_queued_jobs:
        raise QueueFull("The training queue has no room for this many runs right now; "
                        "please try again shortly.")


def _training_seconds_since(jobs, since) -> int:
    # A packed run is charged its share of its pack's time (training_time), not the pack's.
    elapsed = Coalesce(F("training_time"), ExpressionWrapper(
        Coalesce(F("finished_at"), Now()) - F("started_at"), output_field=DurationField()
    ), output_field=DurationField())
    total = jobs.filter(started_at__gte=since).aggregate(total=Sum(elapsed))["total"]
    return int(total.total_seconds()) if total else 0


def _seconds_until(moment, now) -> int:
    return max(1, int((moment - now).total_seconds()) + 1)
