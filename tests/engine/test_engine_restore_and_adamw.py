"""AdamW (decoupled weight decay) beside Adam (coupled), and restoring the weights of the
epoch with the lowest validation loss at the end of training (optim.restore_best)."""

import copy
import dataclasses

import pytest
import torch
import torch.nn.functional as F

from engine import (
    CLASSIFICATION_REPORT,
    CONFUSION_MATRIX,
    CV_SUMMARY,
    EARLY_STOP,
    TEST_METRICS,
    WEIGHTS_RESTORED,
    ConfigError,
    parse_config,
)
from engine.datasets import load_dataset
from engine.optimizers import build_optimizer
from engine.packed import can_pack
from tests.engine.support import epoch_metrics, make_config, of_type, run

LR, WEIGHT_DECAY = 0.01, 0.1


def one_step(optimizer_name: str, gradient_scale: float = 1.0) -> torch.nn.Linear:
    """A linear layer after one step of the engine's optimizer on a fixed gradient."""
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 2)
    cfg = make_config(name=optimizer_name, lr=LR, weight_decay=WEIGHT_DECAY).optim
    optimizer = build_optimizer(cfg, layer.parameters())
    for parameter in layer.parameters():
        parameter.grad = torch.linspace(-1, 1, parameter.numel()).view_as(parameter) * (
            gradient_scale)
    optimizer.step()
    return layer


def test_adamw_takes_torchs_adamw_step_and_adam_couples_the_decay():
    ours = one_step("adamw")
    torch.manual_seed(0)
    reference = torch.nn.Linear(3, 2)
    before = copy.deepcopy(reference)
    optimizer = torch.optim.AdamW(reference.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    for parameter in reference.parameters():
        parameter.grad = torch.linspace(-1, 1, parameter.numel()).view_as(parameter)
    optimizer.step()
    for mine, theirs in zip(ours.parameters(), reference.parameters(), strict=True):
        assert torch.equal(mine, theirs)
    # Adam adds the decay to the gradient before its adaptive scaling: another step.
    coupled = one_step("adam")
    assert not torch.allclose(coupled.weight, ours.weight, atol=1e-6)
    assert not torch.allclose(before.weight, ours.weight, atol=1e-6)


def test_adamw_without_gradient_shrinks_the_weights_by_one_minus_lr_times_decay():
    torch.manual_seed(0)
    initial = torch.nn.Linear(3, 2).weight.detach().clone()
    decoupled = one_step("adamw", gradient_scale=0.0)
    assert torch.allclose(decoupled.weight, (1 - LR * WEIGHT_DECAY) * initial, atol=1e-7)
    # Coupled: the decay is the whole gradient, and Adam scales each step to about lr.
    coupled = one_step("adam", gradient_scale=0.0)
    assert torch.allclose(coupled.weight, initial - LR * torch.sign(initial), atol=1e-5)


def overfitting(**optim):
    """A wide MLP on 100 noisy training points: its validation loss soon turns up."""
    return make_config(
        "mlp", "moons", model={"hidden": [256, 256]},
        data={"n_samples": 1000, "noise": 0.3, "train_size": 100, "test_fraction": 0.1},
        **{"batch_size": 32, "early_stopping_patience": 5, "restore_best": True, **optim},
    )


def validation_loss_of(model, cfg) -> float:
    data = load_dataset(cfg.data)
    with torch.no_grad():
        return F.cross_entropy(model(data.x_val), data.y_val).item()


def assert_restored_to_lowest_validation_loss(cfg, result, events, last_epoch):
    metrics = epoch_metrics(events)
    best = min(metrics, key=lambda m: m["val_loss"])
    assert metrics[-1]["epoch"] == last_epoch and best["epoch"] < last_epoch
    (restored,) = of_type(events, WEIGHTS_RESTORED)
    assert restored["epoch"] == last_epoch and restored["weights_epoch"] == best["epoch"]
    # Measured again on the restored weights: the very numbers that epoch logged.
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        assert restored[name] == pytest.approx(best[name], rel=1e-6, abs=1e-7), name
    # The returned (stored, deployable) model is the restored one.
    assert validation_loss_of(result.model, cfg) == pytest.approx(best["val_loss"], rel=1e-5)
    summary = result.summary
    assert summary["weights_epoch"] == best["epoch"]
    assert summary["epochs_completed"] == last_epoch
    assert summary["val_loss"] == restored["val_loss"]
    assert summary["val_accuracy"] == restored["val_accuracy"]
    assert (summary["best_val_loss"], summary["best_val_loss_epoch"]) == (
        best["val_loss"], best["epoch"])
    # Confusion matrix and report of the restored model equal those of its epoch.
    matrices = of_type(events, CONFUSION_MATRIX)
    assert matrices[-1]["epoch"] == best["epoch"]
    assert matrices[-1]["matrix"] == next(
        m for m in matrices if m["epoch"] == best["epoch"])["matrix"]
    reports = of_type(events, CLASSIFICATION_REPORT)
    assert summary["val_macro_f1"] == reports[-1]["macro"]["f1"] == next(
        r for r in reports if r["epoch"] == best["epoch"])["macro"]["f1"]
    return best


def test_restore_best_after_stopping_early():
    cfg = overfitting(epochs=200)
    result, events = run(cfg)
    (stop,) = of_type(events, EARLY_STOP)
    assert stop["restore_best"] is True and stop["epoch"] < 200
    best = assert_restored_to_lowest_validation_loss(cfg, result, events, stop["epoch"])
    assert stop["best_val_loss_epoch"] == best["epoch"]
    # The test set is measured once, on the restored model.
    data = load_dataset(cfg.data)
    with torch.no_grad():
        test_loss = F.cross_entropy(result.model(data.x_test), data.y_test).item()
    assert of_type(events, TEST_METRICS)[0]["loss"] == pytest.approx(test_loss, rel=1e-5)
    assert result.summary["early_stopped"] is True


def test_restore_best_when_training_runs_to_the_last_epoch():
    # Patience as long as the run: early stopping never ends it, the restore still happens.
    cfg = overfitting(epochs=20, early_stopping_patience=20)
    result, events = run(cfg)
    assert of_type(events, EARLY_STOP) == []
    assert_restored_to_lowest_validation_loss(cfg, result, events, last_epoch=20)
    assert result.summary["early_stopped"] is False


def test_without_restore_best_the_model_is_the_last_epochs():
    cfg = overfitting(epochs=200, restore_best=False)
    result, events = run(cfg)
    assert of_type(events, WEIGHTS_RESTORED) == []
    last = epoch_metrics(events)[-1]
    assert result.summary["weights_epoch"] == last["epoch"]
    assert result.summary["val_loss"] == last["val_loss"]
    assert validation_loss_of(result.model, cfg) == pytest.approx(last["val_loss"], rel=1e-5)


def test_cross_validation_scores_each_folds_restored_model():
    cfg = make_config(data={"n_samples": 300}, eval={"cv_folds": 2}, epochs=12,
                      early_stopping_patience=12, restore_best=True, lr=0.05)
    _, events = run(cfg)
    (summary,) = of_type(events, CV_SUMMARY)
    restored = of_type(events, WEIGHTS_RESTORED)
    assert [r["fold"] for r in restored] == [1, 2]
    assert [f["val_accuracy"] for f in summary["folds"]] == [r["val_accuracy"] for r in restored]


def test_restore_best_needs_early_stopping():
    raw = {"model": {"kind": "mlp"}, "data": {"name": "moons"},
           "optim": {"name": "adam", "lr": 0.01, "epochs": 3, "restore_best": True}}
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert set(error.value.errors) == {"optim.restore_best"}
    assert "early_stopping_patience" in error.value.errors["optim.restore_best"]
    raw["optim"]["early_stopping_patience"] = 3
    assert parse_config(raw).optim.restore_best is True
    raw["optim"]["restore_best"] = "yes"
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert set(error.value.errors) == {"optim.restore_best"}


def test_restore_best_is_not_packed():
    cfg = overfitting(epochs=10)
    assert "early stopping" in can_pack([cfg])
    # Refused on its own too, should early stopping ever be packed.
    alone = dataclasses.replace(cfg, optim=dataclasses.replace(
        cfg.optim, early_stopping_patience=0))
    assert "restoring" in can_pack([alone])
