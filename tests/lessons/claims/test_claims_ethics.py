"""The numbers the ethics-and-bias lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted, summary_for

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("biased-hiring", {}, "val_accuracy", 0.83, 0.02),
    ("reweighted-hiring", {}, "val_accuracy", 0.87, 0.02),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


# (lab slug, changes, {fairness field: quoted value}); lists are (group A, group B).
FAIRNESS_CLAIMS = [
    ("biased-hiring", {}, {
        "fnr": [0.08, 0.45], "selection_rate": [0.51, 0.30],
        "demographic_parity_difference": 0.22, "equal_opportunity_difference": 0.37,
    }),
    ("biased-hiring", {"data.label_bias": 0}, {"fnr": [0.05, 0.10]}),
    ("biased-hiring", {"data.use_group_feature": False}, {"fnr": [0.08, 0.34]}),
    ("reweighted-hiring", {}, {
        "fnr": [0.10, 0.23], "demographic_parity_difference": 0.07,
        "equal_opportunity_difference": 0.13,
    }),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "quoted"), FAIRNESS_CLAIMS)
def test_bias_lesson_per_group_rates(lab_slug, changes, quoted):
    fairness = summary_for(lab_slug, changes)["fairness"]
    assert fairness["groups"] == ["A", "B"]
    for name, value in quoted.items():
        assert fairness[name] == pytest.approx(value, abs=0.02), name


def test_bias_lesson_quiz_answer_is_our_run():
    """The quiz asks for group B's false-negative rate in the biased lab: 0.45."""
    assert summary_for("biased-hiring", {})["fairness"]["fnr"][1] == pytest.approx(0.45, abs=0.02)
