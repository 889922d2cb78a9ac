"""Packing: a worker that starts a small job takes compatible queued jobs along and trains
them all in one vectorized pass (engine/packed.py), when DLP_PACK_MAX_JOBS > 1.

Nothing here schedules: Celery delivers each job's message as usual. A worker that starts
a packable job claims queued companions with the same conditional QUEUED -> RUNNING move
their own message would make (services.job_start), so no job runs twice; when a
companion's message arrives later, that move is refused and the message is done.

A packed job's viewer sees what a solo run of it shows, as it comes: the engine reports
each job's own events (its step points, epoch metrics, per-epoch confusion matrix, class
report and pictures, test metrics) through the same callback a solo run uses, and this
module only records them, each job to its own EventRecorder; the INFO event also says how
many other runs it was packed with. Every job ends as its solo run would, the moment the
engine is done with it: a cancelled job ends cancelled at its next event while the others
train on (the pack stops at once when every job of it is cancelled or diverged), a
diverging one fails then, the others succeed together at the end. A packed job whose
worker machine is lost is handed on by the reaper (reaper.py) like any other: its next
attempt runs alone.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from engine import ConfigError, Event, parse_config
from engine.packed import can_pack, pack_size_within, train_packed
from engine.packed_events import PackedResult
from jobs import routing, services
from jobs.models import JobStatus, TrainingJob
from training_worker import recording

log = logging.getLogger(__name__)

# Queued jobs looked at for companions, oldest first.
SCAN_LIMIT = 200


def claim_companions(job: TrainingJob, *, worker: str) -> list[TrainingJob]:
    """Start (for this worker) up to PACK_MAX_JOBS - 1 queued jobs packable with `job`."""
    config = parse_config(job.config)
    # Half the time limit, as if packing saved nothing: every job of a pack ends with it.
    # And each job stores its events through a database connection of its own (its
    # recorder's writer thread): the pack leaves two of the process's DB_MAX_CONNECTIONS
    # for the worker itself (beyond them, a connection waits and the writers fail).
    limit = min(settings.PACK_MAX_JOBS, settings.DB_MAX_CONNECTIONS - 2,
                pack_size_within(config, settings.JOB_TIME_LIMIT_S / 2)) - 1
    # The vectorized pass trains on the CPU; and a worker packs only jobs of its own queue
    # (the queue `job` came from). Packable jobs share model and batch, so they route alike
    # today; the check keeps it so if routing ever reads more of a config.
    if (limit < 1 or not settings.TRAINING_DEVICE.startswith("cpu")
            or can_pack([config]) is not None):
        return []
    queue = routing.queue_for(config)
    claimed: list[TrainingJob] = []
    queued = (TrainingJob.objects.filter(status=JobStatus.QUEUED).exclude(pk=job.pk)
              .order_by("created_at", "id").values_list("pk", "config")[:SCAN_LIMIT])
    for pk, other_config in queued:
        try:
            other = parse_config(other_config)
        except ConfigError:  # accepted under older rules: it runs alone, as it was
            continue
        if can_pack([config, other]) is not None or routing.queue_for(other) != queue:
            continue
        started = services.job_start(job_id=pk, attempt=1, worker=worker)
        if started is not None:
            claimed.append(started)
        if len(claimed) >= limit:
            break
    return claimed


def run_packed(jobs: list[TrainingJob]) -> None:
    """Train the started jobs together and end each as its own run would end; every job
    is ended, whatever fails."""
    recorders = [recording.EventRecorder(job.pk, time_limit_s=settings.JOB_TIME_LIMIT_S,
                                         attempt=job.attempt) for job in jobs]
    try:
        _train_and_end(jobs, recorders)
    except SoftTimeLimitExceeded:
        _end_all(jobs, recorders, recording.time_limit_message())
    except Exception as exc:
        log.exception("packed jobs %s crashed", [job.pk for job in jobs])
        _end_all(jobs, recorders, f"Training crashed: {type(exc).__name__}: {exc}")


def _end_all(jobs, recorders, error: str) -> None:
    """Fail the jobs not ended yet (job_finish refuses the ones that were)."""
    for job, recorder in zip(jobs, recorders, strict=True):
        try:
            recording.end(recorder, JobStatus.FAILED, error=error)
        except Exception:
            log.exception("packed job %s could not be ended; the reaper will", job.pk)


def _train_and_end(jobs: list[TrainingJob], recorders: list) -> None:
    configs = [parse_config(job.config) for job in jobs]

    def on_event(index: int, event: Event) -> str | None:
        return recorders[index].on_event(event)

    def on_end(index: int, result: PackedResult) -> None:
        # Called the moment the engine is done with a job: a learner who cancels, or whose
        # run diverges, is not kept waiting for the rest of the pack.
        _end(jobs[index], recorders[index], result)

    log.info("training jobs %s packed", [job.pk for job in jobs])
    train_packed(configs, on_event, on_end=on_end)


def _end(job: TrainingJob, recorder, result: PackedResult) -> None:
    """End the job as runner.job_run ends a solo run with the same outcome."""
    if result.diverged is not None:
        recording.end(recorder, JobStatus.FAILED, error=str(result.diverged))
    elif recorder.timed_out:
        recording.end(recorder, JobStatus.FAILED, error=recording.time_limit_message(),
                      result=result.summary)
    elif result.stopped:
        recording.end(recorder, JobStatus.CANCELLED, result=result.summary)
    else:
        recording.end_with_model(recorder, job, result.train_result())
