"""Class imbalance: the imbalanced variant of a two-class dataset (data.minority_fraction),
balanced class weights in the loss (optim.class_weights), and the final model's ROC, PR
and calibration (the RANKING event), checked against torch and scikit-learn."""

import numpy as np
import pytest
import torch
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.utils.class_weight import compute_class_weight

from engine import ConfigError, parse_config
from engine.datasets import load_dataset
from engine.models import build_model
from engine.packed import can_pack
from engine.ranking import ranking_report
from engine.supervised import SupervisedTask
from tests.engine.support import make_config, of_type, run

IMBALANCED = {"name": "moons", "n_samples": 400, "minority_fraction": 0.1, "noise": 0.3}


def test_minority_fraction_thins_class_one_in_every_split():
    data = load_dataset(make_config(data={**IMBALANCED, "test_fraction": 0.2}).data)
    for labels in (data.y_train, data.y_val, data.y_test):
        assert labels.float().mean().item() == pytest.approx(0.1, abs=0.01)
    assert len(data.y_train) + len(data.y_val) + len(data.y_test) == 400


def test_the_imbalanced_set_is_drawn_from_the_seed():
    first = load_dataset(make_config(data=IMBALANCED).data)
    again = load_dataset(make_config(data=IMBALANCED).data)
    other = load_dataset(make_config(data={**IMBALANCED, "seed": 1}).data)
    assert torch.equal(first.x_train, again.x_train)
    assert not torch.equal(first.x_train, other.x_train)


def test_the_rare_points_still_come_from_the_whole_moon():
    # Thinning picks class-1 points at random: they spread along the lower moon, not one end.
    data = load_dataset(make_config(data={**IMBALANCED, "noise": 0.0}).data)
    rare = data.x_train[data.y_train == 1]
    assert rare[:, 0].max() - rare[:, 0].min() > 2.5  # the moon spans ~3.3 standardized units


def test_balanced_default_draws_the_same_data_as_before():
    plain = load_dataset(make_config(data={"name": "moons"}).data)
    explicit = load_dataset(make_config(data={"name": "moons", "minority_fraction": 0.5}).data)
    assert torch.equal(plain.x_train, explicit.x_train)
    assert plain.y_train.float().mean().item() == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize(("data", "reason"), [
    ({"name": "digits", "minority_fraction": 0.1}, 'not "digits" (use 0.5)'),
    ({"name": "moons", "n_samples": 100, "minority_fraction": 0.05},
     "leaves 5 samples of class 1 among 100"),
    ({"name": "moons", "minority_fraction": 0.6}, "must be between 0.02 and 0.5 (got 0.6)"),
])
def test_minority_fraction_is_validated(data, reason):
    with pytest.raises(ConfigError) as raised:
        make_config(data=data)
    assert reason in raised.value.errors["data.minority_fraction"]


@pytest.mark.parametrize(("raw", "reason"), [
    ({"model": {"kind": "rnn"}, "data": {"name": "series"}}, "does not predict classes"),
    ({"model": {"kind": "mlp"}, "data": {"name": "hiring"},
      "optim": {"reweight": "group_label"}}, "cannot be combined with optim.reweight"),
    ({"model": {"kind": "mlp"}, "data": {"name": "moons"}, "optim": {"class_weights": "equal"}},
     "must be one of"),
])
def test_class_weights_are_validated(raw, reason):
    optim = {"name": "adam", "lr": 0.01, "epochs": 1, "class_weights": "balanced",
             **raw.get("optim", {})}
    with pytest.raises(ConfigError) as raised:
        parse_config({**raw, "optim": optim})
    assert reason in raised.value.errors["optim.class_weights"]


def test_class_weights_are_not_packed():
    assert "class weights" in can_pack([make_config(class_weights="balanced")] * 2)


def test_balanced_loss_equals_torch_cross_entropy_with_sklearn_class_weights():
    cfg = make_config(data=IMBALANCED, class_weights="balanced")
    data = load_dataset(cfg.data)
    task = SupervisedTask(cfg, data, build_model(cfg.model, cfg.data), "cpu")
    labels = data.y_train.numpy()
    expected_weights = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels)
    assert expected_weights[1] == pytest.approx(5.0, rel=0.05)  # 10% positives: 1 / (2 · 0.1)
    logits = task.model(data.x_train).detach()
    reference = torch.nn.CrossEntropyLoss(weight=torch.tensor(expected_weights).float())
    assert task.loss(logits, data.y_train).item() == pytest.approx(
        reference(logits, data.y_train).item(), rel=1e-6
    )
    # And the step trains on that loss: the loss it reports is the weighted one.
    batch = torch.arange(len(labels))
    assert task.step(batch).item() == pytest.approx(
        reference(logits, data.y_train).item(), rel=1e-6
    )


def test_balanced_weights_raise_the_recall_of_the_rare_class():
    data = {**IMBALANCED, "n_samples": 1000, "minority_fraction": 0.05}
    recalls = {}
    for weights in ("none", "balanced"):
        _, events = run(make_config(data=data, model={"hidden": [16]}, epochs=20,
                                    class_weights=weights))
        recalls[weights] = of_type(events, "classification_report")[-1]["recall"][1]
    assert recalls["balanced"] > recalls["none"] + 0.2


def test_ranking_event_equals_scikit_learn_on_the_final_model():
    cfg = make_config(data=IMBALANCED, model={"hidden": [8]}, epochs=3)
    result, events = run(cfg)
    (report,) = of_type(events, "ranking")
    assert report["epoch"] == 3
    data = load_dataset(cfg.data)
    with torch.no_grad():
        scores = torch.softmax(result.model(data.x_val), dim=1)[:, 1].double().numpy()
    labels = data.y_val.numpy()
    fpr, tpr, thresholds = metrics.roc_curve(labels, scores, drop_intermediate=False)
    np.testing.assert_allclose(report["roc"]["fpr"], fpr, atol=1e-9)
    np.testing.assert_allclose(report["roc"]["tpr"], tpr, atol=1e-9)
    np.testing.assert_allclose(report["roc"]["thresholds"], thresholds[1:], atol=1e-9)
    assert report["roc_auc"] == pytest.approx(metrics.roc_auc_score(labels, scores), abs=1e-9)
    assert report["average_precision"] == pytest.approx(
        metrics.average_precision_score(labels, scores), abs=1e-9
    )
    assert result.summary["roc_auc"] == report["roc_auc"]
    assert result.summary["average_precision"] == report["average_precision"]


def test_no_ranking_for_more_than_two_classes():
    _, events = run(make_config(dataset="gaussians", epochs=1))
    assert of_type(events, "ranking") == []


@pytest.mark.parametrize("seed", range(5))
def test_ranking_report_equals_scikit_learn_with_ties(seed):
    rng = np.random.default_rng(seed)
    labels = (rng.random(200) < 0.15).astype(int)
    labels[:2] = [0, 1]
    scores = np.round(rng.random(200) * (1 + labels) / 2, 1)  # coarse: many tied scores
    report = ranking_report(labels, scores)
    assert report["roc_auc"] == pytest.approx(metrics.roc_auc_score(labels, scores), abs=1e-9)
    assert report["average_precision"] == pytest.approx(
        metrics.average_precision_score(labels, scores), abs=1e-9
    )
    precision, recall, _ = metrics.precision_recall_curve(labels, scores)
    np.testing.assert_allclose(report["pr"]["precision"], precision[::-1], atol=1e-9)
    np.testing.assert_allclose(report["pr"]["recall"], recall[::-1], atol=1e-9)
    fraction, mean_score = calibration_curve(labels, scores, n_bins=10)
    np.testing.assert_allclose(report["calibration"]["fraction_positive"], fraction, atol=1e-9)
    np.testing.assert_allclose(report["calibration"]["mean_predicted"], mean_score, atol=1e-9)
    assert sum(report["calibration"]["count"]) == 200


def test_ranking_needs_both_classes():
    with pytest.raises(ValueError, match="both classes"):
        ranking_report(np.zeros(5), np.linspace(0, 1, 5))
