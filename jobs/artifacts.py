"""Trained models as files: written by the worker when a job succeeds, read to deploy or to
start a transfer-learning job. Worker-side only (imports torch)."""

import io

import torch
from django.core.files.base import ContentFile
from django.db import transaction

from jobs.models import TrainedModel

FORMAT_VERSION = 1


def serialize(*, config: dict, model: torch.nn.Module) -> bytes:
    buffer = io.BytesIO()
    state = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    torch.save({"format": FORMAT_VERSION, "config": config, "state_dict": state}, buffer)
    return buffer.getvalue()


def deserialize(data: bytes) -> dict:
    """{"format", "config", "state_dict"}; weights_only keeps a file from running code."""
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def store_trained_model(
    *, job_id: int, config: dict, model: torch.nn.Module, normalization: dict
) -> TrainedModel:
    """Save (or, on a second run of the same attempt, replace) the job's trained model, with
    the input normalization it was trained behind (Normalization.as_dict())."""
    data = serialize(config=config, model=model)
    n_params = sum(p.numel() for p in model.parameters())
    with transaction.atomic():
        TrainedModel.objects.filter(job_id=job_id).delete()
        stored = TrainedModel(job_id=job_id, size_bytes=len(data), n_params=n_params,
                              normalization=normalization)
        stored.file.save(f"job-{job_id}.pt", ContentFile(data), save=False)
        stored.save()
    return stored
