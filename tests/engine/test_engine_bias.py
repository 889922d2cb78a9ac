"""The hiring dataset, the fairness metrics and reweighting (the bias lab's engine side)."""

import math

import numpy as np
import pytest
import torch
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equal_opportunity_difference,
    equalized_odds_difference,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
)
from sklearn.metrics import accuracy_score, precision_score

from engine import FAIRNESS, ConfigError
from engine.budget import count_parameters
from engine.datasets import load_dataset
from engine.hiring import draw_applicants
from engine.metrics import group_fairness
from engine.models import build_model
from engine.models import count_parameters as count_built
from engine.supervised import group_label_weights
from tests.engine.support import make_config, of_type, run


def hiring(data=None, **optim):
    return make_config(dataset="hiring", data={"n_samples": 600, **(data or {})}, **optim)


# --- the dataset -------------------------------------------------------------------------


def test_training_set_is_skewed_and_validation_is_balanced_and_true():
    cfg = hiring({"n_samples": 1000, "group_b_share": 0.2, "label_bias": 0.4}).data
    data = load_dataset(cfg)
    assert data.groups == ["A", "B"]
    assert (len(data.y_train), len(data.y_val)) == (800, 200)
    assert data.g_train.sum().item() == 160  # 20% of 800 from group B
    b_labels = data.y_train[data.g_train == 1]
    assert b_labels.sum().item() == 80 - 32  # 40% of B's 80 qualified flipped to 0
    assert data.y_train[data.g_train == 0].float().mean().item() == 0.5
    # Validation: 100 per group, each exactly half qualified.
    for group in (0, 1):
        labels = data.y_val[data.g_val == group]
        assert (len(labels), labels.sum().item()) == (100, 50)


def test_validation_set_does_not_depend_on_the_training_skew():
    plain = load_dataset(hiring().data)
    skewed = load_dataset(hiring({"group_b_share": 0.05, "label_bias": 0.5}).data)
    assert torch.equal(plain.y_val, skewed.y_val) and torch.equal(plain.g_val, skewed.g_val)


def test_group_b_base_rate_holds_in_every_split_and_leaves_group_a_alone():
    cfg = hiring({"n_samples": 1000, "test_fraction": 0.2, "base_rate_b": 0.3}).data
    data = load_dataset(cfg)
    for split in ("train", "val", "test"):
        labels, groups = getattr(data, f"y_{split}"), getattr(data, f"g_{split}")
        n_b = int((groups == 1).sum())
        assert labels[groups == 1].sum().item() == math.floor(0.3 * n_b + 0.5), split
        assert labels[groups == 0].float().mean().item() == pytest.approx(0.5, abs=0.01), split
    # Validation: 100 per group; 50 qualified in A, 30 in B.
    assert [int(data.y_val[data.g_val == group].sum()) for group in (0, 1)] == [50, 30]


def test_a_base_rate_of_one_half_draws_the_same_applicants_as_before():
    rng_default, rng_half = np.random.default_rng(7), np.random.default_rng(7)
    default = draw_applicants(51, 49, 0.3, rng_default)
    half = draw_applicants(51, 49, 0.3, rng_half, base_rate_b=0.5)
    for ours, theirs in zip(default, half, strict=True):
        assert np.array_equal(ours, theirs)
    # Odd groups give the qualified the odd one: 26 of 51, 25 of 49.
    assert [int(default[1][default[2] == group].sum()) for group in (0, 1)] == [26, 25]


def test_group_column_is_the_last_feature_only_when_asked():
    with_group = load_dataset(hiring().data)
    without = load_dataset(hiring({"use_group_feature": False}).data)
    assert with_group.n_features == 5 and without.n_features == 4
    assert torch.equal(with_group.x_train[:, -1], with_group.g_train.float())
    assert torch.equal(with_group.x_train[:, :4], without.x_train)


def test_groups_share_one_true_relationship_and_postcode_is_a_proxy():
    rng = np.random.default_rng(0)
    x, y, g = draw_applicants(4000, 4000, 0.3, rng)
    for group in (0, 1):
        rows = g == group
        assert y[rows].mean() == 0.5
        # The same skill distribution among qualified applicants in both groups.
        assert x[rows & (y == 1), 0].mean() == pytest.approx(x[(g != group) & (y == 1), 0].mean(),
                                                              abs=0.06)
    # The postcode gives the group away about 98% of the time.
    assert ((x[:, 3] > 0) == (g == 1)).mean() == pytest.approx(0.977, abs=0.01)


def test_the_models_input_size_follows_the_group_toggle():
    for use_group in (True, False):
        cfg = hiring({"use_group_feature": use_group})
        model = build_model(cfg.model, cfg.data)
        assert count_built(model) == count_parameters(cfg.model, cfg.data)
        assert model[0].in_features == 4 + use_group


# --- config ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "optim", "path"),
    [
        ({"group_b_share": 0.04}, {}, "data.group_b_share"),
        ({"group_b_share": 0.51}, {}, "data.group_b_share"),
        ({"label_bias": -0.1}, {}, "data.label_bias"),
        ({"label_bias": 0.6}, {}, "data.label_bias"),
        ({"base_rate_b": 0.05}, {}, "data.base_rate_b"),
        ({"base_rate_b": 0.6}, {}, "data.base_rate_b"),
        ({"use_group_feature": 1}, {}, "data.use_group_feature"),
        ({}, {"reweight": "inverse"}, "optim.reweight"),
        ({}, {"reweight": True}, "optim.reweight"),
    ],
)
def test_out_of_range_values_are_refused_naming_the_field(data, optim, path):
    with pytest.raises(ConfigError) as caught:
        hiring(data, **optim)
    assert path in caught.value.errors


def test_reweighting_needs_a_dataset_with_groups():
    with pytest.raises(ConfigError) as caught:
        make_config(dataset="moons", reweight="group_label")
    assert caught.value.errors == {
        "optim.reweight": '"group_label" needs a dataset with groups ("hiring"), not "moons"'
    }


def test_cross_validation_is_refused_for_hiring():
    with pytest.raises(ConfigError) as caught:
        hiring(eval={"cv_folds": 3})
    assert "eval.cv_folds" in caught.value.errors


def test_defaults_normalize_and_round_trip():
    from engine import parse_config

    cfg = hiring()
    normalized = cfg.to_dict()
    assert normalized["data"]["group_b_share"] == 0.5
    assert normalized["data"]["label_bias"] == 0.0
    assert normalized["data"]["base_rate_b"] == 0.5
    assert normalized["data"]["use_group_feature"] is True
    assert normalized["optim"]["reweight"] == "none"
    assert parse_config(normalized) == cfg


def test_schema_documents_the_new_fields():
    from engine import config_json_schema

    schema = config_json_schema()["properties"]
    assert schema["data"]["properties"]["group_b_share"]["minimum"] == 0.05
    assert schema["data"]["properties"]["label_bias"]["maximum"] == 0.5
    assert schema["data"]["properties"]["base_rate_b"]["minimum"] == 0.1
    assert schema["optim"]["properties"]["reweight"]["enum"] == ["none", "group_label"]


# --- metrics -----------------------------------------------------------------------------


def random_case(seed: int, n: int = 301):
    generator = torch.Generator().manual_seed(seed)
    y_true = torch.randint(2, (n,), generator=generator)
    y_pred = torch.randint(2, (n,), generator=generator)
    groups = (torch.rand(n, generator=generator) < 0.3).long()
    return y_true, y_pred, groups


@pytest.mark.parametrize("seed", range(5))
def test_fairness_metrics_match_fairlearn(seed):
    y_true, y_pred, groups = random_case(seed)
    ours = group_fairness(y_true, y_pred, groups, 2)

    y, p, g = y_true.numpy(), y_pred.numpy(), groups.numpy()
    frame = MetricFrame(
        metrics={"accuracy": accuracy_score, "fpr": false_positive_rate,
                 "fnr": false_negative_rate, "selection_rate": selection_rate},
        y_true=y, y_pred=p, sensitive_features=g,
    )
    for name in ("accuracy", "fpr", "fnr", "selection_rate"):
        assert ours[name] == pytest.approx(frame.by_group[name].tolist(), abs=1e-12), name
    assert ours["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y, p, sensitive_features=g), abs=1e-12
    )
    assert ours["equal_opportunity_difference"] == pytest.approx(
        equal_opportunity_difference(y, p, sensitive_features=g), abs=1e-12
    )
    assert ours["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(y, p, sensitive_features=g), abs=1e-12
    )
    precision = MetricFrame(
        metrics=lambda t, q: precision_score(t, q, zero_division=0),
        y_true=y, y_pred=p, sensitive_features=g,
    ).by_group
    assert ours["ppv"] == pytest.approx(precision.tolist(), abs=1e-12)


def test_fairness_metrics_by_hand():
    # Group A: 4 applicants, 2 qualified; group B: 4, 2 qualified.
    y_true = torch.tensor([1, 1, 0, 0, 1, 1, 0, 0])
    y_pred = torch.tensor([1, 1, 1, 0, 1, 0, 0, 0])
    groups = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1])
    result = group_fairness(y_true, y_pred, groups, 2)
    assert result == {
        "accuracy": [0.75, 0.75],
        "fpr": [0.5, 0.0],
        "fnr": [0.0, 0.5],
        "selection_rate": [0.75, 0.25],
        "base_rate": [0.5, 0.5],
        "ppv": [2 / 3, 1.0],
        "demographic_parity_difference": 0.5,
        "equal_opportunity_difference": 0.5,
        "equalized_odds_difference": 0.5,
        "predictive_parity_difference": pytest.approx(1 / 3),
    }


def test_fairness_metrics_by_hand_with_unequal_base_rates():
    # Group A: 4 qualified of 6; group B: 1 qualified of 5 (different base rates).
    y_true = torch.tensor([1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    y_pred = torch.tensor([1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0])
    groups = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    result = group_fairness(y_true, y_pred, groups, 2)
    # A: TP 3, FN 1, FP 1, TN 1. B: TP 1, FN 0, FP 1, TN 3.
    assert result["base_rate"] == pytest.approx([4 / 6, 1 / 5])
    assert result["selection_rate"] == pytest.approx([4 / 6, 2 / 5])
    assert result["fpr"] == pytest.approx([1 / 2, 1 / 4])
    assert result["fnr"] == pytest.approx([1 / 4, 0.0])
    assert result["ppv"] == pytest.approx([3 / 4, 1 / 2])
    assert result["demographic_parity_difference"] == pytest.approx(4 / 6 - 2 / 5)
    assert result["equal_opportunity_difference"] == pytest.approx(1 / 4)
    assert result["equalized_odds_difference"] == pytest.approx(1 / 4)
    assert result["predictive_parity_difference"] == pytest.approx(1 / 4)


def test_equalized_odds_takes_the_false_positive_gap_when_it_is_larger():
    # Same true-positive rate (1) in both groups; FPR 1 in A and 0 in B.
    y_true = torch.tensor([1, 0, 1, 0])
    y_pred = torch.tensor([1, 1, 1, 0])
    groups = torch.tensor([0, 0, 1, 1])
    result = group_fairness(y_true, y_pred, groups, 2)
    assert result["equal_opportunity_difference"] == 0.0
    assert result["equalized_odds_difference"] == 1.0


def test_group_label_weights_give_every_cell_the_same_total():
    groups = torch.tensor([0] * 70 + [1] * 30)
    labels = torch.tensor([1] * 35 + [0] * 35 + [1] * 5 + [0] * 25)
    weights = group_label_weights(groups, labels)
    totals = [weights[(groups == g) & (labels == y)].sum().item() for g in (0, 1) for y in (0, 1)]
    assert totals == pytest.approx([25.0] * 4)
    assert weights.mean().item() == pytest.approx(1.0)


def test_an_empty_cell_shares_the_weight_among_the_others():
    groups = torch.tensor([0, 0, 1, 1, 1])
    labels = torch.tensor([1, 0, 0, 0, 0])  # no qualified B
    weights = group_label_weights(groups, labels)
    assert weights.tolist() == pytest.approx([5 / 3, 5 / 3, 5 / 9, 5 / 9, 5 / 9])


# --- training ----------------------------------------------------------------------------


def test_training_on_hiring_reports_fairness_every_epoch_and_in_the_summary():
    result, events = run(hiring({"group_b_share": 0.2, "label_bias": 0.4}))
    reports = of_type(events, FAIRNESS)
    assert [report["epoch"] for report in reports] == [1, 2, 3]
    last = reports[-1]
    assert last["groups"] == ["A", "B"]
    assert set(last) == {
        "epoch", "groups", "accuracy", "fpr", "fnr", "selection_rate", "base_rate", "ppv",
        "demographic_parity_difference", "equal_opportunity_difference",
        "equalized_odds_difference", "predictive_parity_difference",
    }
    assert result.summary["fairness"] == {k: v for k, v in last.items() if k != "epoch"}
    # Each fairness event follows its epoch's classification report.
    types = [event.type for event in events]
    assert types[types.index(FAIRNESS) - 1] == "classification_report"


def test_a_test_set_reports_fairness_on_its_own_balanced_groups():
    result, events = run(hiring({"test_fraction": 0.2, "label_bias": 0.3}))
    (test,) = of_type(events, "test_metrics")
    assert test["n_test"] == 120
    fairness = test["fairness"]
    assert fairness["groups"] == ["A", "B"]
    assert fairness["accuracy"][0] * 60 + fairness["accuracy"][1] * 60 == pytest.approx(
        test["accuracy"] * 120
    )


def test_other_datasets_report_no_fairness():
    result, events = run(make_config())
    assert not of_type(events, FAIRNESS) and "fairness" not in result.summary


def test_reweighting_narrows_the_gap_that_label_bias_opens():
    biased = {"n_samples": 1000, "noise": 0.3, "val_fraction": 0.4, "group_b_share": 0.2,
              "label_bias": 0.4}
    plain, _ = run(hiring(biased, epochs=20))
    reweighted, _ = run(hiring(biased, epochs=20, reweight="group_label"))
    gap = plain.summary["fairness"]["equal_opportunity_difference"]
    assert gap > 0.2
    assert reweighted.summary["fairness"]["equal_opportunity_difference"] < gap - 0.1


def test_reweighting_is_deterministic_and_changes_nothing_on_balanced_cells():
    # Half A, half B, each half qualified: every cell already weighs the same.
    plain, _ = run(hiring())
    reweighted, _ = run(hiring(reweight="group_label"))
    assert plain.summary["val_loss"] == pytest.approx(reweighted.summary["val_loss"], abs=1e-6)
