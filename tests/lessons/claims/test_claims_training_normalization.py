"""The numbers the normalization-layers lesson quotes still hold (see support.py): its lab's
runs, the worked example (through torch's own BatchNorm1d) and the quiz's arithmetic.

A module of its own beside test_claims_training.py (same course module), as for the
initialization lesson: other lessons of the module are being written at the same time.
"""

import math

import pytest
import torch
from torch import nn

from engine import parse_config
from engine.datasets import load_dataset
from tests.lessons.claims.support import PRESETS, assert_quoted, epoch_metrics, run_for

LAB = "normalization-high-lr"
# The same preset in a lab of its own, where layer norm is the one normalization to turn on.
LAYER_LAB = "layer-norm-high-lr"
PLAIN: dict = {}
BATCH = {"model.batch_norm": True}
LAYER = {"model.layer_norm": True}
LOWER = {"optim.lr": 0.1}
SMALL_BATCHES = {"optim.batch_size": 4, "optim.lr": 0.02}
SEEDS = (0, 1, 2)

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
NORMALIZATION_CLAIMS = [
    (LAB, PLAIN, "val_accuracy", 0.47, 0.002),
    (LAB, BATCH, "val_accuracy", 0.96, 0.002),
    (LAYER_LAB, LAYER, "val_accuracy", 0.865, 0.002),
    (LAB, {**LOWER, **PLAIN}, "val_accuracy", 0.89, 0.002),
    (LAB, {**LOWER, **BATCH}, "val_accuracy", 0.98, 0.002),
    (LAYER_LAB, {**LOWER, **LAYER}, "val_accuracy", 0.94, 0.002),
    (LAB, {**SMALL_BATCHES, **PLAIN}, "val_accuracy", 0.97, 0.002),
    (LAB, {**SMALL_BATCHES, **BATCH}, "val_accuracy", 0.72, 0.002),
    (LAYER_LAB, {**SMALL_BATCHES, **LAYER}, "val_accuracy", 0.97, 0.002),
]  # fmt: skip

NOT_MEASURED = {
    "normalization-layers": {
        "2015": "the year of Ioffe and Szegedy's paper",
        "2016": "the year of Ba, Kiros and Hinton's paper",
    },
}

CHECKED_BY = {
    "normalization-layers": {
        "0.3": "test_the_running_averages_after_the_first_batch",
        "0.1": "test_the_running_averages_after_the_first_batch",
        "2.8": "test_the_quiz_arithmetic",
        "2": "test_the_plain_run_hovers_then_jumps_and_batch_norm_learns_at_once",
        "28.5%": "test_the_plain_run_hovers_then_jumps_and_batch_norm_learns_at_once",
        "87%": "test_the_plain_run_hovers_then_jumps_and_batch_norm_learns_at_once",
        "200": "test_the_validation_set_has_200_digits",
        "1000": "test_the_validation_set_has_200_digits",
        "95%": "test_the_ranking_holds_over_three_seeds",
        "31.5%": "test_the_ranking_holds_over_three_seeds",
        "51.5%": "test_the_ranking_holds_over_three_seeds",
        "67.5%": "test_the_ranking_holds_over_three_seeds",
    },
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"),
                         NORMALIZATION_CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def batch_norm_with(gamma: float, beta: float) -> nn.BatchNorm1d:
    layer = nn.BatchNorm1d(1)
    with torch.no_grad():
        layer.weight.fill_(gamma)
        layer.bias.fill_(beta)
    return layer


def test_the_worked_example_through_torchs_batch_norm():
    """Batch (1, 2, 3, 6), γ = 2, β = 0.5: mean 3, variance 3.5 (std 1.87), normalized
    (−1.07, −0.53, 0, 1.60), outputs (−1.64, −0.57, 0.5, 3.71); the 6 in the batch
    (6, 7, 8, 9): mean 7.5, variance 1.25 (std 1.118), normalized −1.34, output −2.18."""
    layer = batch_norm_with(2, 0.5).train()
    batch = torch.tensor([[1.0], [2.0], [3.0], [6.0]])
    assert (batch.mean().item(), batch.var(unbiased=False).item()) == (3, 3.5)
    assert round(math.sqrt(3.5), 2) == 1.87
    normalized = (batch - 3) / math.sqrt(3.5 + layer.eps)
    assert [round(v, 2) for v in normalized.flatten().tolist()] == [-1.07, -0.53, 0, 1.6]
    outputs = layer(batch).flatten().tolist()
    assert [round(v, 2) for v in outputs] == [-1.64, -0.57, 0.5, 3.71]

    other = torch.tensor([[6.0], [7.0], [8.0], [9.0]])
    assert (other.mean().item(), other.var(unbiased=False).item()) == (7.5, 1.25)
    assert round(math.sqrt(1.25), 3) == 1.118
    assert round((6 - 7.5) / math.sqrt(1.25), 2) == -1.34
    assert round(batch_norm_with(2, 0.5).train()(other)[0].item(), 2) == -2.18


def test_the_running_averages_after_the_first_batch():
    """Momentum 0.1 from 0 and 1: running mean 0.1 · 3 = 0.3, running variance 0.9 + 0.1 ·
    14/3 (4.67, the unbiased variance) ≈ 1.37."""
    layer = batch_norm_with(2, 0.5).train()
    assert layer.momentum == 0.1 and layer.eps == 1e-5
    layer(torch.tensor([[1.0], [2.0], [3.0], [6.0]]))
    assert layer.running_mean.item() == pytest.approx(0.3)
    assert round(14 / 3, 2) == 4.67
    assert layer.running_var.item() == pytest.approx(0.9 + 0.1 * 14 / 3)
    assert round(layer.running_var.item(), 2) == 1.37


def test_torchs_momentum_weighs_the_new_batch():
    """PyTorch's momentum is the new batch's weight: momentum 0.01 (Keras's 0.99, the old
    value's weight) moves the running mean from 0 to 0.01 · 3 after the batch (1, 2, 3, 6)."""
    layer = nn.BatchNorm1d(1, momentum=0.01).train()
    layer(torch.tensor([[1.0], [2.0], [3.0], [6.0]]))
    assert layer.running_mean.item() == pytest.approx(0.99 * 0 + 0.01 * 3)


def test_which_weight_scalings_each_normalization_cancels():
    """Batch norm cancels a factor on the weights alone (its mean over the batch removes
    the biases); layer norm cancels it only when the biases are scaled too, since the mean it
    subtracts is over the units and each unit's own bias survives."""
    torch.manual_seed(0)
    x = torch.randn(16, 5)
    linear = nn.Linear(5, 8)
    with torch.no_grad():
        linear.bias.copy_(torch.randn(8))
    weight, bias = linear.weight.detach(), linear.bias.detach()
    batch_norm, layer_norm = nn.BatchNorm1d(8).train(), nn.LayerNorm(8)
    with torch.no_grad():
        for norm in (batch_norm, layer_norm):
            plain = norm(x @ weight.T + bias)
            both_scaled = norm(x @ (2 * weight).T + 2 * bias)
            assert torch.allclose(both_scaled, plain, atol=1e-4)
        assert torch.allclose(batch_norm(x @ (2 * weight).T + bias),
                              batch_norm(x @ weight.T + bias), atol=1e-4)
        weights_only = layer_norm(x @ (2 * weight).T + bias)
        assert (weights_only - layer_norm(x @ weight.T + bias)).abs().max() > 0.05


def test_the_quiz_arithmetic():
    """(2, 4, 6, 8), γ = 3, β = 1: the 8 gives 5.02 (std 2.236, normalized 1.342); dividing
    by the variance gives 0.6, then 2.8; forgetting β gives 4.02."""
    layer = batch_norm_with(3, 1).train()
    out = layer(torch.tensor([[2.0], [4.0], [6.0], [8.0]]))[3].item()
    assert round(out, 2) == 5.02
    assert round(math.sqrt(5), 3) == 2.236 and round(3 / math.sqrt(5), 3) == 1.342
    assert 3 / 5 == 0.6 and round(3 * 0.6 + 1, 1) == 2.8
    assert round(3 * 3 / math.sqrt(5), 2) == 4.02
    # The m - 1 mistake: the unbiased variance 20/3 in place of 5.
    unbiased_std = torch.tensor([2.0, 4.0, 6.0, 8.0]).var(unbiased=True).sqrt().item()
    assert round(3 * 3 / unbiased_std + 1, 2) == 4.49


def test_the_plain_run_hovers_then_jumps_and_batch_norm_learns_at_once():
    """Learning rate 0.3, seed 0: the plain run's training loss within 0.1 of 2 for three
    epochs (ln 10 ≈ 2.3 is a uniform guess) with the validation accuracy stuck at 28.5%, then
    moving by more than 0.3 between epochs at least four times, never NaN; batch norm 87%
    after epoch 1; layer norm's loss jumps to 2.8 in epoch 4."""
    plain = [m["train_loss"] for m in epoch_metrics(LAB, PLAIN)]
    assert all(abs(loss - 2) < 0.1 for loss in plain[:3])
    stuck = [m["val_accuracy"] for m in epoch_metrics(LAB, PLAIN)[:3]]
    assert stuck == pytest.approx([0.285] * 3, abs=0.002)
    assert round(math.log(10), 1) == 2.3
    assert sum(abs(b - a) > 0.3 for a, b in zip(plain[2:], plain[3:], strict=False)) >= 4
    assert all(math.isfinite(loss) for loss in plain)
    assert epoch_metrics(LAB, BATCH)[0]["val_accuracy"] == pytest.approx(0.87, abs=0.002)
    layer = [m["train_loss"] for m in epoch_metrics(LAYER_LAB, LAYER)]
    assert max(layer) == pytest.approx(2.8, abs=0.05) and layer.index(max(layer)) == 3


def test_the_validation_set_has_200_digits():
    """The preset's 1000 digits keep 200 for validation (data.val_fraction 0.2); the two
    labs' presets are the same network and data."""
    assert PRESETS[LAB]["data"]["n_samples"] == 1000
    assert PRESETS[LAYER_LAB]["data"] == PRESETS[LAB]["data"]
    assert PRESETS[LAYER_LAB]["optim"] == PRESETS[LAB]["optim"]
    same_model = {**PRESETS[LAYER_LAB]["model"], "layer_norm": False, "batch_norm": False}
    assert same_model == {**PRESETS[LAB]["model"], "layer_norm": False, "batch_norm": False}
    assert len(load_dataset(parse_config(PRESETS[LAB]).data).y_val) == 200


def final_accuracies(changes: dict) -> list[float]:
    lab = LAYER_LAB if "model.layer_norm" in changes else LAB
    return [run_for(lab, {**changes, "data.seed": seed})[0]["val_accuracy"] for seed in SEEDS]


def test_the_ranking_holds_over_three_seeds():
    """Learning rate 0.3, seeds 0, 1, 2: batch norm between 95% and 96%, the plain network
    between 31.5% and 51.5%, layer norm between 67.5% and 86.5%, always between the two."""
    plain, batch, layer = (final_accuracies(c) for c in (PLAIN, BATCH, LAYER))
    assert min(batch) == pytest.approx(0.95, abs=0.002)
    assert max(batch) == pytest.approx(0.96, abs=0.002)
    assert min(plain) == pytest.approx(0.315, abs=0.002)
    assert max(plain) == pytest.approx(0.515, abs=0.002)
    assert min(layer) == pytest.approx(0.675, abs=0.002)
    assert max(layer) == pytest.approx(0.865, abs=0.002)
    for none, bn, ln in zip(plain, batch, layer, strict=True):
        assert none < ln < bn


def test_small_batches_put_batch_norm_last_on_every_seed():
    """Batches of 4 at learning rate 0.02: batch norm ends below both others on seeds 0-2."""
    plain, batch, layer = (final_accuracies({**SMALL_BATCHES, **c}) for c in (PLAIN, BATCH, LAYER))
    for none, bn, ln in zip(plain, batch, layer, strict=True):
        assert bn < none and bn < ln


def test_at_the_lower_rate_all_three_learn():
    """At learning rate 0.1 the plain network trains too, and batch norm still leads."""
    plain, batch = (run_for(LAB, {**LOWER, **c})[0]["val_accuracy"] for c in (PLAIN, BATCH))
    layer = run_for(LAYER_LAB, {**LOWER, **LAYER})[0]["val_accuracy"]
    assert plain > 0.85 and plain < layer < batch

