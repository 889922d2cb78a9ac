"""State changes of the jobs of a pack (training_worker/packing.py), each the move that
services.py makes for one job, made for all of the pack's jobs in one transaction.

A pack of thirty that wrote like thirty solo runs made thirty transactions per flush
interval, each waiting for its own commit, from thirty writer threads that took the GIL
from the training thread (docs/scaling.md, "A class of thirty"). Every guarantee of the
single-job moves holds per job: events get the job's next gap-free sequence numbers under
its row lock, only the job's running attempt may write, a cancel request is read under
that lock, a deleted job counts as cancelled, viewers are woken after the commit.
"""

import json
from dataclasses import dataclass

import torch
from django.db import transaction
from django.utils import timezone

from jobs import live, services
from jobs.artifacts import store_trained_model
from jobs.models import JobStatus, TrainingJob

# What record_events_of_jobs tells a job's recorder.
CANCEL = "cancel"  # the learner asked to cancel (or the job was deleted): stop it
SUPERSEDED = "superseded"  # not this attempt's job any more: stop, write nothing more

# (job id, attempt or None, events); an empty list of events only beats the job's heart.
JobBatch = tuple[int, int | None, list[tuple[str, dict]]]


def record_events_of_jobs(*, batches: list[JobBatch]) -> dict[int, str | None]:
    """services.record_events for several jobs in one transaction; per job id, CANCEL,
    SUPERSEDED (nothing of that job is stored; the others are) or None.

    A job with no events gets its heartbeat, as services.job_heartbeat gives it.
    """
    outcomes: dict[int, str | None] = {}
    with transaction.atomic():
        # Locked in id order, as every writer of several rows must, so two never deadlock.
        locked = {job.pk: job for job in TrainingJob.objects.select_for_update()
                  .filter(pk__in=[job_id for job_id, _, _ in batches]).order_by("pk")
                  .only("last_seq", "attempt", "status", "cancel_requested")}
        now = timezone.now()
        rows: list[tuple[int, int, str, str]] = []
        changed, messages = [], {}
        for job_id, attempt, events in batches:
            job = locked.get(job_id)
            if job is None:
                outcomes[job_id] = CANCEL
                continue
            if attempt is not None and (job.attempt != attempt
                                        or job.status != JobStatus.RUNNING):
                outcomes[job_id] = SUPERSEDED
                continue
            # Encoded once for the table and the wake-up message (services._append_events).
            job_rows = [(job_id, job.last_seq + i, event_type, json.dumps(payload))
                        for i, (event_type, payload) in enumerate(events, start=1)]
            if job_rows:
                messages[job_id] = services.encode_messages(row[1:] for row in job_rows)
            rows += job_rows
            job.last_seq += len(job_rows)
            job.heartbeat_at = now
            changed.append(job)
            outcomes[job_id] = CANCEL if job.cancel_requested else None
        services.insert_events(rows, now)
        TrainingJob.objects.bulk_update(changed, ["last_seq", "heartbeat_at"])
        if messages:
            transaction.on_commit(lambda: live.publish_encoded_many(messages))
    return outcomes


def jobs_start(*, job_ids: list[int], worker: str, limit: int) -> list[TrainingJob]:
    """Start (attempt 1, for `worker`) up to `limit` of these jobs that are still queued,
    in their order, with one commit; services.job_start refuses the others as it would."""
    started: list[TrainingJob] = []
    with transaction.atomic():
        for job_id in job_ids:
            job = services.job_start(job_id=job_id, attempt=1, worker=worker)
            if job is not None:
                started.append(job)
                if len(started) >= limit:
                    break
    return started


@dataclass
class Succeeded:
    """A job of the pack trained to its end: what ending it as a solo run would store."""

    job: TrainingJob
    model: torch.nn.Module
    normalization: dict
    summary: dict | None
    training_seconds: float


def jobs_succeed(*, succeeded: list[Succeeded]) -> None:
    """Store each job's model and move it to succeeded (what training_worker.recording's
    end_with_model does for one job), with one commit; a job no longer running its
    attempt is left as it is, as services.job_finish leaves it."""
    with transaction.atomic():
        for end in succeeded:
            job = end.job
            store_trained_model(job_id=job.pk, config=job.config, model=end.model,
                                normalization=end.normalization)
            services.job_finish(job_id=job.pk, status=JobStatus.SUCCEEDED, result=end.summary,
                                attempt=job.attempt, training_seconds=end.training_seconds)
