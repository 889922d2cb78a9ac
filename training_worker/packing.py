"""Packing: a worker that starts a small job takes compatible queued jobs along and trains
them all in one vectorized pass (engine/packed.py), when DLP_PACK_MAX_JOBS > 1.

Nothing here schedules: Celery delivers each job's message as usual. A worker that starts
a packable job claims queued companions with the same conditional QUEUED -> RUNNING move
their own message would make (services.job_start), so no job runs twice; when a
companion's message arrives later, that move is refused and the message is done.

A packed job's viewer sees what a solo run of it shows, as it comes: the engine reports
each job's own events (its step points, epoch metrics, per-epoch confusion matrix, class
report and pictures, test metrics) through the same callback a solo run uses, and this
module only records them, all jobs through one PackRecorder (pack_recording.py: one
writer, one transaction per flush for the whole pack); the INFO event also says how many
other runs it was packed with. Every job ends as its solo run would, the moment the
engine is done with it: a cancelled job ends cancelled at its next event while the others
train on (the pack stops at once when every job of it is cancelled or diverged), a
diverging one fails then, the others succeed together at the end (their models stored
and their ends written in one commit). Each is charged its share of the pack's time
against its learner's daily training time (PackShares). A packed job whose
worker machine is lost is handed on by the reaper (reaper.py) like any other: its next
attempt runs alone.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from engine import ConfigError, Event, parse_config
from engine.packed import can_pack, pack_size_within, train_packed
from engine.packed_events import PackedResult
from engine.training import TrainResult
from jobs import pack_services, routing
from jobs.models import JobStatus, TrainingJob
from training_worker import recording
from training_worker.pack_recording import PackRecorder, PackShares

log = logging.getLogger(__name__)

# Queued jobs looked at for companions, oldest first.
SCAN_LIMIT = 200


def claim_companions(job: TrainingJob, *, worker: str) -> list[TrainingJob]:
    """Start (for this worker) up to PACK_MAX_JOBS - 1 queued jobs packable with `job`."""
    config = parse_config(job.config)
    # Half the time limit, as if packing saved nothing: every job of a pack ends with it.
    # (The pack's events go through one connection, its recorder's writer thread's, so
    # the number of database connections does not bound it.)
    limit = min(settings.PACK_MAX_JOBS,
                pack_size_within(config, settings.JOB_TIME_LIMIT_S / 2)) - 1
    # The vectorized pass trains on the CPU; and a worker packs only jobs of its own queue
    # (the queue `job` came from). Packable jobs share model and batch, so they route alike
    # today; the check keeps it so if routing ever reads more of a config.
    if (limit < 1 or not settings.TRAINING_DEVICE.startswith("cpu")
            or can_pack([config]) is not None):
        return []
    queue = routing.queue_for(config)
    packable: list[int] = []
    queued = (TrainingJob.objects.filter(status=JobStatus.QUEUED).exclude(pk=job.pk)
              .order_by("created_at", "id").values_list("pk", "config")[:SCAN_LIMIT])
    for pk, other_config in queued:
        try:
            other = parse_config(other_config)
        except ConfigError:  # accepted under older rules: it runs alone, as it was
            continue
        if can_pack([config, other]) is None and routing.queue_for(other) == queue:
            packable.append(pk)
    # The same conditional move as services.job_start, for all of them in one commit.
    return pack_services.jobs_start(job_ids=packable, worker=worker, limit=limit)


def run_packed(jobs: list[TrainingJob]) -> None:
    """Train the started jobs together and end each as its own run would end; every job
    is ended, whatever fails."""
    pack = PackRecorder(jobs, time_limit_s=settings.JOB_TIME_LIMIT_S)
    shares = PackShares(len(jobs))
    try:
        _train_and_end(jobs, pack, shares)
    except SoftTimeLimitExceeded:
        _end_all(pack, shares, recording.time_limit_message())
    except Exception as exc:
        log.exception("packed jobs %s crashed", [job.pk for job in jobs])
        _end_all(pack, shares, f"Training crashed: {type(exc).__name__}: {exc}")
    finally:
        try:
            pack.close()
        except Exception:
            log.exception("packed jobs %s: events left unstored", [job.pk for job in jobs])


def _end_all(pack: PackRecorder, shares: PackShares, error: str) -> None:
    """Fail the jobs not ended yet (job_finish refuses the ones that were)."""
    for index, events in enumerate(pack.jobs):
        try:
            recording.end(events, JobStatus.FAILED, error=error,
                          training_seconds=shares.leave(index))
        except Exception:
            log.exception("packed job %s could not be ended; the reaper will", events.job_id)


def _train_and_end(jobs: list[TrainingJob], pack: PackRecorder, shares: PackShares) -> None:
    configs = [parse_config(job.config) for job in jobs]
    succeeded: list[tuple[int, TrainResult, float]] = []

    def on_event(index: int, event: Event) -> str | None:
        return pack.jobs[index].on_event(event)

    def on_end(index: int, result: PackedResult) -> None:
        # Called the moment the engine is done with a job: a learner who cancels, or whose
        # run diverges, is not kept waiting for the rest of the pack. The jobs trained to
        # their end (together, at the pack's last step) are stored and ended together.
        events, seconds = pack.jobs[index], shares.leave(index)
        if result.diverged is None and not events.timed_out and not result.stopped:
            succeeded.append((index, result.train_result(), seconds))
        else:
            _end(events, result, seconds)

    log.info("training jobs %s packed", [job.pk for job in jobs])
    train_packed(configs, on_event, on_end=on_end)
    _end_succeeded(jobs, pack, succeeded)


def _end(events, result: PackedResult, seconds: float) -> None:
    """End the job as runner.job_run ends a solo run with the same outcome."""
    if result.diverged is not None:
        recording.end(events, JobStatus.FAILED, error=str(result.diverged),
                      training_seconds=seconds)
    elif events.timed_out:
        recording.end(events, JobStatus.FAILED, error=recording.time_limit_message(),
                      result=result.summary, training_seconds=seconds)
    else:
        recording.end(events, JobStatus.CANCELLED, result=result.summary,
                      training_seconds=seconds)


def _end_succeeded(jobs: list[TrainingJob], pack: PackRecorder,
                   succeeded: list[tuple[int, TrainResult, float]]) -> None:
    """Store the trained jobs' last events, then their models and ends in one commit; if
    that fails, each job is ended alone, as a solo run is (recording.end_with_model)."""
    pack.write([pack.jobs[index] for index, _, _ in succeeded])
    current = [ended for ended in succeeded if not pack.jobs[ended[0]].superseded]
    try:
        recording.with_db_retry(lambda: pack_services.jobs_succeed(succeeded=[
            pack_services.Succeeded(
                job=jobs[index], model=trained.model,
                normalization=trained.normalization.as_dict(), summary=trained.summary,
                training_seconds=seconds)
            for index, trained, seconds in current]))
    except Exception:
        log.exception("packed jobs %s: ending them together failed; one by one",
                      [jobs[index].pk for index, _, _ in current])
        for index, trained, seconds in current:
            recording.end_with_model(pack.jobs[index], jobs[index], trained,
                                     training_seconds=seconds)
