"""Transfer learning on the platform: which trained model a job may start from, and loading
it for the worker. The engine (engine/transfer.py) does the copying and freezing.

A job names its base by `transfer.base_job` (one of the learner's own succeeded jobs, which
includes the jobs of the models they deployed, or a standard base's job) or by
`transfer.base_name` (a standard base built on this server by `manage.py
build_base_models`).
"""

from django.db.models import Q

from engine import ConfigError, parse_config
from engine.transfer import BaseModel
from jobs.artifacts import deserialize
from jobs.models import JobStatus, StandardBase, TrainingJob

BUILD_COMMAND = "manage.py build_base_models"


def base_job_for(*, user, transfer: object) -> tuple[TrainingJob | None, str]:
    """The job whose model a submitted config starts from (None when it starts from
    scratch), and the config field that named it. Raises ConfigError naming that field when
    the base cannot be used. `transfer` is the raw section: it may not be valid yet."""
    if not isinstance(transfer, dict):
        return None, ""
    base_job, base_name = _job_id(transfer.get("base_job")), transfer.get("base_name")
    if base_job:
        return _own_or_standard_job(user, base_job), "transfer.base_job"
    if isinstance(base_name, str) and base_name != "none":
        return _standard_job(base_name), "transfer.base_name"
    return None, ""


def _job_id(value: object) -> int | None:
    """A job id as the config parser reads one (7 and 7.0 alike), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value) if value > 0 else None


def _own_or_standard_job(user, job_id: int) -> TrainingJob:
    job = (
        TrainingJob.objects.filter(Q(owner=user) | Q(standard_base__isnull=False), pk=job_id)
        .select_related("model")
        .first()
    )
    field = "transfer.base_job"
    if job is None:
        raise ConfigError({field: f"no job {job_id} of yours (nor a standard base) to start from"})
    _check_has_model(job, field)
    return job


def _standard_job(name: str) -> TrainingJob:
    field = "transfer.base_name"
    standard = StandardBase.objects.filter(name=name).select_related("job__model").first()
    if standard is None:
        raise ConfigError({field: f'the standard base "{name}" has not been built on this '
                                  f"server yet (an administrator runs `{BUILD_COMMAND}`)"})
    _check_has_model(standard.job, field)
    return standard.job


def _check_has_model(job: TrainingJob, field: str) -> None:
    if job.status != JobStatus.SUCCEEDED or not hasattr(job, "model"):
        raise ConfigError({field: f"job {job.pk} has no trained model to start from (it is "
                                  f"{job.status}; only a succeeded job has one)"})


def load_base(*, job: TrainingJob):
    """The engine's BaseModel for the job a config starts from, read from its stored file."""
    with job.model.file.open("rb") as file:
        stored = deserialize(file.read())
    label = job.standard_base.name if hasattr(job, "standard_base") else f"job {job.pk}"
    return BaseModel(parse_config(stored["config"]), stored["state_dict"], label)


def base_job_of(job: TrainingJob) -> TrainingJob | None:
    """For the worker: the base job of an accepted job, or None. Checked again here, not
    only at submission: a base must be the job owner's own or a standard one.
    Raises ObjectDoesNotExist when there is no such base (any more)."""
    transfer = job.config.get("transfer") or {}
    if transfer.get("base_job"):
        return TrainingJob.objects.select_related("model").get(
            Q(owner_id=job.owner_id) | Q(standard_base__isnull=False), pk=transfer["base_job"]
        )
    if transfer.get("base_name", "none") != "none":
        return StandardBase.objects.select_related("job__model").get(
            name=transfer["base_name"]
        ).job
    return None
