"""The shipped predict-then-run questions: what their runs give is what the lessons say.

A prediction is settled by the learner's own run, so the lesson's "right answer" is whatever
the engine produces: each question's run (its lab's preset with its `run` changes) is trained
here and read exactly as the platform reads a stored run (lessons.predictions.outcome_value).
A range question's run must land in the choice the explanation calls right, and not near
the edge of its range (a small change of the engine must not flip the answer unnoticed); the
numbers the explanations quote are claims like any other (see support.py).
"""

from pathlib import Path

import pytest
from django.conf import settings

from lessons.content import read_content
from lessons.predictions import outcome_value
from tests.lessons.claims.support import assert_quoted, summary_for

CONTENT = Path(settings.BASE_DIR) / "content"

LINEAR_LAYERS = {"model.hidden": [16, 16], "model.activation": "linear"}
DROPOUT_HALF = {"model.dropout": 0.5}
FROZEN_50 = {"data.train_size": 50}

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
PREDICTION_CLAIMS = [
    ("linear-vs-mlp", LINEAR_LAYERS, "val_accuracy", 0.39, 0.02),
    ("linear-vs-mlp", LINEAR_LAYERS, "train_loss", 0.693, 0.002),  # ln 2: no better than 50/50
    ("linear-vs-mlp", {}, "val_accuracy", 0.37, 0.02),
    ("dropout", DROPOUT_HALF, "val_accuracy", 0.865, 0.002),
    ("dropout", DROPOUT_HALF, "train_accuracy", 1.0, 0.002),
    ("dropout", DROPOUT_HALF, "val_loss", 0.96, 0.005),
    ("dropout", {"model.dropout": 0}, "val_loss", 0.99, 0.005),
    ("dropout", {"model.dropout": 0}, "val_accuracy", 0.865, 0.002),
    ("transfer-frozen", FROZEN_50, "val_accuracy", 0.929, 0.002),
]

# The answer each shipped question's run gives: the right choice's text, or the number an
# estimate is judged against (with how far the engine's result may drift from it).
ANSWERS = {
    "linear-vs-mlp": "No better than guessing, like the straight line",
    "dropout": "About the same as without dropout",
    "transfer-frozen": (0.929, 0.002),
}
EDGE_MARGIN = 0.01  # a run's number at least this far inside its range

NOT_MEASURED = {
    "transfer-learning": {"0.75": "an example of how to write the estimate, not a result"},
}


def shipped_questions() -> list[tuple[str, dict]]:
    return [(lab["slug"], question)
            for course in read_content(CONTENT) for lesson in course.lessons
            for lab in lesson.data["labs"] for question in lab["predictions"]]


QUESTIONS = shipped_questions()


def test_at_least_three_shipped_questions_each_with_an_answer():
    assert len(QUESTIONS) >= 3
    assert sorted(slug for slug, _ in QUESTIONS) == sorted(ANSWERS)


@pytest.mark.parametrize(("lab_slug", "question"), QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_the_run_gives_the_answer_the_lesson_explains(lab_slug, question):
    value = outcome_value(summary_for(lab_slug, question["run_changes"]), question["outcome"])
    expected = ANSWERS[lab_slug]
    if question["kind"] == "numeric":
        quoted, tolerance = expected
        assert value == pytest.approx(quoted, abs=tolerance)
        return
    landed = [c for c in question["choices"]
              if (c["low"] is None or value >= c["low"] + EDGE_MARGIN)
              and (c["high"] is None or value < c["high"] - EDGE_MARGIN)]
    assert [c["text"] for c in landed] == [expected], (lab_slug, value)


@pytest.mark.parametrize("claim", PREDICTION_CLAIMS, ids=lambda c: f"{c[0]}-{c[2]}")
def test_quoted_numbers(claim):
    assert_quoted(*claim)
