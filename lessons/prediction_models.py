"""Predict, then run: a question on a lab that the learner answers *before* training.

- `PredictionQuestion`: what the page will run (the lab's preset with `run_changes`) and which
  number of the run's stored summary settles it (`outcome`); the learner either picks one of
  its `PredictionChoice` ranges of that number, or estimates the number (`tolerance`).
- `Prediction`: a learner's answer, locked once stored (lessons.prediction_services refuses a
  second one and there is no way to edit it), and the run that settles it (`job`). Whether it
  was right is read from that run's summary as the worker stored it, whenever it is shown
  (lessons.predictions), so it can never disagree with the run. What makes a question valid
  is in lessons.prediction_rules.

Imported by lessons.models, so Django registers them with the app.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from lessons.markdown import render_markdown, render_markdown_inline
from lessons.prediction_rules import PredictionKind, range_error, validate_question


class PredictionQuestion(models.Model):
    lab = models.ForeignKey("lessons.Lab", on_delete=models.CASCADE,
                            related_name="prediction_questions")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=PredictionKind.choices,
                            default=PredictionKind.CHOICE)
    prompt = models.TextField(help_text="Markdown.")
    prompt_html = models.TextField(blank=True, editable=False)
    run_changes = models.JSONField(
        default=dict, blank=True,
        help_text='What the run changes from the lab\'s preset, e.g. {"model.dropout": 0.5}. '
        "Each must be tunable in the lab and within its bounds. Empty: the preset as it is.",
    )
    outcome = models.CharField(
        max_length=40, help_text="The number of the run's summary that settles the prediction."
    )
    tolerance = models.FloatField(
        default=0, help_text="Estimate questions: a prediction this close to the run's number "
        "is right."
    )
    explanation = models.TextField(
        blank=True, help_text="Markdown, shown beside the outcome once the run has finished."
    )
    explanation_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["lab", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in PredictionKind]),
                name="prediction_question_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(tolerance__gte=0),
                name="prediction_question_tolerance_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Prediction on {self.lab}: {self.prompt[:60]}"

    def save(self, *args, **kwargs):
        self.__dict__.update(self.rendered())
        super().save(*args, **kwargs)

    def rendered(self) -> dict[str, str]:
        return {
            "prompt_html": render_markdown(self.prompt),
            "explanation_html": render_markdown(self.explanation),
        }

    def clean(self) -> None:
        super().clean()
        errors = validate_question(
            kind=self.kind, run_changes=self.run_changes, outcome=self.outcome,
            tolerance=self.tolerance, lab=getattr(self, "lab", None),
        )
        if errors:
            raise ValidationError({key: [reason] for key, reason in errors.items()})


class PredictionChoice(models.Model):
    """One answer of a range question: the run's number falls in [low, high)."""

    question = models.ForeignKey(PredictionQuestion, on_delete=models.CASCADE,
                                 related_name="choices")
    order = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=300, help_text="Markdown (inline).")
    text_html = models.TextField(blank=True, editable=False)
    low = models.FloatField(null=True, blank=True,
                            help_text="The run's number is at least this (empty: no lower end).")
    high = models.FloatField(null=True, blank=True,
                             help_text="The run's number is below this (empty: no upper end).")

    class Meta:
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        self.__dict__.update(self.rendered())
        super().save(*args, **kwargs)

    def rendered(self) -> dict[str, str]:
        return {"text_html": render_markdown_inline(self.text)}

    def clean(self) -> None:
        super().clean()
        reason = range_error(self.low, self.high)
        if reason:
            raise ValidationError({"high": reason})

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


class Prediction(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="predictions")
    question = models.ForeignKey(PredictionQuestion, on_delete=models.CASCADE,
                                 related_name="predictions")
    # A choice an author deletes later leaves the prediction without one: shown, never right.
    choice = models.ForeignKey(PredictionChoice, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="predictions")
    value = models.FloatField(null=True, blank=True, help_text="Estimate questions.")
    # The run that settles it; a failed or cancelled one may be replaced by a new run.
    job = models.OneToOneField("jobs.TrainingJob", on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="prediction")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The lock: one prediction per learner and question, whatever races to make it.
            models.UniqueConstraint(fields=["user", "question"],
                                    name="one_prediction_per_learner_and_question"),
        ]

    def __str__(self) -> str:
        return f"{self.user}'s prediction on {self.question_id}"
