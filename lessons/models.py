"""Courses, lessons, labs and quizzes, and what a learner did with them.

Markdown fields keep their source; the sanitized HTML is rendered once on save (`*_html`), so a
page view never runs the Markdown/MathML pipeline.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse

from lessons import labs
from lessons.challenge_rules import validate_challenge
from lessons.markdown import render_markdown, render_markdown_inline


class Course(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=False)
    # `manage.py load_lessons` bookkeeping for course.yaml (see Lesson.content_hash).
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course-detail", args=[self.slug])


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="module_slug_unique_in_course"),
        ]

    def __str__(self) -> str:
        return self.title


class LessonStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Lesson(models.Model):
    # Set on the lessons of a cached outline only (selectors.outline_cached), not a field.
    page_url: str

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    # Unique site-wide: simple to reason about, and a lesson URL can never be ambiguous.
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Markdown; $...$ and $$...$$ for LaTeX math.")
    body_html = models.TextField(blank=True, editable=False)
    order = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=16, choices=LessonStatus.choices, default=LessonStatus.DRAFT, db_index=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Bookkeeping for `manage.py load_lessons`: the hash of the source file it last loaded,
    # and of the lesson (with its labs and quiz) as it wrote it. A row whose current hash
    # differs from `content_hash` was changed by an instructor and is not overwritten.
    source_path = models.CharField(max_length=300, blank=True, editable=False)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The file version an instructor chose not to take (see PendingLessonUpdate): that file
    # does not flag this lesson again, a newer one does.
    kept_source_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["module__course__order", "module__order", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in LessonStatus]),
                name="lesson_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.__dict__.update(self.rendered())
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("lesson-detail", args=[self.module.course.slug, self.slug])

    def rendered(self) -> dict[str, str]:
        """The HTML fields as the current renderer makes them from their Markdown sources."""
        return {"body_html": render_markdown(self.body)}

    @property
    def is_published(self) -> bool:
        return self.status == LessonStatus.PUBLISHED


class Lab(models.Model):
    """A training exercise on a lesson: a preset config and which knobs the learner may turn."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="labs")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    order = models.PositiveIntegerField(default=0)
    instructions = models.TextField(blank=True, help_text="Markdown.")
    instructions_html = models.TextField(blank=True, editable=False)
    preset_config = models.JSONField(
        help_text="A full training config; stored normalized (every default filled in)."
    )
    tunable = models.JSONField(
        default=dict,
        blank=True,
        help_text='Dotted config path → bounds, e.g. {"optim.lr": {"min": 0.0001, "max": 1}}.',
    )

    class Meta:
        ordering = ["lesson", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "slug"], name="lab_slug_unique_in_lesson"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.__dict__.update(self.rendered())
        super().save(*args, **kwargs)

    def rendered(self) -> dict[str, str]:
        return {"instructions_html": render_markdown(self.instructions)}

    @property
    def form_fields(self) -> dict[str, dict]:
        """Label, help and type of each tunable field, for the lab form (lab.js)."""
        return labs.form_fields(self.tunable)

    def config_errors(self, config: dict) -> dict[str, str]:
        """{path: reason} where a normalized config leaves this lab's preset and bounds;
        services.job_submit asks it of the lab a run is submitted with."""
        return labs.check_lab_config(self, config)

    def clean(self) -> None:
        super().clean()
        preset, errors = labs.normalize_preset(self.preset_config)
        if errors:
            raise ValidationError({"preset_config": [f"{p}: {r}" for p, r in errors.items()]})
        self.preset_config = preset
        if self.tunable is None:
            self.tunable = {}
        errors = labs.validate_tunable(self.tunable, preset)
        if errors:
            raise ValidationError({"tunable": [f"{p}: {r}" for p, r in errors.items()]})


class Quiz(models.Model):
    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="quiz")
    title = models.CharField(max_length=200, default="Check your understanding")
    pass_mark = models.PositiveSmallIntegerField(
        default=60, validators=[MaxValueValidator(100)], help_text="Percent needed to pass."
    )

    class Meta:
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100), name="quiz_pass_mark_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.lesson})"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    NUMERIC = "numeric", "Numeric"


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    prompt = models.TextField(help_text="Markdown.")
    prompt_html = models.TextField(blank=True, editable=False)
    explanation = models.TextField(blank=True, help_text="Markdown, shown after answering.")
    explanation_html = models.TextField(blank=True, editable=False)
    answer = models.FloatField(null=True, blank=True, help_text="Numeric questions only.")
    tolerance = models.FloatField(default=0, help_text="Numeric: accepted |given − answer|.")

    class Meta:
        ordering = ["quiz", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in QuestionKind]),
                name="question_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=QuestionKind.NUMERIC) | models.Q(answer__isnull=False),
                name="numeric_question_has_answer",
            ),
            models.CheckConstraint(
                condition=models.Q(tolerance__gte=0), name="question_tolerance_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.order}: {self.prompt[:60]}"

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
        if self.kind == QuestionKind.NUMERIC and self.answer is None:
            raise ValidationError({"answer": "A numeric question needs an answer."})


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=500, help_text="Markdown (inline).")
    text_html = models.TextField(blank=True, editable=False)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "order", "id"]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        self.__dict__.update(self.rendered())
        super().save(*args, **kwargs)

    def rendered(self) -> dict[str, str]:
        return {"text_html": render_markdown_inline(self.text)}


class Attempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    answers = models.JSONField(help_text="Question id → the submitted answer.")
    results = models.JSONField(help_text="Question id → {correct, given, expected}.")
    score = models.PositiveIntegerField()
    max_score = models.PositiveIntegerField()
    # What the attempt was graded against, kept when the quiz is rewritten later: the
    # questions as asked (see QuestionVersion) and the pass mark then.
    question_versions = models.ManyToManyField(
        "lessons.QuestionVersion", related_name="attempts", blank=True
    )
    pass_mark = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The quiz's pass mark when this attempt was graded."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=models.F("max_score")),
                name="attempt_score_at_most_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.quiz}: {self.score}/{self.max_score}"

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    @property
    def graded_pass_mark(self) -> int:
        return self.quiz.pass_mark if self.pass_mark is None else self.pass_mark

    @property
    def passed(self) -> bool:
        return self.score * 100 >= self.graded_pass_mark * self.max_score


class LessonProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(null=True, blank=True)
    best_score = models.FloatField(null=True, blank=True, help_text="Best quiz score, percent.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="progress_unique_user_lesson"),
            models.CheckConstraint(
                condition=models.Q(best_score__isnull=True)
                | models.Q(best_score__gte=0, best_score__lte=100),
                name="progress_best_score_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.lesson}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class ChallengeOp(models.TextChoices):
    AT_LEAST = ">=", "at least"
    ABOVE = ">", "above"
    AT_MOST = "<=", "at most"
    BELOW = "<", "below"


class Challenge(models.Model):
    """A goal on a lab, graded from the learner's own succeeded runs as the worker stored
    them (see lessons.challenges): a metric of the run's summary against a target, at most
    `max_params` parameters, and only the fields in `bounds` changed from the lab's preset.
    An optional second condition (`also_*`) must hold too: a fairness gap under a bound is
    no achievement for a model that rejects everyone, so it comes with an accuracy floor."""

    lab = models.OneToOneField(Lab, on_delete=models.CASCADE, related_name="challenge")
    metric = models.CharField(max_length=40, help_text="A number of the run's summary.")
    op = models.CharField(max_length=2, choices=ChallengeOp.choices, default=ChallengeOp.AT_LEAST)
    target = models.FloatField()
    max_params = models.PositiveIntegerField(
        null=True, blank=True, help_text="At most this many trainable parameters (optional)."
    )
    bounds = models.JSONField(
        default=dict, blank=True,
        help_text="The fields the learner may change for this challenge, with bounds in the "
        'lab\'s tunable format, e.g. {"model.hidden": {"max_layers": 2, "max_units": 16}}. '
        "Each must be tunable in the lab. Empty: the lab's own tunable fields and bounds.",
    )
    also_metric = models.CharField(
        max_length=40, blank=True,
        help_text="Optional: a second number of the run's summary that must also meet its "
        "target, e.g. validation accuracy at least 0.85 beside a fairness gap.",
    )
    also_op = models.CharField(max_length=2, choices=ChallengeOp.choices,
                               default=ChallengeOp.AT_LEAST)
    also_target = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(op__in=[o.value for o in ChallengeOp]),
                name="challenge_op_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(also_op__in=[o.value for o in ChallengeOp]),
                name="challenge_also_op_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Challenge on {self.lab}"

    def clean(self) -> None:
        super().clean()
        errors = validate_challenge(
            metric=self.metric, target=self.target, bounds=self.bounds,
            lab=getattr(self, "lab", None), also_metric=self.also_metric,
            also_target=self.also_target,
        )
        if errors:
            raise ValidationError({key: [reason] for key, reason in errors.items()})


# Registered with the app from here; they refer to the models above by name.
from lessons.prediction_models import (  # noqa: E402, F401
    Prediction,
    PredictionChoice,
    PredictionQuestion,
)
from lessons.revision_models import PendingLessonUpdate, QuestionVersion  # noqa: E402, F401
