"""The deployments app's part of a person's data (registered with accounts.personal_data in
DeploymentsConfig.ready): their deployed models, with their counters."""

from django.contrib.auth.models import User

from accounts.personal_data import Erasure, iso
from deployments.models import DeployedModel


def _model(deployed: DeployedModel) -> dict:
    return {
        "id": deployed.pk,
        "name": deployed.name,
        "run_id": deployed.job_id,
        "created_at": iso(deployed.created_at),
        "preprocessing": deployed.preprocessing,
        "requests": deployed.request_count,
        "predictions": deployed.prediction_count,
        "mean_latency_ms": deployed.mean_latency_ms,
        "last_predicted_at": iso(deployed.last_predicted_at),
    }


def export(user: User) -> dict[str, list[dict]]:
    models = DeployedModel.objects.filter(owner=user).order_by("created_at", "id")
    return {"models": [_model(deployed) for deployed in models]}


def erase(user: User) -> Erasure:
    return Erasure(counts={"models": DeployedModel.objects.filter(owner=user).count()})
