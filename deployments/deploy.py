"""Deployed models: who may see which, deploying a succeeded job's model, and predicting
with it. Beside it, serving.py builds and caches the served module, checks.py checks a
request's inputs and the model's outputs, exports.py writes the model out as a file.

A prediction takes inputs as a learner sees them and applies exactly what the engine did
before the model saw them: the normalization the run stored with its trained model.
"""

import time

import torch
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from deployments.checks import as_batch, check_finite_outputs
from deployments.models import DeployedModel
from deployments.serving import NotDeployable, loaded_model
from jobs.models import JobStatus, TrainingJob

DEPLOYABLE_KINDS = ("mlp", "cnn", "rnn")


# --- who may see what ---------------------------------------------------------------


def deployed_models_of(*, user) -> QuerySet[DeployedModel]:
    if not user.is_authenticated:
        return DeployedModel.objects.none()
    return DeployedModel.objects.filter(owner=user).select_related("job", "owner")


def deployed_model_for(*, user, model_id: int) -> DeployedModel | None:
    """The deployment if it is this user's; None otherwise, so callers answer 404 either way."""
    return deployed_models_of(user=user).select_related("job__model").filter(pk=model_id).first()


# --- deploying ------------------------------------------------------------------------


def model_deploy(*, user, job: TrainingJob, name: str = "") -> DeployedModel:
    """Deploy the job's trained model; the caller has checked that the job is the user's."""
    stored = getattr(job, "model", None)
    if job.status != JobStatus.SUCCEEDED or stored is None:
        raise NotDeployable("Only a succeeded job with a stored model can be deployed.")
    kind, dataset = job.config["model"]["kind"], job.config["data"]["name"]
    if kind not in DEPLOYABLE_KINDS:
        raise NotDeployable(f"A {kind} model does not make predictions to serve.")
    # With cross-validation the stored model is the kept fold's, and so is its normalization.
    if stored.normalization is None:
        raise NotDeployable("This model was stored without the normalization of its inputs "
                            "(its run is too old to recover it): train it again to deploy it.")
    with transaction.atomic():
        return DeployedModel.objects.create(
            owner=user, job=job, name=name or f"Run {job.pk} ({kind} on {dataset})",
            preprocessing=stored.normalization,
        )


# --- predicting -----------------------------------------------------------------------


def predict(deployed: DeployedModel, inputs: object, *, record: bool = True) -> dict:
    """{"predictions": [...]} for a batch of raw inputs; counts them and their latency
    unless `record` is False (the model page's own drawing of its decision regions is not
    a use of the model)."""
    started = time.perf_counter()
    loaded = loaded_model(deployed)
    batch = as_batch(inputs, loaded.spec)
    with torch.inference_mode():
        outputs = loaded.served(batch)
    check_finite_outputs(outputs)
    if loaded.served.classifies:
        predictions = [_classified(row, loaded.classes) for row in outputs.tolist()]
    else:
        predictions = [{"value": value} for value in outputs.tolist()]
    if record:
        record_predictions(deployed, len(predictions), (time.perf_counter() - started) * 1000)
    return {"predictions": predictions}


def _classified(probabilities: list[float], classes: list[str]) -> dict:
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    return {"class": classes[best], "probabilities": dict(zip(classes, probabilities, strict=True))}


def record_predictions(deployed: DeployedModel, n: int, latency_ms: float) -> None:
    """One UPDATE per request: counters moved in the database, never read-modify-write."""
    DeployedModel.objects.filter(pk=deployed.pk).update(
        request_count=F("request_count") + 1,
        prediction_count=F("prediction_count") + n,
        total_latency_ms=F("total_latency_ms") + latency_ms,
        last_latency_ms=latency_ms,
        last_predicted_at=timezone.now(),
    )
