"""The numbers the introduction lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted, last_event, summary_for

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("linear-vs-mlp", {}, "val_accuracy", 0.37, 0.002),
    ("linear-vs-mlp", {}, "train_loss", 0.692, 0.0005),
    ("linear-vs-mlp", {"model.hidden": [16, 16]}, "val_accuracy", 1.0, 0.002),
    ("linear-vs-mlp", {"model.hidden": [16, 16]}, "best_val_accuracy_epoch", 5, 0),
    ("linear-vs-mlp", {"model.hidden": [16, 16]}, "n_params", 354, 0),
    ("linear-vs-mlp", {"model.hidden": [2]}, "val_accuracy", 0.71, 0.002),
    ("linear-vs-mlp", {"model.hidden": [4]}, "val_accuracy", 0.98, 0.002),
    ("linear-vs-mlp", {"model.hidden": [8]}, "val_accuracy", 0.99, 0.002),
]  # fmt: skip

NOT_MEASURED = {
    "what-is-deep-learning": {
        "1940": "a date (the first neuron models)",
        "1950": "a date (the first neuron models)",
        "2010": "a date (the 2010s)",
        "2012": "a date (the ImageNet result, in the history timeline's introduction)",
        "50": '"50/50", the even odds of a guess, as words',
        "50%": "the question's premise: a model answering even odds",
        "128": "the worked example's layer width, with its arithmetic beside it",
        "300": "a hypothetical table in a quiz choice",
        "10": "the base-10 logarithm, a name",
        "69%": "a quiz distractor that reads the loss 0.69 as an accuracy",
    },
}

CHECKED_BY = {
    "what-is-deep-learning": {"2": "test_introduction_lesson_points_and_classes"},
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def test_introduction_lesson_points_and_classes():
    """"a point with 2 coordinates and ... a score for each of the 2 classes"."""
    info = last_event("linear-vs-mlp", "info")
    assert (info["n_features"], info["n_classes"]) == (2, 2)


def test_introduction_lesson_line_guesses_and_width_matters():
    """The line is no better than guessing; 2 hidden units are not enough, 4 and 8 are, and
    the two-layer network is best of all."""
    accuracy = {tuple(hidden): summary_for("linear-vs-mlp", {"model.hidden": hidden})[
        "val_accuracy"] for hidden in ([], [2], [4], [8], [16, 16])}
    assert accuracy[()] <= 0.5
    assert accuracy[()] < accuracy[(2,)] < accuracy[(4,)] <= accuracy[(8,)] <= accuracy[(16, 16)]
