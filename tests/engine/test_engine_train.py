import json
import math
import re
import time

import pytest
import torch
import torch.nn.functional as F
from sklearn import metrics as sk_metrics

from engine import (
    CLASSIFICATION_REPORT,
    CONFUSION_MATRIX,
    INFO,
    METRIC,
    MISCLASSIFIED,
    supervised,
)
from engine.catalog import ACTIVATIONS, DATASET_CLASSES, KIND_DATASETS, OPTIMIZERS
from engine.datasets import load_dataset
from engine.models import build_model
from engine.training import TrainingDiverged, train
from tests.engine.support import make_config, run


def config(dataset="moons", model=None, data=None, **optim):
    return make_config("mlp", dataset, model=model, data=data, **optim)


def step_events(events):
    return [e for e in events if e.type == METRIC and e.payload["scope"] == "step"]


def epoch_events(events):
    return [e for e in events if e.type == METRIC and e.payload["scope"] == "epoch"]


def count_optimizer_steps(monkeypatch) -> list[int]:
    """Every optimizer step the engine takes from now on appends to the returned list."""
    steps = []
    build = supervised.build_optimizer

    def counting_build(cfg, params):
        optimizer = build(cfg, params)
        optimizer.register_step_post_hook(lambda *_: steps.append(1))
        return optimizer

    monkeypatch.setattr(supervised, "build_optimizer", counting_build)
    return steps


@pytest.fixture(scope="module")
def digits_run():
    cfg = config("digits", model={"hidden": [64]}, data={"n_samples": 1797}, epochs=30)
    result, events = run(cfg)
    return cfg, result, events


def test_reported_validation_metrics_match_an_independent_computation(digits_run):
    cfg, result, events = digits_run
    data = load_dataset(cfg.data)
    with torch.no_grad():
        logits = result.model(data.x_val).double()
    probabilities = torch.softmax(logits, dim=1).numpy()
    predictions = probabilities.argmax(axis=1)
    y_val = data.y_val.numpy()

    last_epoch = epoch_events(events)[-1].payload
    last_matrix = [e for e in events if e.type == CONFUSION_MATRIX][-1].payload
    assert last_epoch["val_accuracy"] == pytest.approx(
        sk_metrics.accuracy_score(y_val, predictions), abs=1e-5
    )
    assert last_epoch["val_loss"] == pytest.approx(
        sk_metrics.log_loss(y_val, probabilities, labels=range(10)), abs=1e-5
    )
    assert last_matrix["labels"] == list(DATASET_CLASSES["digits"])
    assert last_matrix["matrix"] == sk_metrics.confusion_matrix(y_val, predictions).tolist()
    summary = result.summary
    assert (summary["val_loss"], summary["val_accuracy"]) == (
        last_epoch["val_loss"], last_epoch["val_accuracy"]
    )


def test_reported_training_metrics_are_on_the_full_training_set(digits_run):
    cfg, result, events = digits_run
    data = load_dataset(cfg.data)
    with torch.no_grad():
        logits = result.model(data.x_train)
    last_epoch = epoch_events(events)[-1].payload
    assert last_epoch["train_loss"] == pytest.approx(
        F.cross_entropy(logits, data.y_train).item(), abs=1e-5
    )
    assert last_epoch["train_accuracy"] == pytest.approx(
        sk_metrics.accuracy_score(data.y_train.numpy(), logits.argmax(dim=1).numpy()), abs=1e-5
    )


def test_digits_mlp_reaches_93_percent_within_30_epochs(digits_run):
    _, result, events = digits_run
    assert result.summary["best_val_accuracy"] >= 0.93
    assert max(e.payload["val_accuracy"] for e in epoch_events(events)) >= 0.93


def test_event_stream_has_the_documented_shapes_and_is_strict_json(digits_run):
    cfg, result, events = digits_run
    info = events[0]
    assert info.type == INFO
    assert info.payload == {
        "n_train": 1438, "n_val": 359, "n_features": 64, "n_classes": 10,
        "classes": list(DATASET_CLASSES["digits"]), "n_params": 64 * 64 + 64 + 64 * 10 + 10,
        "epochs": 30, "steps_per_epoch": 45, "batch_size": 32,
    }
    for event in events[1:]:
        assert event.type in (METRIC, CONFUSION_MATRIX, CLASSIFICATION_REPORT, MISCLASSIFIED)
        keys = set(event.payload)
        if event.type == MISCLASSIFIED:  # on snapshot epochs (here every epoch: 30 // 20 = 1)
            assert keys == {"epoch", "examples"}
        elif event.type == CONFUSION_MATRIX:
            assert keys == {"epoch", "labels", "matrix"}
        elif event.type == CLASSIFICATION_REPORT:
            assert keys == {"epoch", "labels", "precision", "recall", "f1", "support", "macro"}
        elif event.payload["scope"] == "step":
            assert keys == {"scope", "epoch", "step", "train_loss"}
        else:
            assert keys == {"scope", "epoch", "epochs", "step", "train_loss", "train_accuracy",
                            "val_loss", "val_accuracy", "lr"}
    # Strict JSON: any tensor, numpy number or NaN would make this raise.
    json.dumps([(e.type, e.payload) for e in events], allow_nan=False)
    json.dumps(result.summary, allow_nan=False)
    # Every epoch: its step events, its metrics, its confusion matrix and its report.
    epochs = [e.payload["epoch"] for e in events[1:]]
    assert epochs == sorted(epochs)
    for epoch in range(1, 31):
        of_epoch = [e for e in events[1:] if e.payload["epoch"] == epoch]
        assert of_epoch[-1].type == MISCLASSIFIED
        of_epoch = of_epoch[:-1]
        assert of_epoch[-1].type == CLASSIFICATION_REPORT
        assert of_epoch[-2].type == CONFUSION_MATRIX
        assert of_epoch[-3].payload["scope"] == "epoch"
        assert of_epoch[-4].payload == {
            "scope": "step", "epoch": epoch, "step": 45 * epoch,
            "train_loss": of_epoch[-4].payload["train_loss"],
        }


def test_summary_describes_the_last_epoch_and_the_best_one(digits_run):
    _, result, events = digits_run
    epochs = [e.payload for e in epoch_events(events)]
    best = max(epochs, key=lambda metrics: metrics["val_accuracy"])
    lowest_loss = min(epochs, key=lambda metrics: metrics["val_loss"])
    assert result.stopped is False
    assert result.epochs_completed == 30
    assert result.summary == {
        "n_params": events[0].payload["n_params"],
        "epochs_completed": 30,
        "weights_epoch": 30,
        "steps": 30 * 45,
        **{name: epochs[-1][name]
           for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy")},
        "best_val_accuracy": best["val_accuracy"],
        "best_val_accuracy_epoch": best["epoch"],
        "best_val_loss": lowest_loss["val_loss"],
        "best_val_loss_epoch": lowest_loss["epoch"],
        "early_stopped": False,
        "val_macro_f1": [e for e in events if e.type == CLASSIFICATION_REPORT][-1].payload[
            "macro"]["f1"],
    }
    assert next(result.model.parameters()).device.type == "cpu"
    assert not result.model.training


def test_evaluation_runs_the_model_in_eval_mode_without_gradients():
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Dropout(0.9))
    x, y = torch.randn(50, 4), torch.randint(3, (50,))
    loss, _, predictions = supervised.evaluate(model, x, y)
    with torch.no_grad():
        expected = model.eval()(x)
    assert loss == pytest.approx(F.cross_entropy(expected, y).item())
    assert torch.equal(predictions, expected.argmax(dim=1))
    assert all(parameter.grad is None for parameter in model.parameters())


def test_same_config_gives_identical_events_and_weights():
    cfg = config("spiral", data={"seed": 7}, batch_size=16)
    first, first_events = run(cfg)
    second, second_events = run(cfg)
    assert first_events == second_events
    for a, b in zip(first.model.parameters(), second.model.parameters(), strict=True):
        assert torch.equal(a, b)
    _, other_seed_events = run(config("spiral", data={"seed": 8}, batch_size=16))
    assert other_seed_events != first_events


@pytest.mark.parametrize(
    ("batch_size", "steps_per_epoch", "effective_batch_size", "step_events_per_epoch"),
    [
        (1, 80, 1, 20),  # logged every ceil(80 / 25) = 4 steps
        (32, 3, 32, 3),  # 32 + 32 + 16
        (7, 12, 7, 12),
        ("full", 1, 80, 1),
        (5000, 1, 80, 1),  # larger than the training set: full batch
    ],
)
def test_batch_size_sets_the_number_of_optimizer_steps(
    monkeypatch, batch_size, steps_per_epoch, effective_batch_size, step_events_per_epoch
):
    optimizer_steps = count_optimizer_steps(monkeypatch)
    cfg = config(data={"n_samples": 100}, batch_size=batch_size, epochs=2)
    result, events = run(cfg)

    assert events[0].payload["n_train"] == 80
    assert events[0].payload["steps_per_epoch"] == steps_per_epoch
    assert events[0].payload["batch_size"] == effective_batch_size
    assert len(optimizer_steps) == 2 * steps_per_epoch
    assert result.summary["steps"] == 2 * steps_per_epoch
    epoch_end_steps = [e.payload["step"] for e in epoch_events(events)]
    assert epoch_end_steps == [steps_per_epoch, 2 * steps_per_epoch]
    assert len(step_events(events)) == 2 * step_events_per_epoch


def test_step_events_stay_few_however_many_steps_an_epoch_has():
    cfg = config("digits", data={"n_samples": 1000}, batch_size=1, epochs=1, lr=0.001)
    _, events = run(cfg)
    steps = [e.payload["step"] for e in step_events(events)]
    assert events[0].payload["steps_per_epoch"] == 800
    assert steps == [*range(32, 801, 32)]  # every ceil(800 / 25) = 32 steps


def test_step_loss_is_the_mean_batch_loss_before_each_update():
    cfg = config(data={"n_samples": 100}, batch_size="full", epochs=1)
    torch.manual_seed(cfg.data.seed)
    data = load_dataset(cfg.data)
    initial_model = build_model(cfg.model, cfg.data)
    expected = F.cross_entropy(initial_model(data.x_train), data.y_train).item()

    _, events = run(cfg)

    assert step_events(events)[0].payload["train_loss"] == pytest.approx(expected, abs=1e-6)
    assert epoch_events(events)[0].payload["train_loss"] < expected


@pytest.mark.parametrize("stop_at_step", [1, 5, 13, 14])
def test_stop_ends_training_right_after_the_current_step(monkeypatch, stop_at_step):
    optimizer_steps = count_optimizer_steps(monkeypatch)

    def is_stop_step(event):
        return (
            event.type == METRIC
            and event.payload["scope"] == "step"
            and event.payload["step"] == stop_at_step
        )

    cfg = config(batch_size=32, epochs=5)  # 13 steps per epoch, one step event each
    result, events = run(cfg, stop_when=is_stop_step)

    assert is_stop_step(events[-1])
    assert len(optimizer_steps) == stop_at_step
    assert result.stopped is True
    assert result.epochs_completed == (1 if stop_at_step > 13 else 0)
    assert result.summary["steps"] == stop_at_step
    assert len(epoch_events(events)) == result.epochs_completed


def test_stop_on_the_first_event_trains_nothing(monkeypatch):
    optimizer_steps = count_optimizer_steps(monkeypatch)
    result, events = run(config(), stop_when=lambda event: True)
    assert [e.type for e in events] == [INFO]
    assert optimizer_steps == []
    assert result.stopped is True
    assert result.epochs_completed == 0
    assert result.summary["val_accuracy"] is None
    assert result.summary["best_val_accuracy_epoch"] is None


def test_stop_on_an_epoch_metric_counts_that_epoch_but_sends_nothing_more():
    def is_second_epoch(event):
        return event.type == METRIC and event.payload["scope"] == "epoch" and (
            event.payload["epoch"] == 2
        )

    result, events = run(config(epochs=5), stop_when=is_second_epoch)
    assert is_second_epoch(events[-1])
    assert result.stopped is True
    assert result.epochs_completed == 2
    assert result.summary["val_accuracy"] == events[-1].payload["val_accuracy"]


def test_moons_mlp_reaches_95_percent_within_60_epochs():
    result, _ = run(config("moons", epochs=60))
    assert result.summary["best_val_accuracy"] >= 0.95


def test_linear_model_fails_on_circles():
    result, events = run(config("circles", model={"hidden": []}, epochs=40, lr=0.05))
    assert max(e.payload["val_accuracy"] for e in epoch_events(events)) < 0.7
    assert result.summary["best_val_accuracy"] < 0.7


def test_exploding_learning_rate_raises_training_diverged():
    # Without non-linearities to saturate or die, lr=10 makes the weights, and the logits
    # with them, grow until they overflow.
    cfg = config(
        "digits", model={"hidden": [64, 64], "activation": "linear"}, name="sgd", lr=10, epochs=5
    )
    events = []
    with pytest.raises(TrainingDiverged) as caught:
        train(cfg, events.append)

    message = str(caught.value)
    match = re.fullmatch(
        r"loss became (NaN|infinite) at epoch (\d+), step (\d+) — try a smaller learning rate",
        message,
    )
    assert match is not None, message
    assert (int(match[2]), int(match[3])) == (caught.value.epoch, caught.value.step)
    reported = [e.payload["step"] for e in step_events(events)]
    assert all(step < caught.value.step for step in reported)
    json.dumps([e.payload for e in events], allow_nan=False)


@pytest.mark.parametrize("name", KIND_DATASETS["mlp"])
def test_every_dataset_trains(name):
    result, events = run(config(name, data={"n_samples": 200}, epochs=1))
    assert result.epochs_completed == 1
    assert events[0].payload["classes"] == list(DATASET_CLASSES[name])
    assert math.isfinite(result.summary["val_loss"])


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_activation_and_optimizer_learns_something(activation, optimizer):
    cfg = config("gaussians", model={"hidden": [8], "activation": activation},
                 name=optimizer, lr=0.3, epochs=5)
    result, events = run(cfg)
    first_step_loss = step_events(events)[0].payload["train_loss"]
    assert result.summary["train_loss"] < first_step_loss
    assert result.summary["val_accuracy"] > 0.5


def test_default_moons_run_takes_well_under_a_second():
    cfg = config("moons", epochs=20)
    run(cfg)  # the first run in a process pays for lazy initialization inside torch
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        run(cfg)
        timings.append(time.perf_counter() - started)
    # Generous: other jobs may share the two cores; alone it takes about 0.1 s.
    assert min(timings) < 1.0


def test_digits_mlp_reaches_97_percent_with_a_cosine_schedule():
    cfg = config("digits", model={"hidden": [128]}, data={"n_samples": 1797}, epochs=30,
                 schedule="cosine")
    result, _ = run(cfg)
    assert result.summary["val_accuracy"] >= 0.97


def test_spiral_mlp_reaches_95_percent():
    result, _ = run(config("spiral", model={"hidden": [64, 64]}, data={"n_samples": 1000},
                           epochs=60))
    assert result.summary["val_accuracy"] >= 0.95
