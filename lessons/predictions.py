"""Predict, then run: what a prediction question runs, and how its run settles a prediction.

The run is the lab's preset with the question's `run_changes`, submitted as a run of the lab
(lessons.prediction_services). The truth is the run's summary as the worker stored it
(`TrainingJob.result`), read with the challenges' `metric_value`; nothing the browser sends
decides it. Whether a prediction was right is computed whenever it is read, like a challenge's
status, so it can never disagree with the run.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from jobs.models import JobStatus
from lessons.challenges import metric_value
from lessons.labs import _fmt, _with_value, normalize_preset
from lessons.prediction_models import (
    Prediction,
    PredictionChoice,
    PredictionKind,
    PredictionQuestion,
)
from lessons.prediction_rules import OUTCOMES


def outcome_value(result: dict | None, outcome: str) -> float | None:
    """The number `outcome` of a stored run summary, or None when the run reported none."""
    if outcome == "val_loss_over_best":
        last, best = metric_value(result, "val_loss"), metric_value(result, "best_val_loss")
        return last / best if last is not None and best else None
    if outcome == "accuracy_gap":
        train, val = metric_value(result, "train_accuracy"), metric_value(result, "val_accuracy")
        return train - val if train is not None and val is not None else None
    return metric_value(result, outcome)


def run_config(question: PredictionQuestion) -> dict:
    """The config the question runs: the lab's preset with its changes."""
    preset, _ = normalize_preset(question.lab.preset_config)
    config = preset or question.lab.preset_config
    for path, value in (question.run_changes or {}).items():
        config = _with_value(config, path, value)
    return config


# --- judging ---------------------------------------------------------------------------------

@dataclass
class PredictionOutcome:
    """A prediction as its run settles it (or not yet)."""

    prediction: Prediction
    state: str  # "no_run", or the run's status
    value: float | None = None  # the run's number, once it succeeded
    choice: PredictionChoice | None = None  # the range the run's number fell in
    right: bool | None = None  # None until a succeeded run settles it

    @property
    def settled(self) -> bool:
        return self.right is not None


def judge(prediction: Prediction) -> PredictionOutcome:
    """Settle a prediction from its run's stored summary (question and choices loaded)."""
    job = prediction.job
    if job is None:
        return PredictionOutcome(prediction, "no_run")
    if job.status != JobStatus.SUCCEEDED:
        return PredictionOutcome(prediction, job.status)
    question = prediction.question
    value = outcome_value(job.result, question.outcome)
    outcome = PredictionOutcome(prediction, job.status, value=value, right=False)
    if value is None:
        return outcome  # a run that reports no such number settles it as not right
    if question.kind == PredictionKind.NUMERIC:
        outcome.right = prediction.value is not None and (
            abs(prediction.value - value) <= question.tolerance + 1e-9)
        return outcome
    outcome.choice = next((c for c in question.choices.all() if c.contains(value)), None)
    outcome.right = outcome.choice is not None and outcome.choice.pk == prediction.choice_id
    return outcome


def value_text(value: float | None) -> str:
    """A run's number as the page shows it: 0.8650 → "0.865", 17.0 → "17"."""
    if value is None:
        return "–"
    return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:.0f}"


def range_text(choice: PredictionChoice) -> str:
    """A choice's range in words: "0.845 to 0.885", "below 0.6", "0.9 or more"."""
    if choice.low is not None and choice.high is not None:
        return f"{_fmt(choice.low)} to under {_fmt(choice.high)}"
    if choice.low is not None:
        return f"{_fmt(choice.low)} or more"
    return f"below {_fmt(choice.high)}"


def given_text(prediction: Prediction) -> str:
    """What the learner predicted, in words."""
    if prediction.question.kind == PredictionKind.NUMERIC:
        return value_text(prediction.value)
    if prediction.choice is None:
        return "(a choice removed since)"
    return prediction.choice.text


def outcome_text(outcome: PredictionOutcome) -> str:
    """One sentence: what the run gave, beside the prediction, or where the run is."""
    if outcome.state == "no_run":
        return "Your prediction is locked in. Train to see what happens."
    if outcome.state in (JobStatus.QUEUED, JobStatus.RUNNING):
        return "The run is training: the outcome shows here when it ends."
    if outcome.state != JobStatus.SUCCEEDED:
        return f"The run {outcome.state}: train it again to settle your prediction."
    question = outcome.prediction.question
    gave = f"The run gave {OUTCOMES.get(question.outcome, question.outcome)} " \
           f"{value_text(outcome.value)}"
    if outcome.choice is not None:
        gave += f": “{outcome.choice.text}”"
    verdict = "Your prediction was right." if outcome.right else "Your prediction was not right."
    return f"{gave}. {verdict}"


# --- reads -----------------------------------------------------------------------------------

def questions_of(*, labs=None) -> QuerySet[PredictionQuestion]:
    """Prediction questions (of these labs), with their choices loaded, in page order."""
    choices = Prefetch("choices", queryset=PredictionChoice.objects.order_by("order", "id"))
    questions = PredictionQuestion.objects.all() if labs is None else \
        PredictionQuestion.objects.filter(lab__in=labs)
    return (questions.select_related("lab__lesson__module__course").prefetch_related(choices)
            .order_by("lab__lesson_id", "lab__order", "lab_id", "order", "id"))


def predictions_of(*, user) -> QuerySet[Prediction]:
    """A learner's own predictions, with what judging them needs loaded."""
    if not user.is_authenticated:
        return Prediction.objects.none()
    choices = Prefetch("question__choices",
                       queryset=PredictionChoice.objects.order_by("order", "id"))
    return (Prediction.objects.filter(user=user)
            .select_related("question__lab__lesson__module__course", "choice", "job")
            .prefetch_related(choices))


@dataclass
class PredictionTally:
    made: int = 0
    settled: int = 0
    right: int = 0

    @property
    def waiting(self) -> int:
        """Made, but not settled yet: no run, or one that is training or did not succeed."""
        return self.made - self.settled


def prediction_tallies(*, users, course) -> dict[int, PredictionTally]:
    """Learner id → how many predictions they made on the course's labs, how many a run has
    settled, and how many of those were right (two queries)."""
    user_ids = [getattr(u, "pk", u) for u in users]
    tallies = {user_id: PredictionTally() for user_id in user_ids}
    choices = Prefetch("question__choices",
                       queryset=PredictionChoice.objects.order_by("order", "id"))
    predictions = (Prediction.objects.filter(user_id__in=user_ids,
                                             question__lab__lesson__module__course=course)
                   .select_related("question", "job").prefetch_related(choices))
    for prediction in predictions:
        tally, outcome = tallies[prediction.user_id], judge(prediction)
        tally.made += 1
        tally.settled += outcome.settled
        tally.right += bool(outcome.right)
    return tallies

