"""Training ideas on the MLP: per-layer activations, optimizers and schedules, dropout,
batch normalization, weight decay, early stopping, gradient norms, decision boundaries,
small training sets, classification reports, cross-validation and a held-out test set."""

import json
import statistics

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn import metrics as sk_metrics
from sklearn.model_selection import StratifiedKFold
from torch import nn

from engine import (
    CLASSIFICATION_REPORT,
    CV_SUMMARY,
    DATA_POINTS,
    DECISION_BOUNDARY,
    EARLY_STOP,
    GRADIENT_NORMS,
    INFO,
    METRIC,
    TEST_METRICS,
    datasets,
    snapshots,
    supervised,
)
from engine.datasets import load_dataset, load_folds
from engine.events import RANKING
from engine.models import build_mlp, build_model
from engine.optimizers import learning_rate
from engine.training import batch_bounds
from tests.engine.support import epoch_metrics, make_config, of_type, run


def test_each_hidden_layer_can_have_its_own_activation():
    cfg = make_config(model={"hidden": [8, 4], "activations": ["tanh", "sigmoid"]})
    model = build_mlp(cfg.model, 2, 3)
    assert [type(layer) for layer in model] == [nn.Linear, nn.Tanh, nn.Linear, nn.Sigmoid,
                                                nn.Linear]


def test_dropout_and_batch_norm_sit_around_each_activation():
    cfg = make_config(model={"hidden": [8, 4], "dropout": 0.3, "batch_norm": True})
    model = build_mlp(cfg.model, 2, 3)
    assert [type(layer) for layer in model] == [
        nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Dropout,
        nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Dropout, nn.Linear,
    ]
    assert model[3].p == 0.3


@pytest.mark.parametrize(
    ("schedule", "scheduler"),
    [
        ("step", lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)),
        ("cosine", lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)),
        ("constant", lambda opt: torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0)),
    ],
)
def test_schedules_match_torchs_schedulers(schedule, scheduler):
    cfg = make_config(lr=0.1, epochs=10, schedule=schedule, step_size=3, gamma=0.5).optim
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    torch_scheduler = scheduler(optimizer)
    for epoch in range(1, 11):
        assert learning_rate(cfg, epoch) == pytest.approx(optimizer.param_groups[0]["lr"])
        optimizer.step()
        torch_scheduler.step()


def test_each_epoch_trains_with_the_scheduled_rate_and_reports_it(monkeypatch):
    used: list[tuple[int, float]] = []
    build = supervised.build_optimizer

    def recording_build(cfg, params):
        optimizer = build(cfg, params)
        optimizer.register_step_pre_hook(
            lambda opt, *_: used.append(opt.param_groups[0]["lr"])
        )
        return optimizer

    monkeypatch.setattr(supervised, "build_optimizer", recording_build)
    cfg = make_config(data={"n_samples": 100}, batch_size=40, epochs=6, lr=0.08,
                      schedule="step", step_size=2, gamma=0.5, name="rmsprop")
    _, events = run(cfg)
    expected = [0.08, 0.08, 0.04, 0.04, 0.02, 0.02]
    assert [m["lr"] for m in epoch_metrics(events)] == pytest.approx(expected)
    assert used == pytest.approx([lr for lr in expected for _ in range(2)])


def test_weight_decay_keeps_the_weights_smaller():
    def squared_weights(weight_decay):
        result, _ = run(make_config(epochs=20, weight_decay=weight_decay))
        return sum((p**2).sum().item() for p in result.model.parameters())

    assert squared_weights(0.05) < 0.8 * squared_weights(0.0)


def test_batch_norm_never_trains_on_a_batch_of_one():
    assert batch_bounds(80, 79, merge_single=True) == [(0, 80)]
    assert batch_bounds(80, 79, merge_single=False) == [(0, 79), (79, 80)]
    assert batch_bounds(81, 40, merge_single=True) == [(0, 40), (40, 81)]
    cfg = make_config(model={"batch_norm": True}, data={"n_samples": 100}, batch_size=79)
    result, events = run(cfg)
    assert events[0].payload["steps_per_epoch"] == 1
    assert result.epochs_completed == 3


def test_train_size_caps_the_training_set_keeping_every_class():
    cfg = make_config("mlp", "digits", data={"n_samples": 1000, "train_size": 50})
    data = load_dataset(cfg.data)
    assert len(data.y_train) == 50 and len(data.y_val) == 200
    assert torch.bincount(data.y_train, minlength=10).min() >= 4
    _, events = run(cfg)
    assert events[0].payload["n_train"] == 50


def overfitting_config(dropout=0.0, seed=0, **optim):
    """A wide MLP on 100 noisy training points: it learns the noise without help."""
    return make_config(
        "mlp", "moons", model={"hidden": [256, 256], "dropout": dropout},
        data={"n_samples": 1000, "noise": 0.3, "train_size": 100, "seed": seed},
        **{"epochs": 100, "batch_size": 32, **optim},
    )


def test_dropout_narrows_the_gap_between_training_and_validation_accuracy():
    def gap(dropout, seed):
        _, events = run(overfitting_config(dropout, seed))
        last = epoch_metrics(events)[-1]
        return last["train_accuracy"] - last["val_accuracy"]

    # Measured: smaller on all 5 seeds, by 0.005 to 0.115 (mean 0.05).
    gaps = [(gap(0.0, seed), gap(0.5, seed)) for seed in range(5)]
    assert sum(with_dropout < without for without, with_dropout in gaps) >= 4
    assert statistics.fmean(without - with_dropout for without, with_dropout in gaps) >= 0.02


def test_early_stopping_ends_a_run_once_validation_loss_stops_improving():
    cfg = overfitting_config(epochs=200, early_stopping_patience=5)
    result, events = run(cfg)
    metrics = epoch_metrics(events)
    (early_stop,) = of_type(events, EARLY_STOP)
    best = min(metrics, key=lambda m: m["val_loss"])

    # Nothing of an epoch comes after it: only the final model's report (binary classifiers).
    stop_at = next(i for i, event in enumerate(events) if event.type == EARLY_STOP)
    assert [event.type for event in events[stop_at + 1:]] == [RANKING]
    assert early_stop == {"epoch": metrics[-1]["epoch"], "best_val_loss_epoch": best["epoch"],
                          "best_val_loss": best["val_loss"], "patience": 5,
                          "restore_best": False}
    assert early_stop["epoch"] - early_stop["best_val_loss_epoch"] == 5
    assert early_stop["epoch"] < 200
    # It completed early: not the same as being stopped (cancelled).
    assert result.stopped is False
    assert result.summary["early_stopped"] is True
    assert result.epochs_completed == early_stop["epoch"]
    # The last epoch is pictured, whatever the snapshot cadence.
    assert of_type(events, DECISION_BOUNDARY)[-1]["epoch"] == early_stop["epoch"]


def test_gradient_norms_are_the_mean_weight_gradient_norm_per_layer():
    cfg = make_config(model={"hidden": [8, 4]}, data={"n_samples": 100}, batch_size="full",
                      epochs=1, log_grad_norms=True)
    torch.manual_seed(cfg.data.seed)
    data = load_dataset(cfg.data)
    model = build_model(cfg.model, cfg.data)
    F.cross_entropy(model(data.x_train), data.y_train).backward()
    expected = [layer.weight.grad.norm().item() for layer in model[::2]]

    _, events = run(cfg)
    (norms,) = of_type(events, GRADIENT_NORMS)
    assert norms["layers"] == ["linear1", "linear2", "linear3"]
    assert norms["norms"] == pytest.approx(expected, rel=1e-5)
    assert of_type(run(make_config())[1], GRADIENT_NORMS) == []


def test_a_deep_sigmoid_network_shows_vanishing_gradients():
    cfg = make_config(model={"hidden": [32] * 6, "activation": "sigmoid"}, name="sgd", lr=0.1,
                      epochs=2, log_grad_norms=True)
    _, events = run(cfg)
    for norms in of_type(events, GRADIENT_NORMS):
        first, *_, last = norms["norms"]
        assert len(norms["norms"]) == 7
        assert first < last / 1000


def test_decision_boundary_covers_the_data_at_the_documented_cadence():
    cfg = make_config(data={"n_samples": 200}, epochs=60)
    result, events = run(cfg)
    boundaries = of_type(events, DECISION_BOUNDARY)
    assert [b["epoch"] for b in boundaries] == list(range(3, 61, 3))

    data = load_dataset(cfg.data)
    last = boundaries[-1]
    xs, ys = snapshots.grid_axes(data.x_train)
    assert last["x"] == pytest.approx(xs.tolist(), abs=1e-4)
    assert last["y"] == pytest.approx(ys.tolist(), abs=1e-4)
    assert len(xs) == len(ys) == 40
    assert xs[0] < data.x_train[:, 0].min() and xs[-1] > data.x_train[:, 0].max()
    assert ys[0] < data.x_train[:, 1].min() and ys[-1] > data.x_train[:, 1].max()
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    with torch.no_grad():
        probabilities = torch.softmax(
            result.model(torch.stack([grid_x.flatten(), grid_y.flatten()], dim=1)), dim=1
        )
    assert np.allclose(last["probabilities"], probabilities[:, 1].reshape(40, 40), atol=1e-4)
    assert last["predicted"] == probabilities.argmax(dim=1).reshape(40, 40).tolist()
    (points,) = of_type(events, DATA_POINTS)
    assert points["x"] == pytest.approx(data.x_train[:, 0].tolist(), abs=1e-4)
    assert points["labels"] == data.y_train.tolist()


def test_multiclass_decision_boundary_shows_the_predicted_class_and_its_probability():
    cfg = make_config(dataset="spiral", epochs=2)
    result, events = run(cfg)
    last = of_type(events, DECISION_BOUNDARY)[-1]
    assert {value for row in last["predicted"] for value in row} <= {0, 1, 2}
    assert all(1 / 3 - 1e-4 <= p <= 1 for row in last["probabilities"] for p in row)
    assert len(json.dumps(last)) < 20_000


@pytest.fixture(scope="module")
def digits_with_test_set():
    cfg = make_config("mlp", "digits", model={"hidden": [64]}, data={
        "n_samples": 1797, "test_fraction": 0.2, "val_fraction": 0.2}, epochs=15)
    result, events = run(cfg)
    return cfg, result, events


def test_classification_report_equals_scikit_learns(digits_with_test_set):
    cfg, result, events = digits_with_test_set
    data = load_dataset(cfg.data)
    with torch.no_grad():
        predictions = result.model(data.x_val).argmax(dim=1).numpy()
    report = of_type(events, CLASSIFICATION_REPORT)[-1]
    precision, recall, f1, support = sk_metrics.precision_recall_fscore_support(
        data.y_val.numpy(), predictions, labels=range(10), zero_division=0
    )
    assert report["precision"] == pytest.approx(precision.tolist(), abs=1e-12)
    assert report["recall"] == pytest.approx(recall.tolist(), abs=1e-12)
    assert report["f1"] == pytest.approx(f1.tolist(), abs=1e-12)
    assert report["support"] == support.tolist()
    assert report["macro"]["f1"] == pytest.approx(
        sk_metrics.f1_score(data.y_val.numpy(), predictions, average="macro", zero_division=0)
    )
    assert result.summary["val_macro_f1"] == report["macro"]["f1"]


def test_test_set_is_held_out_and_measured_once_at_the_end(digits_with_test_set):
    cfg, result, events = digits_with_test_set
    data = load_dataset(cfg.data)
    assert (len(data.y_train), len(data.y_val), len(data.y_test)) == (1079, 359, 359)
    assert events[0].payload["n_test"] == 359
    seen = {tuple(row) for row in torch.cat([data.x_train, data.x_val]).tolist()}
    unseen = [row for row in data.x_test.tolist() if tuple(row) not in seen]
    assert len(unseen) >= 350  # a few digits have identical twins; none was moved over

    (test,) = of_type(events, TEST_METRICS)
    assert events[-1].type == TEST_METRICS
    with torch.no_grad():
        predictions = result.model(data.x_test).argmax(dim=1).numpy()
    y_test = data.y_test.numpy()
    assert test["accuracy"] == pytest.approx(sk_metrics.accuracy_score(y_test, predictions))
    assert test["matrix"] == sk_metrics.confusion_matrix(y_test, predictions).tolist()
    assert test["macro"]["f1"] == pytest.approx(
        sk_metrics.f1_score(y_test, predictions, average="macro")
    )
    assert test["n_test"] == 359
    assert result.summary["test"]["accuracy"] == test["accuracy"]


def test_folds_are_scikit_learns_stratified_folds():
    cfg = make_config("mlp", "digits", data={"n_samples": 300, "seed": 4}, eval={"cv_folds": 5})
    x, y = datasets._draw(cfg.data)
    folds = load_folds(cfg.data, 5)
    expected = StratifiedKFold(n_splits=5, shuffle=True, random_state=4).split(x, y)
    for fold, (train_index, val_index) in zip(folds, expected, strict=True):
        assert np.array_equal(fold.x_val.numpy(), x[val_index])
        assert np.array_equal(fold.y_val.numpy(), y[val_index])
        assert np.array_equal(fold.x_train.numpy(), x[train_index])


def test_cross_validation_trains_one_model_per_fold_and_summarizes_them():
    cfg = make_config(data={"n_samples": 300, "test_fraction": 0.1}, eval={"cv_folds": 3},
                      epochs=4)
    result, events = run(cfg)
    infos = of_type(events, INFO)
    assert [info["fold"] for info in infos] == [1, 2, 3]
    assert all(info["cv_folds"] == 3 and info["n_val"] == 90 for info in infos)
    fold_events = [e for e in events if e.type not in (CV_SUMMARY, TEST_METRICS)]
    assert all("fold" in e.payload for e in fold_events)

    (summary,) = of_type(events, CV_SUMMARY)
    per_fold = []
    for fold in (1, 2, 3):
        last = [m for m in epoch_metrics(events) if m["fold"] == fold][-1]
        report = [r for r in of_type(events, CLASSIFICATION_REPORT) if r["fold"] == fold][-1]
        per_fold.append({"fold": fold, "val_accuracy": last["val_accuracy"],
                         "macro_f1": report["macro"]["f1"], "epochs": 4})
    assert summary["folds"] == per_fold
    accuracies = [f["val_accuracy"] for f in per_fold]
    assert summary["mean_val_accuracy"] == pytest.approx(np.mean(accuracies))
    # The spread between folds is the sample standard deviation (ddof 1); the standard
    # error of the mean divides it by the square root of the number of folds.
    assert summary["std_val_accuracy"] == pytest.approx(np.std(accuracies, ddof=1))
    assert summary["sem_val_accuracy"] == pytest.approx(np.std(accuracies, ddof=1) / np.sqrt(3))
    f1s = [f["macro_f1"] for f in per_fold]
    assert summary["std_macro_f1"] == pytest.approx(np.std(f1s, ddof=1))
    assert summary["sem_macro_f1"] == pytest.approx(np.std(f1s, ddof=1) / np.sqrt(3))
    assert summary["mean_macro_f1"] == pytest.approx(
        statistics.fmean(f["macro_f1"] for f in per_fold)
    )

    (test,) = of_type(events, TEST_METRICS)
    best_fold = max(per_fold, key=lambda f: f["val_accuracy"])["fold"]
    assert test["fold"] == best_fold and events[-1].type == TEST_METRICS
    assert result.summary["cv"] == summary
    assert result.stopped is False
    json.dumps([(e.type, e.payload) for e in events], allow_nan=False)


def test_every_new_event_is_strict_json_and_small():
    cfg = make_config(
        "mlp", "spiral", model={"hidden": [16, 16], "dropout": 0.1, "batch_norm": True},
        data={"n_samples": 300, "test_fraction": 0.1, "train_size": 150},
        eval={"cv_folds": 2}, epochs=3, schedule="cosine", log_grad_norms=True,
        early_stopping_patience=2,
    )
    _, events = run(cfg)
    for event in events:
        assert len(json.dumps(event.payload, allow_nan=False)) < 40_000, event.type
    assert {e.type for e in events} >= {INFO, METRIC, DECISION_BOUNDARY, GRADIENT_NORMS,
                                        CV_SUMMARY, TEST_METRICS, DATA_POINTS}
