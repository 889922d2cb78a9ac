from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dlplatform.api_errors import StrictFieldsMixin
from jobs.models import JobStatus, TrainingJob

# The lab model, reached through the job's own foreign key (TrainingJob.lab names it as
# "lessons.Lab"): the jobs side imports no lessons module.
Lab = TrainingJob._meta.get_field("lab").related_model


@extend_schema_field({"$ref": "#/components/schemas/TrainConfig"})
class TrainConfigField(serializers.JSONField):
    """A training config; documented by the engine's own JSON schema (schema.py adds it)."""


class JobSubmitSerializer(StrictFieldsMixin, serializers.Serializer):
    config = TrainConfigField(
        help_text="The training config; see the TrainConfig schema for every field and bound."
    )
    lab = serializers.PrimaryKeyRelatedField(
        queryset=Lab._default_manager.filter(lesson__status="published"),
        required=False,
        allow_null=True,
        help_text="Submit as a run of this lab: only the lab's tunable fields may differ "
        "from its preset, within the lab's bounds.",
    )

    def validate_config(self, value):
        # Its fields are checked by services.job_submit, which knows the learner (a config
        # may start from one of their models) and names each offending field.
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        return value


class JobSerializer(serializers.ModelSerializer):
    """A job. Given `viewed_by_share_link` in its context (a visitor who is not the owner),
    its read-only URLs carry the share token, so the visitor's page can follow them."""

    config = TrainConfigField(read_only=True)
    urls = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=JobStatus.choices, read_only=True)
    share_url = serializers.SerializerMethodField(
        help_text="While the run is shared: the link that lets anyone view it (read-only)."
    )

    class Meta:
        model = TrainingJob
        fields = [
            "id", "status", "config", "lab", "shared", "share_url", "cancel_requested",
            "error", "result", "last_seq", "created_at", "started_at", "finished_at", "urls",
        ]
        read_only_fields = fields
        extra_kwargs = {"result": {"help_text": (
            "The run's summary ({} until it ends): n_params, epochs_completed, "
            "weights_epoch (the epoch whose weights the model holds: the last one, or with "
            "optim.restore_best the one with the lowest validation loss), steps, the final "
            "train_loss, train_accuracy, val_loss, val_accuracy (those of weights_epoch), "
            "best_val_accuracy with best_val_accuracy_epoch, best_val_loss with "
            "best_val_loss_epoch, early_stopped; and when measured val_macro_f1, fairness, "
            "test, and cv (the cross-validation summary: std_* is the sample standard "
            "deviation across folds, sem_* the standard error of the mean). Runs stored "
            "before these names have best_epoch (the best accuracy's epoch, or the lowest "
            "loss's for models without accuracy), no weights_epoch, and a population "
            "standard deviation in cv without sem_*."
        )}}

    def to_representation(self, job) -> dict:
        """What DRF's field-by-field representation gives (the fields above document it, and
        a test compares the two), built directly: a page of 50 jobs walked 14 field objects
        per job, and each single job built its fields first (ModelSerializer.get_fields),
        a third of a submission's serializing."""
        return {
            "id": job.pk,
            "status": str(job.status),
            "config": job.config,
            "lab": job.lab_id,
            "shared": job.shared,
            "share_url": self.get_share_url(job),
            "cancel_requested": job.cancel_requested,
            "error": job.error,
            "result": job.result,
            "last_seq": job.last_seq,
            "created_at": _iso_datetime(job.created_at),
            "started_at": _iso_datetime(job.started_at),
            "finished_at": _iso_datetime(job.finished_at),
            "urls": self.get_urls(job),
        }

    def get_urls(self, job) -> dict[str, str]:
        # Reversed once per response (the context is shared by a list's items), then
        # filled in per job: reversing 5 URLs for each of 50 jobs was half a list's time.
        templates = self.context.get("job_url_templates")
        if templates is None:
            templates = _job_url_templates(self.context.get("request"))
            self.context["job_url_templates"] = templates
        job_id = str(job.pk)
        urls = {key: url.replace(_ID_SLOT, job_id) for key, url in templates.items()}
        if self.context.get("viewed_by_share_link") and job.share_token:
            query = "?" + urlencode({SHARE_QUERY_PARAM: job.share_token})
            urls = {key: urls[key] + query for key in SHAREABLE_URLS}
            urls["page"] = self.get_share_url(job)
        return urls

    def get_share_url(self, job) -> str | None:
        if not (job.shared and job.share_token):
            return None
        url = reverse("run-shared", args=[job.share_token])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


def _iso_datetime(value: datetime | None) -> str | None:
    """As DRF's DateTimeField writes it with USE_TZ: in the current time zone, ISO 8601,
    UTC as `Z`."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


JOB_URL_NAMES = {
    "self": "api-job-detail",
    "events": "api-job-events",
    "metrics": "api-job-metrics",
    "cancel": "api-job-cancel",
    "page": "run-detail",
}
# What a visitor holding the share link may follow (not cancel, which is the owner's).
SHAREABLE_URLS = ("self", "events", "metrics")
SHARE_QUERY_PARAM = "share"
_ID_SLOT = "2147483647"  # an id no job has yet; the URLs hold it once, in their path


def _job_url_templates(request) -> dict[str, str]:
    urls = {key: reverse(name, args=[int(_ID_SLOT)]) for key, name in JOB_URL_NAMES.items()}
    if request is not None:
        urls = {key: request.build_absolute_uri(url) for key, url in urls.items()}
    return urls


class JobEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    type = serializers.CharField()
    payload = serializers.JSONField()


class JobHistorySerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField()
    events = JobEventSerializer(many=True)


class JobShareSerializer(StrictFieldsMixin, serializers.Serializer):
    shared = serializers.BooleanField(help_text="Whether anyone with the run's link may view it.")
