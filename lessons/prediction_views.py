"""What a lab's predict-then-run boxes show: the question, its choices with their ranges, and
the learner's locked prediction beside what its run gave."""

from dataclasses import dataclass

from lessons.prediction_models import Prediction, PredictionQuestion
from lessons.prediction_rules import OUTCOMES
from lessons.predictions import (
    PredictionOutcome,
    given_text,
    judge,
    outcome_text,
    range_text,
)


@dataclass
class PredictionBox:
    question: PredictionQuestion
    choices: list[tuple]  # (choice, its range in words)
    outcome_label: str
    run_changes: list[tuple[str, str]]  # (config path, value) the run changes from the preset
    prediction: Prediction | None = None
    outcome: PredictionOutcome | None = None

    @property
    def given(self) -> str:
        return given_text(self.prediction) if self.prediction else ""

    @property
    def outcome_text(self) -> str:
        return outcome_text(self.outcome) if self.outcome else ""


def _value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def prediction_boxes(user, labs) -> dict[int, list[PredictionBox]]:
    """Each lab's prediction boxes by lab id. The questions come with the labs (prefetched,
    and cached with the page's content); a learner's own predictions cost one query."""
    questions = {q.pk: q for lab in labs for q in lab.prediction_questions.all()}
    if not questions:
        return {}
    mine = {}
    if user.is_authenticated:
        for own in (Prediction.objects.filter(user=user, question_id__in=questions)
                    .select_related("choice", "job")):
            own.question = questions[own.question_id]  # choices loaded
            mine[own.question_id] = own
    boxes: dict[int, list[PredictionBox]] = {}
    for question in questions.values():
        prediction = mine.get(question.pk)
        boxes.setdefault(question.lab_id, []).append(PredictionBox(
            question=question,
            choices=[(c, range_text(c)) for c in question.choices.all()],
            outcome_label=OUTCOMES.get(question.outcome, question.outcome),
            run_changes=[(path, _value(v)) for path, v in (question.run_changes or {}).items()],
            prediction=prediction,
            outcome=judge(prediction) if prediction else None,
        ))
    return boxes
