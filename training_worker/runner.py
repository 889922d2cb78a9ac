"""Runs one training job inside a worker: the engine trains, recording.py stores what it
reports; a small job may take compatible queued jobs along (packing.py).
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from engine import parse_config
from engine.config_rules import compatibility_errors
from engine.training import TrainingDiverged, train
from jobs import services, transfer
from jobs.models import JobStatus
from training_worker import device, packing
from training_worker.recording import (
    EventRecorder,
    end,
    end_with_model,
    time_limit_message,
    with_db_retry,
)

log = logging.getLogger(__name__)


def job_run(*, job_id: int, attempt: int = 1, worker: str = "", pack: bool = True) -> None:
    """Train a job to its end. Safe to call twice: services.job_start admits one run per attempt."""
    job = services.job_start(job_id=job_id, attempt=attempt, worker=worker)
    if job is None:
        log.info("job %s attempt %s is not startable; nothing to run", job_id, attempt)
        return
    if pack and settings.PACK_MAX_JOBS > 1 and attempt == 1:
        companions = packing.claim_companions(job, worker=worker)
        if companions:
            packing.run_packed([job, *companions])
            return
    recorder = EventRecorder(job_id, time_limit_s=settings.JOB_TIME_LIMIT_S, attempt=attempt)
    try:
        base = _base_model(job)
    except BaseUnavailable as exc:
        end(recorder, JobStatus.FAILED, error=str(exc))
        return
    try:
        result = train(parse_config(job.config), recorder.on_event,
                       device=settings.TRAINING_DEVICE, base=base)
        device.log_peak_memory(settings.TRAINING_DEVICE, job_id)
    except TrainingDiverged as exc:
        end(recorder, JobStatus.FAILED, error=str(exc))
    except SoftTimeLimitExceeded:
        end(recorder, JobStatus.FAILED, error=time_limit_message())
    except Exception as exc:
        log.exception("job %s crashed", job_id)
        if device.poisons_the_process(exc):
            end(recorder, JobStatus.FAILED, error=(
                f"Training crashed on the GPU: {type(exc).__name__}: {exc}. The worker process "
                "that ran it is replaced; submitting the job again is safe."))
            raise DeviceUnusable(str(exc)) from exc
        end(recorder, JobStatus.FAILED, error=f"Training crashed: {type(exc).__name__}: {exc}")
    else:
        if recorder.timed_out:
            end(recorder, JobStatus.FAILED, error=time_limit_message(), result=result.summary)
        elif result.stopped:
            end(recorder, JobStatus.CANCELLED, result=result.summary)
        else:
            end_with_model(recorder, job, result)


class DeviceUnusable(Exception):
    """The device failed in a way that leaves this process unable to use it again (a CUDA
    error such as a device-side assert poisons the process's CUDA context): the job has
    ended `failed`, and the process must be replaced before it takes another job."""


class BaseUnavailable(Exception):
    """The model a transfer-learning job starts from is gone (deleted since it was submitted)."""


def _base_model(job):
    base_job = None
    try:
        base_job = with_db_retry(lambda: transfer.base_job_of(job))
        base = None if base_job is None else transfer.load_base(job=base_job)
    except (ObjectDoesNotExist, FileNotFoundError) as exc:
        named = f"job {base_job.pk}" if base_job is not None else "the base model"
        raise BaseUnavailable(
            f"The model this job starts from ({named}) is no longer available; "
            "submit it again with another base."
        ) from exc
    # A standard base rebuilt since submission may have other layers.
    if base is not None and compatibility_errors(parse_config(job.config), base.config, "base"):
        raise BaseUnavailable(
            f"The base model ({base.label}) changed since this job was submitted and no longer "
            "fits its layers; submit it again."
        )
    return base
