"""Deployed models: a trained model served for predictions, with its counters."""

from django.conf import settings
from django.db import models

from jobs.models import TrainingJob


class DeployedModel(models.Model):
    """A trained model served for predictions, with the counters its page shows.

    `preprocessing` holds what the engine did to the inputs before the model saw them (the
    training set's mean and std for standardized datasets), fixed at deploy time so that a
    prediction on raw inputs sees them exactly as training did.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deployed_models"
    )
    job = models.ForeignKey(TrainingJob, on_delete=models.CASCADE, related_name="deployments")
    name = models.CharField(max_length=100)
    preprocessing = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    request_count = models.PositiveBigIntegerField(default=0)
    prediction_count = models.PositiveBigIntegerField(
        default=0, help_text="Inputs predicted (a request may hold a batch)."
    )
    total_latency_ms = models.FloatField(default=0.0, help_text="Sum over requests.")
    last_latency_ms = models.FloatField(null=True, blank=True)
    last_predicted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "training_worker_deployedmodel"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} (model {self.pk})"

    @property
    def mean_latency_ms(self) -> float | None:
        return self.total_latency_ms / self.request_count if self.request_count else None
