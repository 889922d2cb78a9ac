"""The jobs app's part of a person's data (registered with accounts.personal_data in
JobsConfig.ready): their runs in the download; on deletion, their trained-model files, and a
refusal for the account whose runs are the platform's standard base models."""

import logging

from django.contrib.auth.models import User
from django.core.files.storage import default_storage

from accounts.personal_data import AccountNotDeletable, Erasure, iso
from jobs.models import StandardBase, TrainedModel, TrainingJob

log = logging.getLogger(__name__)


def _run(job: TrainingJob) -> dict:
    lab = job.lab
    return {
        "id": job.pk,
        "status": job.status,
        "lab": {"title": lab.title, "lesson": lab.lesson.title} if lab else None,
        "config": job.config,
        "summary": job.result,
        "error": job.error,
        "shared": job.shared,
        "attempt": job.attempt,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "trained_model": (
            {"n_params": job.model.n_params, "size_bytes": job.model.size_bytes}
            if hasattr(job, "model") else None
        ),
    }


def export(user: User) -> dict[str, list[dict]]:
    jobs = (TrainingJob.objects.filter(owner=user)
            .select_related("lab__lesson", "model").order_by("created_at", "id"))
    return {"runs": [_run(job) for job in jobs]}


def erase(user: User) -> Erasure:
    if StandardBase.objects.filter(job__owner=user).exists():
        raise AccountNotDeletable(
            "This account trained the platform's standard base models, which every "
            "learner's transfer-learning labs start from: it cannot be deleted."
        )
    files = list(TrainedModel.objects.filter(job__owner=user).values_list("file", flat=True))
    return Erasure(
        counts={"runs": TrainingJob.objects.filter(owner=user).count()},
        after_commit=[lambda: _remove_files(files)],
    )


def _remove_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # the rows are gone either way; a stray file is only disk space
            log.warning("could not remove %s of a deleted account", name, exc_info=True)
