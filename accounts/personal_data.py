"""What the platform holds about one person: all of it as one JSON document, or all of it gone.

`export_for` (a read) gathers the account, its API tokens (never their keys or hashes),
runs with their configs and summaries, deployed models, quiz attempts, predictions made
before lab runs, and lesson progress. `delete_account` (a change) removes the account and
everything that belongs to it: runs and their events, trained-model files, deployed models,
tokens, attempts, predictions and progress.
Runs still queued or training are stopped by the worker on its next write, which finds
the job gone (jobs.services.record_events).
"""

import logging

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken
from deployments.models import DeployedModel
from jobs.models import StandardBase, TrainedModel, TrainingJob
from lessons.models import Attempt, LessonProgress, Prediction

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


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
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "trained_model": (
            {"n_params": job.model.n_params, "size_bytes": job.model.size_bytes}
            if hasattr(job, "model") else None
        ),
    }


def _model(deployed: DeployedModel) -> dict:
    return {
        "id": deployed.pk,
        "name": deployed.name,
        "run_id": deployed.job_id,
        "created_at": _iso(deployed.created_at),
        "preprocessing": deployed.preprocessing,
        "requests": deployed.request_count,
        "predictions": deployed.prediction_count,
        "mean_latency_ms": deployed.mean_latency_ms,
        "last_predicted_at": _iso(deployed.last_predicted_at),
    }


def _attempt(attempt: Attempt) -> dict:
    return {
        "id": attempt.pk,
        "lesson": attempt.quiz.lesson.title,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": round(attempt.percent, 1),
        "answers": attempt.answers,
        "results": attempt.results,
        "created_at": _iso(attempt.created_at),
    }


def export_for(user: User) -> dict:
    """Everything stored about `user`, as plain JSON-able data."""
    jobs = (TrainingJob.objects.filter(owner=user)
            .select_related("lab__lesson", "model").order_by("created_at", "id"))
    models = DeployedModel.objects.filter(owner=user).order_by("created_at", "id")
    attempts = (Attempt.objects.filter(user=user)
                .select_related("quiz__lesson").order_by("created_at", "id"))
    progress = (LessonProgress.objects.filter(user=user)
                .select_related("lesson").order_by("lesson__title"))
    tokens = ApiToken.objects.filter(user=user).order_by("created", "id")
    predictions = (Prediction.objects.filter(user=user)
                   .select_related("question__lab__lesson", "choice").order_by("created_at", "id"))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created": _iso(t.created),
             "last_used_at": _iso(t.last_used_at), "revoked_at": _iso(t.revoked_at),
             "expires_at": _iso(t.expires_at)}
            for t in tokens
        ],
        "runs": [_run(job) for job in jobs],
        "models": [_model(deployed) for deployed in models],
        "quiz_attempts": [_attempt(attempt) for attempt in attempts],
        "lab_predictions": [
            {"lesson": p.question.lab.lesson.title, "lab": p.question.lab.title,
             "question": p.question.prompt, "choice": p.choice.text if p.choice else None,
             "value": p.value, "run": p.job_id, "created_at": _iso(p.created_at)}
            for p in predictions
        ],
        "lesson_progress": [
            {"lesson": p.lesson.title, "completed_at": _iso(p.completed_at),
             "best_quiz_score": p.best_score}
            for p in progress
        ],
    }


class AccountNotDeletable(Exception):
    """The account holds something the whole platform depends on."""


def delete_account(user: User) -> dict[str, int]:
    """Delete `user` and all they own; returns how many runs and models went with them."""
    if StandardBase.objects.filter(job__owner=user).exists():
        raise AccountNotDeletable(
            "This account trained the platform's standard base models, which every "
            "learner's transfer-learning labs start from: it cannot be deleted."
        )
    with transaction.atomic():
        files = list(
            TrainedModel.objects.filter(job__owner=user).values_list("file", flat=True)
        )
        counts = {
            "runs": TrainingJob.objects.filter(owner=user).count(),
            "models": DeployedModel.objects.filter(owner=user).count(),
        }
        user.delete()  # cascades to runs, events, models, tokens, attempts, predictions, progress
        transaction.on_commit(lambda: _remove_files(files))
    return counts


def _remove_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # the rows are gone either way; a stray file is only disk space
            log.warning("could not remove %s of a deleted account", name, exc_info=True)
