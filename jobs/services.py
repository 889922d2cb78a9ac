"""State changes of training jobs: submit, start, record events, finish, cancel.

Every status change is a conditional UPDATE (so two processes can never both win a move
that ALLOWED_TRANSITIONS forbids) stored in the same transaction as its `status` event.
Jobs whose worker was lost are handed on by reaper.py.
"""

import json
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import JSONField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from engine import ConfigError, TrainConfig, parse_config
from engine.config_rules import compatibility_errors, with_base_model
from jobs import dispatch, limits, live, transfer
from jobs.limits import LimitReached as LimitReached  # raised by job_submit:
from jobs.limits import QueueFull as QueueFull  # lessons catch them from here
from jobs.models import ALLOWED_TRANSITIONS, JobEvent, JobStatus, TrainingJob

log = logging.getLogger(__name__)

STATUS_EVENT = "status"
# 192 random bits: a share link cannot be guessed or counted, unlike the run's id.
SHARE_TOKEN_BYTES = 24


class JobConflict(Exception):
    """The job's current state does not allow the requested change."""


def job_submit(*, user, config: dict, lab=None) -> TrainingJob:
    """Validate a config (and a lab's bounds), store the job as queued and enqueue it (the
    message is sent when the caller's transaction commits, never for a rolled-back job).

    Raises ConfigError with every offending field when the config is not acceptable, and
    limits.LimitReached / limits.QueueFull when the learner or the platform is at a limit.
    """
    parsed = _parse_with_base(user, config)
    normalized = parsed.to_dict()
    if lab is not None:
        # The lab checks its own bounds (lessons.Lab.config_errors): jobs never import lessons.
        errors = lab.config_errors(normalized)
        if errors:
            raise ConfigError(errors)
    with transaction.atomic():
        limits.check_submission(user=user)
        job = TrainingJob.objects.create(owner=user, lab=lab, config=normalized)
        _append_events(job.pk, [(STATUS_EVENT, {"status": JobStatus.QUEUED})])
    _enqueue(job, parsed)
    job.refresh_from_db()
    return job


def job_submit_batch(*, user, configs: list[dict], lab=None, batch_jobs) -> list[TrainingJob]:
    """Submit many jobs at once (an instructor's sweep): all or none.

    Every config is validated by the engine's schema and budget first (ConfigError names
    the first config's offending fields); then, in one transaction, the batch is checked
    against limits.check_batch_submission (`batch_jobs`: the user's jobs that belong to
    batches) and stored; each message is sent once the transaction commits. The caller
    checks any lab bounds before: a sweep varies the seed even where the lab does not.
    """
    parsed = [_parse_with_base(user, config) for config in configs]
    with transaction.atomic():
        limits.check_batch_submission(user=user, n_jobs=len(parsed), batch_jobs=batch_jobs)
        jobs = []
        for one in parsed:
            job = TrainingJob.objects.create(owner=user, lab=lab, config=one.to_dict())
            _append_events(job.pk, [(STATUS_EVENT, {"status": JobStatus.QUEUED})])
            _enqueue(job, one)
            jobs.append(job)
    return jobs


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
    raw_transfer = config.get("transfer") if isinstance(config, dict) else None
    base_job, _ = transfer.base_job_for(user=user, transfer=raw_transfer)
    parsed = parse_config(with_base_model(config, base_job.config) if base_job else config)
    if not parsed.transfer.enabled:
        return parsed
    # Again from the parsed values, which decide what the worker loads.
    base_job, field = transfer.base_job_for(user=user, transfer={
        "base_job": parsed.transfer.base_job, "base_name": parsed.transfer.base_name,
    })
    assert base_job is not None  # a transfer is enabled only with a base, found or refused
    errors = compatibility_errors(parsed, parse_config(base_job.config), field)
    if errors:
        raise ConfigError(errors)
    return parsed


def _enqueue(job: TrainingJob, parsed: TrainConfig) -> None:
    """Send the job to its queue once the row it names is committed.

    Sent earlier, inside a caller's transaction, a worker could take the message before the
    row is visible (and fail to find it), or the caller could roll back and leave a message
    for a job that never existed. Outside any transaction on_commit sends at once.
    """
    transaction.on_commit(lambda: _send(job.pk, parsed))


def _send(job_id: int, parsed: TrainConfig) -> None:
    try:
        dispatch.send_job(job_id, parsed, attempt=1)
    except BrokerError as exc:
        log.error("could not queue job %s: %s", job_id, exc)
        _finish(job_id, JobStatus.FAILED, error="The job queue is unavailable; please try again.")


def job_start(*, job_id: int, attempt: int = 1, worker: str = "") -> TrainingJob | None:
    """Start an attempt of a job; None when this attempt must not run.

    Attempt n runs only where attempt n - 1 left the job: queued with attempt 0 for a new
    job; queued again by the reaper (reaper.py) after the worker machine running attempt
    n - 1 was lost; or still running attempt n - 1 when Celery retries a job whose worker
    process died. A restart says so in a status event, so viewers know the curves start
    again. Any other delivery (a duplicate, a message redelivered after the job moved on, a
    job already finished or cancelled) is refused, so however often a job is sent, each
    attempt runs once. An attempt past JOB_MAX_ATTEMPTS fails the job instead.
    """
    now = timezone.now()
    with transaction.atomic():
        if attempt > settings.JOB_MAX_ATTEMPTS:
            _finish(job_id, JobStatus.FAILED, only_attempt=attempt - 1, error=(
                f"The worker running this job was lost in each of {settings.JOB_MAX_ATTEMPTS} "
                "attempts; the job was stopped."))
            return None
        moved = TrainingJob.objects.filter(
            pk=job_id, attempt=attempt - 1, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).update(status=JobStatus.RUNNING, attempt=attempt, worker=worker, heartbeat_at=now,
                 started_at=Coalesce("started_at", now))
        if not moved:
            return None
        payload: dict = {"status": JobStatus.RUNNING, "attempt": attempt}
        if attempt > 1:
            payload.update(restarted=True, error=(
                f"The worker running attempt {attempt - 1} stopped; starting again."))
        _append_events(job_id, [(STATUS_EVENT, payload)])
    return TrainingJob.objects.get(pk=job_id)


class AttemptSuperseded(Exception):
    """This attempt of the job is no longer the job's current one: the reaper gave the job
    to another worker (this one went silent too long), or the job has ended."""


def job_heartbeat(*, job_id: int, attempt: int) -> None:
    """The worker running `attempt` is alive; raises AttemptSuperseded when it is not the
    job's running attempt any more, so that worker stops."""
    if not TrainingJob.objects.filter(
        pk=job_id, attempt=attempt, status=JobStatus.RUNNING
    ).update(heartbeat_at=timezone.now()):
        raise AttemptSuperseded(job_id)


def record_events(*, job_id: int, events: list[tuple[str, dict]],
                  attempt: int | None = None) -> bool:
    """Store a batch of engine events in one transaction; returns whether cancel was requested.

    With `attempt`, the batch is stored only while that attempt is the job's running one
    (else AttemptSuperseded, and nothing is stored): a worker that went silent long enough
    for the reaper to hand its job on cannot write into the new attempt's history. A job
    deleted meanwhile (with its owner's account) counts as cancelled: the worker stops.
    """
    with transaction.atomic():
        try:
            locked = _append_events(job_id, events, attempt=attempt)
        except TrainingJob.DoesNotExist:
            return True
        if locked is not None:  # read under the row lock: no query of its own
            return locked.cancel_requested
        return TrainingJob.objects.filter(pk=job_id, cancel_requested=True).exists()


def job_finish(*, job_id: int, status: str, error: str = "", result: dict | None = None,
               attempt: int | None = None, training_seconds: float | None = None) -> bool:
    """Move a running job to a final status; False when it was no longer running (or, with
    `attempt`, no longer running that attempt). `training_seconds`: what the run is charged
    against its learner's daily training time, when not its wall time (a packed run's
    share of its pack's; limits.py)."""
    extra = {} if training_seconds is None else {
        "training_time": timedelta(seconds=training_seconds)}
    return _finish(job_id, status, error=error, result=result, only_attempt=attempt, **extra)


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
    """Share a run at a link holding a new unguessable token, or stop sharing it, which
    voids the link: sharing again makes a new one. Sharing a shared run keeps its link."""
    if shared:
        TrainingJob.objects.filter(pk=job.pk, share_token__isnull=True).update(
            shared=True, share_token=secrets.token_urlsafe(SHARE_TOKEN_BYTES)
        )
    else:
        TrainingJob.objects.filter(pk=job.pk).update(shared=False, share_token=None)
    job.refresh_from_db()
    return job


def _finish(
    job_id: int, status: str, *, error: str = "", result: dict | None = None, only_from=None,
    only_attempt: int | None = None, **fields,
) -> bool:
    with transaction.atomic():
        moved = _transition(
            job_id, status, only_from=only_from, only_attempt=only_attempt,
            error=error, result=result or {}, finished_at=timezone.now(), **fields,
        )
        if moved:
            payload = {"status": status, "error": error, "result": result or {}}
            _append_events(job_id, [(STATUS_EVENT, payload)])
    return moved


def _transition(job_id: int, to_status: str, *, only_from: str | None = None,
                only_attempt: int | None = None, **fields) -> bool:
    allowed_from = [s for s, targets in ALLOWED_TRANSITIONS.items() if to_status in targets]
    if only_from is not None:
        allowed_from = [s for s in allowed_from if s == only_from]
    rows = TrainingJob.objects.filter(pk=job_id, status__in=allowed_from)
    if only_attempt is not None:
        rows = rows.filter(attempt=only_attempt)
    return bool(rows.update(status=to_status, **fields))


def append_status_event(job_id: int, payload: dict) -> None:
    """Store a `status` event in the caller's transaction (the caller changed the status)."""
    _append_events(job_id, [(STATUS_EVENT, payload)])


def _append_events(job_id: int, events: list[tuple[str, dict]],
                   attempt: int | None = None) -> TrainingJob | None:
    """Give events the job's next sequence numbers and store them; publish after commit.
    Returns the job's row as locked (last_seq, attempt, status, cancel_requested), or None
    when there was nothing to store.

    Must run inside a transaction: the row lock on the job serializes writers, so sequence
    numbers are gap-free and unique even when the web and a worker write at once. With
    `attempt`, only that attempt of the running job may write (AttemptSuperseded otherwise).
    """
    if not events:
        return None
    # Each payload is encoded to JSON once, here, for both the table (cast to jsonb in
    # the INSERT) and the viewers' wake-up message, instead of once by the database adapter
    # and again for the message: the worker's writer thread holds the GIL while it encodes,
    # and training waits for it (docs/scaling.md).
    encoded = [json.dumps(payload) for _, payload in events]
    types = [event_type for event_type, _ in events]
    now = timezone.now()
    job = _lock_and_advance(job_id, len(events), now)
    if attempt is not None and (job.attempt != attempt or job.status != JobStatus.RUNNING):
        raise AttemptSuperseded(job_id)  # the caller's transaction undoes the advance
    rows = [(job_id, job.last_seq + i, event_type, text)
            for i, (event_type, text) in enumerate(zip(types, encoded, strict=True), start=1)]
    insert_events(rows, now)
    batch = encode_messages(row[1:] for row in rows)
    transaction.on_commit(lambda: live.publish_encoded(job_id, batch))
    return job


def _lock_and_advance(job_id: int, count: int, now: datetime) -> TrainingJob:
    """Lock the job's row and move its last_seq on by `count`; the row as it was before
    (last_seq, attempt, status, cancel_requested). TrainingJob.DoesNotExist if it is gone.

    On PostgreSQL one UPDATE ... RETURNING, which takes the lock itself: the ORM's locking
    SELECT and UPDATE were a round trip and a query compile more per batch (docs/scaling.md).
    """
    if connection.vendor != "postgresql":
        job = (TrainingJob.objects.select_for_update()
               .only("last_seq", "attempt", "status", "cancel_requested").get(pk=job_id))
        TrainingJob.objects.filter(pk=job_id).update(
            last_seq=job.last_seq + count, heartbeat_at=now)
        return job
    table = connection.ops.quote_name(TrainingJob._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + %s, heartbeat_at = %s WHERE id = %s"
            " RETURNING last_seq - %s, attempt, status, cancel_requested",
            [count, now, job_id, count])
        row = cursor.fetchone()
    if row is None:
        raise TrainingJob.DoesNotExist(f"no training job {job_id}")
    last_seq, job_attempt, status, cancel_requested = row
    return TrainingJob(pk=job_id, last_seq=last_seq, attempt=job_attempt, status=status,
                       cancel_requested=cancel_requested)


def insert_events(rows: list[tuple[int, int, str, str]], now: datetime) -> None:
    """Store (job id, seq, type, payload already encoded as JSON) rows; the caller holds the
    jobs' row locks and chose the seqs (_append_events for one job, pack_services for a
    pack's jobs).

    On PostgreSQL, one INSERT of four array parameters: bulk_create compiled a Cast
    expression per row, and that compiling was most of the worker's writer-thread CPU
    (~5 ms of every batch, ~3 s of a 30-job pack, which training waits for while the
    writer holds the GIL: docs/scaling.md). Another database gets the ORM's bulk_create,
    with the same rows.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        JobEvent.objects.bulk_create([
            JobEvent(job_id=job_id, seq=seq, type=event_type,
                     payload=Cast(Value(text), JSONField()))
            for job_id, seq, event_type, text in rows])
        return
    job_ids, seqs, types, payloads = (list(column) for column in zip(*rows, strict=True))
    table = connection.ops.quote_name(JobEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (job_id, seq, type, payload, created_at) "
            "SELECT job_id, seq, type, payload::jsonb, %s FROM unnest("
            "%s::bigint[], %s::integer[], %s::varchar[], %s::text[]) "
            "AS event(job_id, seq, type, payload)",
            [now, job_ids, seqs, types, payloads])


def encode_messages(events: Iterable[tuple[int, str, str]]) -> str:
    """The JSON list of {"seq", "type", "payload"} messages (JobEvent.as_message), as
    json.dumps writes it, from (seq, type, payload already encoded) triples."""
    return "[" + ", ".join(
        f'{{"seq": {seq}, "type": {json.dumps(event_type)}, "payload": {payload}}}'
        for seq, event_type, payload in events
    ) + "]"
