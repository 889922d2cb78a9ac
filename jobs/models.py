"""Training jobs and the events they emit.

A job's history is its JobEvent rows, ordered by a per-job sequence number: the database is
the source of truth, Redis only wakes live viewers.

Every table keeps the name it had when these models lived in the `training_worker` app
(`db_table`): the move to this app changed no table (jobs/migrations/0001_initial.py).
"""

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


TERMINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})

# The only moves a job can make; services.py enforces them with conditional updates.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.CANCELLED, JobStatus.FAILED}),
    # running -> queued: the reaper hands on a job whose worker machine was lost (reaper.py).
    JobStatus.RUNNING: frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED,
                                  JobStatus.QUEUED}),
}


class TrainingJob(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_jobs"
    )
    lab = models.ForeignKey(
        "lessons.Lab", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    config = models.JSONField(help_text="The normalized, validated training config.")
    status = models.CharField(
        max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    cancel_requested = models.BooleanField(default=False)
    shared = models.BooleanField(
        default=False, help_text="Anyone with the link may view the run (read-only)."
    )
    share_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False,
        help_text="The unguessable part of a shared run's link; set while shared, cleared "
        "when the owner stops sharing (so an old link stops working).",
    )
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="Summary of the final metrics.")
    attempt = models.PositiveSmallIntegerField(
        default=0, help_text="Which attempt is (or was last) running: 2 after a lost worker."
    )
    worker = models.CharField(
        max_length=200, blank=True, help_text="host:pid of the process running the attempt."
    )
    last_seq = models.PositiveIntegerField(
        default=0, help_text="Sequence number of the newest stored event."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time the worker wrote for this job."
    )
    training_time = models.DurationField(
        null=True, blank=True, help_text="Training time charged against the learner's daily "
        "limit when it is not finished_at - started_at: a packed run's share of its pack's.",
    )

    class Meta:
        db_table = "training_worker_trainingjob"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in JobStatus]),
                name="training_job_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class JobEvent(models.Model):
    job = models.ForeignKey(TrainingJob, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=32)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "training_worker_jobevent"
        ordering = ["job", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["job", "seq"], name="job_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.seq} {self.type}"

    def as_message(self) -> dict:
        return {"seq": self.seq, "type": self.type, "payload": self.payload}


class JobLimits(models.Model):
    """The platform's job limits, one row, edited by instructors in the admin."""

    max_concurrent_jobs = models.PositiveIntegerField(
        default=3, help_text="Queued or running jobs one learner may have at once."
    )
    max_jobs_per_hour = models.PositiveIntegerField(
        default=60, help_text="Jobs one learner may submit in any 60 minutes."
    )
    max_training_seconds_per_day = models.PositiveIntegerField(
        default=2 * 3600, help_text="Training time one learner may use in any 24 hours."
    )
    max_queued_jobs = models.PositiveIntegerField(
        default=1000, help_text="Queued jobs of all learners together; beyond it, 503."
    )
    max_sweep_runs = models.PositiveIntegerField(
        default=20,
        help_text="Runs one instructor's sweep may hold (grid values × seeds), and sweep runs "
        "one instructor may have queued or running at once. Sweep runs take this allowance "
        "instead of the per-learner concurrent limit; the hourly, daily and queue limits "
        "still count every one of them.",
    )

    class Meta:
        db_table = "training_worker_joblimits"
        verbose_name = verbose_name_plural = "job limits"

    def __str__(self) -> str:
        return "Job limits"

    def save(self, *args, **kwargs):
        self.pk = 1  # a single row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "JobLimits":
        return cls.objects.get_or_create(pk=1)[0]


class TrainedModel(models.Model):
    """The weights a succeeded job ended with, stored as a file with its config.

    The file is `torch.save({"format": 1, "config": ..., "state_dict": ...})`; deployment
    and transfer learning start from it. `normalization` is what the engine did to raw
    inputs before this model saw them (engine.dataset.Normalization.as_dict(): {"shift",
    "scale"}, or {} for none), as the run computed it; null only for a model stored before
    it was recorded whose statistics could not be recovered: such a model is not deployed.
    """

    job = models.OneToOneField(TrainingJob, on_delete=models.CASCADE, related_name="model")
    file = models.FileField(upload_to="models/")
    normalization = models.JSONField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField()
    n_params = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "training_worker_trainedmodel"

    def __str__(self) -> str:
        return f"Model of job {self.job_id}"


class StandardBase(models.Model):
    """One of the platform's standard base models (engine.catalog.STANDARD_BASES), as built
    on this server by `manage.py build_base_models`: the job that trained it. Any learner's
    transfer-learning job may start from it by name."""

    name = models.CharField(max_length=60, unique=True)
    job = models.OneToOneField(TrainingJob, on_delete=models.CASCADE, related_name="standard_base")
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "training_worker_standardbase"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
