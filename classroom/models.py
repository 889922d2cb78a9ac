"""Classes (cohorts): an instructor's group of learners following a course.

A learner joins with the class's code (or a link holding it) and may be in several classes;
the class's instructors read their learners' progress, attempts and runs, never edit them.
"""

import secrets

from django.conf import settings
from django.db import models

# No 0/O, 1/I/L: a code is read aloud in a classroom and typed by hand.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Cohort(models.Model):
    name = models.CharField(max_length=120)
    course = models.ForeignKey(
        "lessons.Course", on_delete=models.PROTECT, related_name="cohorts",
        help_text="The course this class follows: its progress columns.",
    )
    join_code = models.CharField(
        max_length=16, unique=True, default=new_join_code,
        help_text="Learners join with this code, or the link that holds it.",
    )
    joining_open = models.BooleanField(
        default=True, help_text="Untick to stop new learners joining (members stay)."
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cohorts_taught", blank=True
    )
    learners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="cohorts_joined", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "learner__username"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "learner"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.cohort}"


class Sweep(models.Model):
    """An instructor's batch of runs of a lab's preset over a grid of values and seeds, to
    see how a result varies before quoting it in a lesson (classroom.sweeps builds it)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sweeps"
    )
    lab = models.ForeignKey("lessons.Lab", on_delete=models.CASCADE, related_name="sweeps")
    base_config = models.JSONField(help_text="The lab's preset when the sweep started.")
    grid = models.JSONField(help_text='Config path → values, e.g. {"optim.lr": [0.01, 0.1]}.')
    seeds = models.JSONField(help_text="The data.seed values each grid point runs with.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Sweep #{self.pk} of {self.lab}"


class SweepRun(models.Model):
    """One run of a sweep: an ordinary training job, and the grid point and seed it runs."""

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="runs")
    job = models.OneToOneField(
        "jobs.TrainingJob", on_delete=models.CASCADE, related_name="sweep_run"
    )
    point = models.JSONField(help_text='This run\'s grid values, e.g. {"optim.lr": 0.1}.')
    seed = models.IntegerField()

    class Meta:
        ordering = ["sweep", "id"]

    def __str__(self) -> str:
        return f"Run #{self.job_id} of sweep #{self.sweep_id}"
