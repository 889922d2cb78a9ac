"""The numbers the ethics-and-bias lessons quote still hold (see support.py).

The hiring validation set has 200 applicants per group, 100 of them qualified, so every rate is
a multiple of 0.005 or 0.01: a tolerance of a third of the printed digit tells neighbours apart."""

import pytest

from engine import parse_config
from engine.datasets import load_dataset
from tests.lessons.claims.support import PRESETS, assert_quoted, summary_for

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("biased-hiring", {}, "val_accuracy", 0.83, 0.004),
    ("reweighted-hiring", {}, "val_accuracy", 0.87, 0.004),
]  # fmt: skip

# (lab slug, changes, {fairness field: quoted value}); lists are (group A, group B).
FAIRNESS_CLAIMS = [
    ("biased-hiring", {}, {
        "fnr": [0.08, 0.45], "selection_rate": [0.51, 0.295],
        "demographic_parity_difference": 0.215, "equal_opportunity_difference": 0.37,
    }),
    ("biased-hiring", {"data.label_bias": 0}, {"fnr": [0.05, 0.10]}),
    ("biased-hiring", {"data.use_group_feature": False}, {"fnr": [0.08, 0.34]}),
    ("reweighted-hiring", {}, {
        "fnr": [0.10, 0.23], "demographic_parity_difference": 0.07,
        "equal_opportunity_difference": 0.13,
    }),
]  # fmt: skip

# The fairness-definitions lab: base rates 0.5 (A) and 0.3 (B), so rates are counts over 60,
# 100, 140 or 200 applicants, quoted to three decimals.
TRADEOFF_CLAIMS = [
    ("fairness-tradeoff", {}, {
        "base_rate": [0.5, 0.3], "selection_rate": [0.585, 0.275],
        "ppv": [0.812, 0.782], "fpr": [0.22, 0.086], "fnr": [0.05, 0.283],
        "demographic_parity_difference": 0.31, "predictive_parity_difference": 0.03,
        "equalized_odds_difference": 0.233,
    }),
    ("fairness-tradeoff", {"optim.reweight": "group_label"}, {
        "ppv": [0.828, 0.729], "demographic_parity_difference": 0.23,
        "equalized_odds_difference": 0.11, "predictive_parity_difference": 0.099,
    }),
]  # fmt: skip

RATE_TOLERANCE = 0.001  # rates are counts over 100 or 200 applicants: exact up to rounding

NOT_MEASURED = {
    "bias-in-data": {
        "2018": "a date", "35%": "a published audit's figure (Gender Shades)",
        "60": "the worked example's counts", "30": "the worked example's counts",
        "50": "the worked example's counts", "0.8": "the four-fifths rule's threshold",
        "900": "the worked example's group sizes", "98%": "the worked example's accuracies",
        "68%": "the worked example's accuracies", "95%": "the worked example's overall, computed",
        "80%": "a quiz scenario's share",
        "1": "a standard deviation of 1, standardization", "90": "a quiz scenario's counts",
        "200": "a quiz scenario's counts",
        "500": "a quiz scenario's counts",
        "0.6": "a quiz slip, the inverse weight 0.06 / 0.1",
    },
    "ethical-ai": {
        "2016": "a date (Kleinberg, Mullainathan and Raghavan)",
        "2017": "a date (Chouldechova)",
        "0.2": "a quiz scenario's base rate, PPV complement and FNR",
        "0.8": "a quiz scenario's positive predictive value",
        "0.05": "a quiz answer, computed by hand from Chouldechova's identity",
        "8": "the worked example's GPUs", "0.3": "the worked example's kW per GPU",
        "24": "the worked example's hours", "16": "a quiz scenario's GPUs",
        "0.4": "a quiz scenario's kW per GPU", "12": "a quiz scenario's hours",
        "2%": "a quiz scenario's flag rate", "3": "a quiz scenario's millions of posts",
        "1%": "the worked example's flag rate", "2": "the worked example's millions of posts",
        "0.1%": "an example false-positive rate", "2019": "a date", "2021": "a date",
        "2024": "a date",
    },
}
CHECKED_BY = {
    "ethical-ai": {"0.07": "test_equal_base_rates_keep_every_gap_small"},
    "bias-in-data": {
        "45": "test_bias_lesson_rejected_qualified_applicants",
        "8": "test_bias_lesson_rejected_qualified_applicants",
        "100": "test_bias_lesson_rejected_qualified_applicants",
    },
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


@pytest.mark.parametrize(("lab_slug", "changes", "quoted"), FAIRNESS_CLAIMS)
def test_bias_lesson_per_group_rates(lab_slug, changes, quoted):
    fairness = summary_for(lab_slug, changes)["fairness"]
    assert fairness["groups"] == ["A", "B"]
    for name, value in quoted.items():
        assert fairness[name] == pytest.approx(value, abs=RATE_TOLERANCE), name


def test_bias_lesson_rejected_qualified_applicants():
    """"rejects 45 of the 100 qualified group-B applicants ... against 8 of 100 in group A"."""
    data = load_dataset(parse_config(PRESETS["biased-hiring"]).data)
    qualified = [int(((data.g_val == group) & (data.y_val == 1)).sum()) for group in (0, 1)]
    assert qualified == [100, 100]
    fnr = summary_for("biased-hiring", {})["fairness"]["fnr"]
    assert [round(rate * 100, 6) for rate in fnr] == [8, 45]


def test_bias_lesson_comparisons():
    """Without label bias the gap almost closes; without the group column it only narrows;
    reweighting narrows it and raises the overall accuracy."""
    def gap(lab, changes=None):
        fnr = summary_for(lab, changes or {})["fairness"]["fnr"]
        return fnr[1] - fnr[0]

    biased = gap("biased-hiring")
    assert gap("biased-hiring", {"data.label_bias": 0}) < biased / 5
    assert 0 < gap("biased-hiring", {"data.use_group_feature": False}) < biased
    assert 0 < gap("reweighted-hiring") < biased
    assert (summary_for("reweighted-hiring", {})["val_accuracy"]
            > summary_for("biased-hiring", {})["val_accuracy"])


def test_reweighting_weakens_as_the_bias_grows():
    """"The gap does not vanish ... and it weakens as the bias grows" (label_bias 0.5)."""
    def gap(changes):
        fnr = summary_for("reweighted-hiring", changes)["fairness"]["fnr"]
        return fnr[1] - fnr[0]

    assert 0 < gap({}) < gap({"data.label_bias": 0.5})


@pytest.mark.parametrize(("lab_slug", "changes", "quoted"), TRADEOFF_CLAIMS)
def test_fairness_definitions_lab_rates(lab_slug, changes, quoted):
    fairness = summary_for(lab_slug, changes)["fairness"]
    for name, value in quoted.items():
        assert fairness[name] == pytest.approx(value, abs=RATE_TOLERANCE), name


def test_chouldechova_identity_holds_on_the_lab_rates():
    """The worked example: FPR = p / (1 - p) * (1 - PPV) / PPV * (1 - FNR) in each group."""
    fairness = summary_for("fairness-tradeoff", {})["fairness"]
    for group in (0, 1):
        p, ppv, fnr = (fairness[name][group] for name in ("base_rate", "ppv", "fnr"))
        expected = p / (1 - p) * (1 - ppv) / ppv * (1 - fnr)
        assert fairness["fpr"][group] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reweighting_trades_the_equalized_odds_gap_for_a_predictive_parity_gap(seed):
    """"With reweighting the equalized-odds gap falls ... while the predictive-parity gap
    opens", for each of seeds 0, 1 and 2; no gap closes. The quiz adds that the
    equal-opportunity gap narrows too."""
    plain = summary_for("fairness-tradeoff", {"data.seed": seed})["fairness"]
    weighted = summary_for(
        "fairness-tradeoff", {"data.seed": seed, "optim.reweight": "group_label"}
    )["fairness"]
    assert weighted["equalized_odds_difference"] < plain["equalized_odds_difference"]
    assert weighted["predictive_parity_difference"] > plain["predictive_parity_difference"]
    assert weighted["demographic_parity_difference"] < plain["demographic_parity_difference"]
    assert weighted["equal_opportunity_difference"] < plain["equal_opportunity_difference"]
    for fairness in (plain, weighted):
        assert min(fairness["demographic_parity_difference"],
                   fairness["equalized_odds_difference"],
                   fairness["predictive_parity_difference"]) > 0.02


def test_equal_base_rates_keep_every_gap_small():
    """"At base_rate_b: 0.5 all three gaps stay at or below 0.07 and reweighting changes
    nothing"."""
    gaps = ("demographic_parity_difference", "equalized_odds_difference",
            "predictive_parity_difference")
    plain = summary_for("fairness-tradeoff", {"data.base_rate_b": 0.5})["fairness"]
    weighted = summary_for(
        "fairness-tradeoff", {"data.base_rate_b": 0.5, "optim.reweight": "group_label"}
    )["fairness"]
    assert max(plain[gap] for gap in gaps) <= 0.07 + RATE_TOLERANCE
    assert weighted == plain
