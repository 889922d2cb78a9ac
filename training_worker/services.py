"""State changes of training jobs: submit, start, record events, finish, cancel, reap.

Every status change is a conditional UPDATE (so two processes can never both win a move
that ALLOWED_TRANSITIONS forbids) stored in the same transaction as its `status` event.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from training_worker import limits, live, routing, transfer
from training_worker.engine import ConfigError, TrainConfig, parse_config
from training_worker.models import ALLOWED_TRANSITIONS, JobEvent, JobStatus, TrainingJob

log = logging.getLogger(__name__)

STATUS_EVENT = "status"


class JobConflict(Exception):
    """The job's current state does not allow the requested change."""


def job_submit(*, user, config: dict, lab=None) -> TrainingJob:
    """Validate a config (and a lab's bounds), store the job as queued and enqueue it.

    Raises ConfigError with every offending field when the config is not acceptable, and
    limits.LimitReached / limits.QueueFull when the learner or the platform is at a limit.
    """
    parsed = _parse_with_base(user, config)
    normalized = parsed.to_dict()
    if lab is not None:
        from lessons.labs import check_lab_config

        errors = check_lab_config(lab, normalized)
        if errors:
            raise ConfigError(errors)
    with transaction.atomic():
        limits.check_submission(user=user)
        job = TrainingJob.objects.create(owner=user, lab=lab, config=normalized)
        _append_events(job.pk, [(STATUS_EVENT, {"status": JobStatus.QUEUED})])
    _enqueue(job, parsed)
    job.refresh_from_db()
    return job


def job_create_unqueued(*, owner, config: dict) -> TrainingJob:
    """A queued job that the caller runs itself, in its own process (the platform's standard
    base models): not a learner's submission, so no limits and no queue message."""
    with transaction.atomic():
        job = TrainingJob.objects.create(owner=owner, config=parse_config(config).to_dict())
        _append_events(job.pk, [(STATUS_EVENT, {"status": JobStatus.QUEUED})])
    return job


def _parse_with_base(user, config: dict) -> TrainConfig:
    """Parse a config; one that starts from a base model must fit that model's layers (and
    takes the base's model section when it gives none)."""
    from training_worker.engine.config_rules import compatibility_errors, with_base_model

    raw_transfer = config.get("transfer") if isinstance(config, dict) else None
    base_job, _ = transfer.base_job_for(user=user, transfer=raw_transfer)
    parsed = parse_config(with_base_model(config, base_job.config) if base_job else config)
    if not parsed.transfer.enabled:
        return parsed
    # Again from the parsed values, which decide what the worker loads.
    base_job, field = transfer.base_job_for(user=user, transfer={
        "base_job": parsed.transfer.base_job, "base_name": parsed.transfer.base_name,
    })
    errors = compatibility_errors(parsed, parse_config(base_job.config), field)
    if errors:
        raise ConfigError(errors)
    return parsed


def _enqueue(job: TrainingJob, parsed: TrainConfig) -> None:
    from training_worker.tasks import run_training_job

    try:
        run_training_job.apply_async(args=[job.pk], queue=routing.queue_for(parsed))
    except BrokerError as exc:
        log.error("could not queue job %s: %s", job.pk, exc)
        _finish(job.pk, JobStatus.FAILED, error="The job queue is unavailable; please try again.")


def job_start(*, job_id: int, attempt: int = 1, worker: str = "") -> TrainingJob | None:
    """Start an attempt of a job; None when this attempt must not run.

    Attempt 1 moves a queued job to running. A later attempt (Celery retries a job whose
    worker process died) takes over a job still running the attempt before it, and says so
    in a status event, so viewers know the curves start again. Any other delivery of the
    message (a duplicate, or a job already finished or cancelled) is refused.
    """
    now = timezone.now()
    with transaction.atomic():
        if attempt == 1:
            moved = _transition(
                job_id, JobStatus.RUNNING,
                attempt=1, worker=worker, started_at=now, heartbeat_at=now,
            )
            payload = {"status": JobStatus.RUNNING, "attempt": 1}
        else:
            moved = TrainingJob.objects.filter(
                pk=job_id, status=JobStatus.RUNNING, attempt=attempt - 1
            ).update(attempt=attempt, worker=worker, heartbeat_at=now)
            payload = {
                "status": JobStatus.RUNNING, "attempt": attempt, "restarted": True,
                "error": f"The worker running attempt {attempt - 1} stopped; starting again.",
            }
        if not moved:
            return None
        _append_events(job_id, [(STATUS_EVENT, payload)])
    return TrainingJob.objects.get(pk=job_id)


def record_events(*, job_id: int, events: list[tuple[str, dict]]) -> bool:
    """Store a batch of engine events in one transaction; returns whether cancel was requested.

    A job deleted meanwhile (with its owner's account) counts as cancelled: the worker stops.
    """
    with transaction.atomic():
        try:
            _append_events(job_id, events)
        except TrainingJob.DoesNotExist:
            return True
        return TrainingJob.objects.filter(pk=job_id, cancel_requested=True).exists()


def job_finish(*, job_id: int, status: str, error: str = "", result: dict | None = None) -> bool:
    """Move a running job to a final status; False when it was no longer running."""
    return _finish(job_id, status, error=error, result=result)


def job_cancel(*, job: TrainingJob) -> TrainingJob:
    """Cancel now if queued; ask the worker to stop if running (it does so within a second).

    Decided on the row, not on `job` as loaded: a worker may have started it since.
    """
    if _finish(job.pk, JobStatus.CANCELLED, only_from=JobStatus.QUEUED):
        return TrainingJob.objects.get(pk=job.pk)
    updated = TrainingJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        cancel_requested=True
    )
    job.refresh_from_db()
    if not updated and job.is_terminal:
        raise JobConflict(f"The job has already {job.status}.")
    return job


def job_fail_lost_worker(*, job_id: int, reason: str) -> bool:
    """Fail a running job whose worker process died and that will not be tried again."""
    return _finish(job_id, JobStatus.FAILED, error=reason)


def job_set_shared(*, job: TrainingJob, shared: bool) -> TrainingJob:
    TrainingJob.objects.filter(pk=job.pk).update(shared=shared)
    job.refresh_from_db()
    return job


def fail_lost_jobs() -> int:
    """Fail running jobs whose worker stopped writing, so none stays `running` forever."""
    stale_before = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER_S)
    lost_ids = TrainingJob.objects.filter(
        status=JobStatus.RUNNING, heartbeat_at__lt=stale_before
    ).values_list("pk", flat=True)
    failed = 0
    for job_id in list(lost_ids):
        failed += _finish(
            job_id,
            JobStatus.FAILED,
            error="The worker running this job stopped responding; the run was abandoned.",
        )
    return failed


def _finish(
    job_id: int, status: str, *, error: str = "", result: dict | None = None, only_from=None
) -> bool:
    with transaction.atomic():
        moved = _transition(
            job_id, status, only_from=only_from,
            error=error, result=result or {}, finished_at=timezone.now(),
        )
        if moved:
            payload = {"status": status, "error": error, "result": result or {}}
            _append_events(job_id, [(STATUS_EVENT, payload)])
    return moved


def _transition(job_id: int, to_status: str, *, only_from: str | None = None, **fields) -> bool:
    allowed_from = [s for s, targets in ALLOWED_TRANSITIONS.items() if to_status in targets]
    if only_from is not None:
        allowed_from = [s for s in allowed_from if s == only_from]
    return bool(
        TrainingJob.objects.filter(pk=job_id, status__in=allowed_from).update(
            status=to_status, **fields
        )
    )


def _append_events(job_id: int, events: list[tuple[str, dict]]) -> list[dict]:
    """Give events the job's next sequence numbers and store them; publish after commit.

    Must run inside a transaction: the row lock on the job serializes writers, so sequence
    numbers are gap-free and unique even when the web and a worker write at once.
    """
    if not events:
        return []
    job = TrainingJob.objects.select_for_update().only("last_seq").get(pk=job_id)
    rows = [
        JobEvent(job_id=job_id, seq=job.last_seq + i, type=event_type, payload=payload)
        for i, (event_type, payload) in enumerate(events, start=1)
    ]
    JobEvent.objects.bulk_create(rows)
    TrainingJob.objects.filter(pk=job_id).update(
        last_seq=job.last_seq + len(rows), heartbeat_at=timezone.now()
    )
    messages = [row.as_message() for row in rows]
    transaction.on_commit(lambda: live.publish(job_id, messages))
    return messages
