"""Weight initialization (model.init, model.init_scale) and gradient clipping
(optim.clip_grad_norm): the spreads each scheme promises, their validation, and what they
do to a deep network's gradients."""

import math

import pytest
import torch
from torch import nn

from engine import ConfigError, parse_config
from engine.models import build_mlp
from engine.optimizers import clip_and_step
from engine.packed import can_pack
from engine.training import TrainingDiverged
from tests.engine.support import make_config, of_type, run

WIDTH = 256  # wide layers, so a layer's sample variance is within a few percent of its own


def wide_mlp(init: str, scale: float = 1.0, seed: int = 0) -> nn.Sequential:
    cfg = make_config(model={"hidden": [WIDTH, WIDTH], "init": init, "init_scale": scale})
    torch.manual_seed(seed)
    return build_mlp(cfg.model, WIDTH, 10)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    return [layer for layer in model if isinstance(layer, nn.Linear)]


def test_he_draws_each_weight_with_variance_two_over_fan_in():
    for layer in linear_layers(wide_mlp("he")):
        expected = 2 / layer.in_features
        assert layer.weight.var().item() == pytest.approx(expected, rel=0.05)
        assert abs(layer.weight.mean().item()) < 0.1 * math.sqrt(expected)
        assert torch.count_nonzero(layer.bias) == 0


def test_xavier_draws_each_weight_with_variance_two_over_fan_in_plus_fan_out():
    for layer in linear_layers(wide_mlp("xavier")):
        expected = 2 / (layer.in_features + layer.out_features)
        assert layer.weight.var().item() == pytest.approx(expected, rel=0.05)
        assert torch.count_nonzero(layer.bias) == 0


@pytest.mark.parametrize("scale", [0.5, 3.0])
def test_normal_draws_each_weight_with_std_scale_over_root_fan_in(scale):
    for layer in linear_layers(wide_mlp("normal", scale)):
        assert layer.weight.std().item() == pytest.approx(scale / math.sqrt(layer.in_features),
                                                          rel=0.03)


def test_default_keeps_pytorchs_own_initialization():
    model = wide_mlp("default")
    torch.manual_seed(0)
    untouched = nn.Linear(WIDTH, WIDTH)  # the first layer, drawn as PyTorch draws it
    assert torch.equal(model[0].weight, untouched.weight)
    assert torch.equal(model[0].bias, untouched.bias)
    assert model[0].weight.abs().max().item() <= 1 / math.sqrt(WIDTH)


@pytest.mark.parametrize("init", ["xavier", "he", "normal"])
def test_initialization_is_fixed_by_the_seed(init):
    first, again, other = wide_mlp(init, 2.0), wide_mlp(init, 2.0), wide_mlp(init, 2.0, seed=1)
    assert torch.equal(first[0].weight, again[0].weight)
    assert not torch.equal(first[0].weight, other[0].weight)


@pytest.mark.parametrize(
    ("model", "optim", "path", "reason"),
    [
        ({"init": "glorot"}, {}, "model.init", "must be one of"),
        ({"init": "normal", "init_scale": 0}, {}, "model.init_scale", "greater than 0"),
        ({"init_scale": 6}, {}, "model.init_scale", "at most 5"),
        ({}, {"clip_grad_norm": -1}, "optim.clip_grad_norm", "between 0 and 100"),
        ({}, {"clip_grad_norm": "yes"}, "optim.clip_grad_norm", "must be a number"),
    ],
)
def test_bad_values_are_rejected_by_field(model, optim, path, reason):
    with pytest.raises(ConfigError) as caught:
        make_config(model=model, **optim)
    assert reason in caught.value.errors[path]


def test_initialization_is_an_mlp_field():
    with pytest.raises(ConfigError) as caught:
        parse_config({"model": {"kind": "cnn", "init": "he"}, "data": {"name": "digits"},
                      "optim": {"name": "sgd", "lr": 0.1, "epochs": 1}})
    assert "belongs to" in caught.value.errors["model.init"]


def test_clipping_scales_a_long_gradient_down_to_the_max_norm_and_keeps_its_direction():
    weights = nn.Parameter(torch.zeros(3))
    other = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weights, other], lr=1.0)
    weights.grad, other.grad = torch.tensor([3.0, 0.0, 4.0]), torch.tensor([12.0])  # norm 13
    clip_and_step(optimizer, 2.6)
    step = -torch.cat([weights.detach(), other.detach()])
    assert step.norm().item() == pytest.approx(2.6)
    assert torch.allclose(step, torch.tensor([3.0, 0.0, 4.0, 12.0]) * 0.2)


def test_clipping_leaves_a_short_gradient_and_zero_means_off():
    for max_norm in (20.0, 0.0):
        weights = nn.Parameter(torch.zeros(2))
        optimizer = torch.optim.SGD([weights], lr=1.0)
        weights.grad = torch.tensor([6.0, 8.0])  # norm 10
        clip_and_step(optimizer, max_norm)
        assert torch.equal(weights.detach(), torch.tensor([-6.0, -8.0]))


DEEP_RELU = {"hidden": [32] * 6, "activation": "relu"}


def deep_run(model: dict, **optim):
    cfg = make_config(model={**DEEP_RELU, **model}, data={"seed": 0}, name="sgd", lr=0.1,
                      epochs=2, log_grad_norms=True, **optim)
    return run(cfg)


def test_a_too_large_init_explodes_and_clipping_bounds_every_gradient():
    with pytest.raises(TrainingDiverged):
        deep_run({"init": "normal", "init_scale": 3})
    result, events = deep_run({"init": "normal", "init_scale": 3}, clip_grad_norm=1.0)
    assert result.epochs_completed == 2
    for payload in of_type(events, "gradient_norms"):
        # Each step's whole gradient is at most 1 long, so is each layer's, and their mean.
        assert max(payload["norms"]) <= 1.0 + 1e-6
        assert len(payload["norms"]) == 7


def test_the_streamed_gradient_norms_vanish_under_a_small_init_in_a_deep_tanh_network():
    """Weights of std 0.3/√fan_in shrink the signal by about 0.3 per tanh layer (tanh is
    nearly linear near 0), both ways: every layer's weight gradient ends up hundreds of
    times smaller than under Xavier's, which keeps the signal's size."""
    _, small = deep_run({"activation": "tanh", "init": "normal", "init_scale": 0.3})
    _, xavier = deep_run({"activation": "tanh", "init": "xavier"})
    small_norms = of_type(small, "gradient_norms")[0]["norms"]
    xavier_norms = of_type(xavier, "gradient_norms")[0]["norms"]
    assert of_type(small, "gradient_norms")[0]["layers"][0] == "linear1"
    for tiny, healthy in zip(small_norms, xavier_norms, strict=True):
        assert tiny < healthy / 50
    assert max(small_norms) < 0.005


def test_a_clipped_run_is_not_packed():
    assert "clipping" in can_pack([make_config(clip_grad_norm=1.0)])
    assert can_pack([make_config(model={"init": "he"})]) is None
