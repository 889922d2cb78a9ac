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
from tests.lessons.claims.support import PRESETS, epoch_metrics, run_for

LAB = "normalization-high-lr"
# The same preset in a lab of its own, where layer norm is the one normalization to turn on.
LAYER_LAB = "layer-norm-high-lr"
PLAIN: dict = {}
BATCH = {"model.batch_norm": True}
LAYER = {"model.layer_norm": True}
LOWER = {"optim.lr": 0.1}
SMALL_BATCHES = {"optim.batch_size": 4, "optim.lr": 0.02}
# The runs at learning rate 0.3 are chaotic (a jump amplifies the last rounding bit): the
# lesson quotes means and orderings over these seeds, which hold on any CPU's float arithmetic.
SEEDS = (0, 1, 2, 3, 4)
# Batches of 4 train eight times as many steps: three seeds show the ranking turned around.
SMALL_BATCH_SEEDS = (0, 1, 2)

NOT_MEASURED = {
    "normalization-layers": {
        "2015": "the year of Ioffe and Szegedy's paper",
        "2016": "the year of Ba, Kiros and Hinton's paper",
        "96%": "a quiz's made-up validation score of a model served in training mode",
    },
}

CHECKED_BY = {
    "normalization-layers": {
        "0.3": "test_the_running_averages_after_the_first_batch",
        "0.1": "test_the_running_averages_after_the_first_batch",
        "2": "test_the_plain_run_starts_near_2_then_jumps_and_batch_norm_learns_at_once",
        "45%": "test_the_plain_run_starts_near_2_then_jumps_and_batch_norm_learns_at_once",
        "75%": "test_the_plain_run_starts_near_2_then_jumps_and_batch_norm_learns_at_once",
        "200": "test_the_validation_set_has_200_digits",
        "1000": "test_the_validation_set_has_200_digits",
        "80%": "test_the_tables_means_over_five_seeds",
        "95%": "test_the_tables_means_over_five_seeds",
        "93%": "test_the_tables_means_over_five_seeds",
        "90%": "test_the_ranking_holds_on_every_seed",
        "20%": "test_the_ranking_holds_on_every_seed",
        "70%": "test_the_ranking_holds_on_every_seed",
        "0.02": "test_small_batches_put_batch_norm_last_on_every_seed",
    },
}


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


def on_seed(changes: dict, seed: int) -> dict:
    return {**changes, "data.seed": seed}


def lab_of(changes: dict) -> str:
    return LAYER_LAB if "model.layer_norm" in changes else LAB


def final_accuracies(changes: dict, seeds: tuple[int, ...] = SEEDS) -> list[float]:
    return [run_for(lab_of(changes), on_seed(changes, seed))[0]["val_accuracy"] for seed in seeds]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


@pytest.mark.chaotic_run
def test_the_plain_run_starts_near_2_then_jumps_and_batch_norm_learns_at_once():
    """Learning rate 0.3, seeds 0 to 4: after the first epoch the plain run's training loss
    is near 2 (within 0.25; ln 10 ≈ 2.3 is a uniform guess) and its validation accuracy below
    45%, as is layer norm's; then its loss rises again from one epoch to the next at least
    twice, never NaN; batch norm is above 75% after its first epoch."""
    assert round(math.log(10), 1) == 2.3
    for seed in SEEDS:
        plain = epoch_metrics(LAB, on_seed(PLAIN, seed))
        losses = [m["train_loss"] for m in plain]
        assert abs(losses[0] - 2) < 0.25 and plain[0]["val_accuracy"] < 0.45, seed
        assert sum(b > a for a, b in zip(losses, losses[1:], strict=False)) >= 2, seed
        assert all(math.isfinite(loss) for loss in losses)
        assert epoch_metrics(LAYER_LAB, on_seed(LAYER, seed))[0]["val_accuracy"] < 0.45, seed
        assert epoch_metrics(LAB, on_seed(BATCH, seed))[0]["val_accuracy"] > 0.75, seed


@pytest.mark.chaotic_run
@pytest.mark.parametrize(("changes", "quoted", "tolerance"), [
    (PLAIN, 0.45, 0.1),
    (BATCH, 0.95, 0.02),
    (LAYER, 0.80, 0.07),
    ({**LOWER, **PLAIN}, 0.90, 0.05),
    ({**LOWER, **BATCH}, 0.95, 0.02),
    ({**LOWER, **LAYER}, 0.93, 0.04),
])  # fmt: skip
def test_the_tables_means_over_five_seeds(changes, quoted, tolerance):
    """The table: the mean final accuracy over seeds 0 to 4, "about" as far as one run's
    rounding moves it (the plain run's mean, of the widest spread, within 10 points)."""
    assert mean(final_accuracies(changes)) == pytest.approx(quoted, abs=tolerance)


@pytest.mark.chaotic_run
def test_the_ranking_holds_on_every_seed():
    """Learning rate 0.3, seeds 0 to 4: batch norm above 90% on every seed, layer norm below
    it and the plain network below both, a plain run anywhere from about 20% to 70% (within 5
    points); at learning rate 0.1 every run above 70%."""
    plain, batch, layer = (final_accuracies(c) for c in (PLAIN, BATCH, LAYER))
    assert min(batch) > 0.90
    assert min(plain) >= 0.2 - 0.05 and max(plain) <= 0.70 + 0.05
    for none, bn, ln in zip(plain, batch, layer, strict=True):
        assert none < ln < bn
    lower = [final_accuracies({**LOWER, **c}) for c in (PLAIN, BATCH, LAYER)]
    assert min(min(accuracies) for accuracies in lower) > 0.70


@pytest.mark.chaotic_run
def test_small_batches_put_batch_norm_last_on_every_seed():
    """Batches of 4 at learning rate 0.02: batch norm ends below both others on seeds 0-2."""
    plain, batch, layer = (final_accuracies({**SMALL_BATCHES, **c}, SMALL_BATCH_SEEDS)
                           for c in (PLAIN, BATCH, LAYER))
    for none, bn, ln in zip(plain, batch, layer, strict=True):
        assert bn < none and bn < ln


def test_the_validation_set_has_200_digits():
    """The preset's 1000 digits keep 200 for validation (data.val_fraction 0.2); the two
    labs' presets are the same network and data."""
    assert PRESETS[LAB]["data"]["n_samples"] == 1000
    assert PRESETS[LAYER_LAB]["data"] == PRESETS[LAB]["data"]
    assert PRESETS[LAYER_LAB]["optim"] == PRESETS[LAB]["optim"]
    same_model = {**PRESETS[LAYER_LAB]["model"], "layer_norm": False, "batch_norm": False}
    assert same_model == {**PRESETS[LAB]["model"], "layer_norm": False, "batch_norm": False}
    assert len(load_dataset(parse_config(PRESETS[LAB]).data).y_val) == 200
