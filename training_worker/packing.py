"""Packing: a worker that starts a small job takes compatible queued jobs along and trains
them all in one vectorized pass (engine/packed.py), when DLP_PACK_MAX_JOBS > 1.

Nothing here schedules: Celery delivers each job's message as usual. A worker that starts
a packable job claims queued companions with the same conditional QUEUED -> RUNNING move
their own message would make (services.job_start), so no job runs twice; when a
companion's message arrives later, that move is refused and the message is done.

What a packed job's viewer sees differs from a solo run in what the vectorized pass does
not measure: one metric event per epoch (no per-step points), and the confusion matrix,
class report and pictures of the final epoch only. A cancelled packed job ends, cancelled,
at the end of its current epoch while the others train on (the pack stops at once when
every job of it is cancelled). A packed job whose worker machine is lost is handed on by
the reaper (reaper.py) like any other: its next attempt runs alone.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from engine import (
    INFO,
    METRIC,
    STOP,
    TEST_METRICS,
    ConfigError,
    Event,
    parse_config,
)
from engine.catalog import DATASET_CLASSES, n_input_features
from engine.config_rules import split_sizes
from engine.models import build_model, count_parameters
from engine.packed import can_pack, train_packed
from engine.summary import empty_summary, update_summary
from engine.supervised import SupervisedTask
from engine.training import (
    TrainResult,
    batch_bounds,
    effective_batch_size,
)
from jobs import routing, services
from jobs.models import JobStatus, TrainingJob
from training_worker import recording

log = logging.getLogger(__name__)

# Queued jobs looked at for companions, oldest first.
SCAN_LIMIT = 200


def claim_companions(job: TrainingJob, *, worker: str) -> list[TrainingJob]:
    """Start (for this worker) up to PACK_MAX_JOBS - 1 queued jobs packable with `job`."""
    limit = settings.PACK_MAX_JOBS - 1
    config = parse_config(job.config)
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
    summaries = []
    for config, recorder in zip(configs, recorders, strict=True):
        info = Event(INFO, {**_info(config), "packed_with": len(jobs) - 1})
        summaries.append(_summary_of(info))
        recorder.on_event(info)

    cancelled: set[int] = set()

    def on_epoch(index: int, payload: dict) -> str | None:
        event = Event(METRIC, payload)
        _update(summaries[index], event)
        decision = recorders[index].on_event(event)
        # On the STOP this epoch returns, not on the flag alone: the writer thread may raise
        # the flag after on_event returned, and a job the pack still trains must not end.
        if decision == STOP and not recorders[index].timed_out:
            # Ended now, at this epoch, as a solo run would be: the pack trains on for the
            # others, and the learner who cancelled is not kept waiting for them.
            recording.end(recorders[index], JobStatus.CANCELLED, result=summaries[index])
            cancelled.add(index)
        return decision

    log.info("training jobs %s packed", [job.pk for job in jobs])
    results = train_packed(configs, on_epoch)
    for index, (job, config, recorder, summary, result) in enumerate(
        zip(jobs, configs, recorders, summaries, results, strict=True)
    ):
        if index not in cancelled:
            _end(job, config, recorder, summary, result)


def _end(job, config, recorder, summary: dict, result) -> None:
    if result.diverged is not None:
        recording.end(recorder, JobStatus.FAILED, error=str(result.diverged))
    elif recorder.timed_out:
        recording.end(recorder, JobStatus.FAILED, error=recording.time_limit_message(),
                      result=summary)
    else:  # not stopped: a job cancelled while packed was ended at that epoch (on_epoch)
        for event in _final_epoch_events(config, result):
            _update(summary, event)
            recorder.on_event(event)
        trained = TrainResult(stopped=False, epochs_completed=result.epochs_completed,
                              summary=summary, model=result.model,
                              normalization=result.data.normalization)
        recording.end_with_model(recorder, job, trained)


def _final_epoch_events(config, result) -> list[Event]:
    """The last epoch's confusion matrix, class report and pictures, measured on the trained
    model as a solo run measures them every epoch."""
    task = SupervisedTask(config, result.data, result.model, "cpu")
    task.evaluate()
    epoch = result.epochs_completed
    events = [*task.epoch_events(epoch), *task.snapshot_events(epoch)]
    if result.data.x_test is not None:
        events.append(Event(TEST_METRICS, task.test_metrics()))
    return events


def _info(config) -> dict:
    sizes = split_sizes(config.data)
    batch_size = effective_batch_size(config.optim.batch_size, sizes.train)
    info = {
        "n_train": sizes.train,
        "n_val": sizes.val,
        "n_features": n_input_features(config.data.name, config.data.use_group_feature),
        "n_classes": len(DATASET_CLASSES[config.data.name]),
        "classes": list(DATASET_CLASSES[config.data.name]),
        "n_params": count_parameters(build_model(config.model, config.data)),
        "epochs": config.optim.epochs,
        "steps_per_epoch": len(batch_bounds(sizes.train, batch_size, merge_single=False)),
        "batch_size": batch_size,
    }
    if sizes.test:
        info["n_test"] = sizes.test
    return info


def _summary_of(info: Event) -> dict:
    return empty_summary(info.payload["n_params"])


def _update(summary: dict, event: Event) -> None:
    update_summary(summary, event)
