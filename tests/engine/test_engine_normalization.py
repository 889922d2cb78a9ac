"""Normalization layers of the MLP: batch norm over the batch (running averages in eval
mode), layer norm over each example's units, and the config that chooses between them."""

import pytest
import torch
from torch import nn

from engine import ConfigError, budget, parse_config
from engine.config_rules import compatibility_errors
from engine.models import build_mlp, count_parameters
from engine.packed import can_pack
from engine.transfer import hidden_blocks
from tests.engine.support import make_config, run

EPS = 1e-5  # torch's default for BatchNorm1d and LayerNorm, which the engine keeps


def normalization_inputs(model: nn.Sequential, x: torch.Tensor, kind: type) -> list:
    """(input, output) of every `kind` layer when `model` reads `x`."""
    seen: list[tuple[torch.Tensor, torch.Tensor]] = []
    hooks = [
        layer.register_forward_hook(lambda _, args, out: seen.append((args[0], out)))
        for layer in model if isinstance(layer, kind)
    ]
    with torch.no_grad():
        model(x)
    for hook in hooks:
        hook.remove()
    return seen


def with_random_affine(model: nn.Module) -> None:
    """γ and β away from their initial 1 and 0, so the tests see the affine step too."""
    generator = torch.Generator().manual_seed(1)
    for layer in model.modules():
        if isinstance(layer, nn.BatchNorm1d | nn.LayerNorm):
            layer.weight.data = torch.rand(layer.weight.shape, generator=generator) + 0.5
            layer.bias.data = torch.randn(layer.bias.shape, generator=generator)


def mlp(**model) -> nn.Sequential:
    torch.manual_seed(0)
    return build_mlp(make_config(model={"hidden": [8, 6], **model}).model, 2, 2)


def test_layer_norm_sits_where_batch_norm_does():
    assert [type(layer) for layer in mlp(layer_norm=True, dropout=0.2)] == [
        nn.Linear, nn.LayerNorm, nn.ReLU, nn.Dropout,
        nn.Linear, nn.LayerNorm, nn.ReLU, nn.Dropout, nn.Linear,
    ]
    assert [type(layer) for layer in mlp()] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU,
                                                nn.Linear]


def test_batch_norm_in_train_mode_normalizes_each_unit_over_the_batch():
    model = mlp(batch_norm=True)
    with_random_affine(model)
    model.train()
    x = torch.randn(32, 2) * 3 + 1
    for layer_input, output in normalization_inputs(model, x, nn.BatchNorm1d):
        layer = next(m for m in model if isinstance(m, nn.BatchNorm1d)
                     and m.num_features == layer_input.shape[1])
        mean = layer_input.mean(dim=0)
        variance = layer_input.var(dim=0, unbiased=False)  # the batch's own, biased
        normalized = (layer_input - mean) / torch.sqrt(variance + EPS)
        assert normalized.mean(dim=0).abs().max() < 1e-5
        assert normalized.var(dim=0, unbiased=False) == pytest.approx(
            torch.ones(layer_input.shape[1]), abs=1e-3)
        expected = layer.weight * normalized + layer.bias
        assert torch.allclose(output, expected, atol=1e-5)


def test_batch_norm_in_eval_mode_uses_the_running_averages_not_the_batch():
    result, _ = run(make_config(model={"hidden": [16, 16], "batch_norm": True}, epochs=2))
    model = result.model.eval()
    x = torch.randn(40, 2)
    alone = model(x[:1])
    among_others = model(x)[:1]
    among_shifted_others = model(torch.cat([x[:1], x[1:] * 5 + 3]))[:1]
    assert torch.allclose(alone, among_others, atol=1e-6)
    assert torch.allclose(alone, among_shifted_others, atol=1e-6)
    layer = model[1]
    (layer_input, output), _ = normalization_inputs(model, x, nn.BatchNorm1d)
    expected = (layer.weight * (layer_input - layer.running_mean)
                / torch.sqrt(layer.running_var + EPS) + layer.bias)
    assert torch.allclose(output, expected, atol=1e-5)
    # The most common bug: left in train mode, the same example's output depends on its batch.
    model.train()
    with torch.no_grad():
        assert not torch.allclose(model(x)[:1], model(torch.cat([x[:1], x[1:] * 5 + 3]))[:1],
                                  atol=1e-3)


def test_running_averages_follow_torch_momentum_rule():
    """running = (1 - 0.1) · running + 0.1 · batch statistic, the unbiased variance."""
    model = mlp(batch_norm=True)
    model.train()
    layer = model[1]
    x = torch.randn(16, 2)
    (layer_input, _), _ = normalization_inputs(model, x, nn.BatchNorm1d)
    assert torch.allclose(layer.running_mean, 0.1 * layer_input.mean(dim=0), atol=1e-6)
    assert torch.allclose(layer.running_var, 0.9 + 0.1 * layer_input.var(dim=0), atol=1e-5)


def test_layer_norm_normalizes_each_example_over_its_units():
    model = mlp(layer_norm=True)
    with_random_affine(model)
    x = torch.randn(32, 2) * 3 + 1
    for mode in (model.train, model.eval):
        mode()
        for layer_input, output in normalization_inputs(model, x, nn.LayerNorm):
            layer = next(m for m in model if isinstance(m, nn.LayerNorm)
                         and m.normalized_shape[0] == layer_input.shape[1])
            mean = layer_input.mean(dim=1, keepdim=True)
            variance = layer_input.var(dim=1, unbiased=False, keepdim=True)
            normalized = (layer_input - mean) / torch.sqrt(variance + EPS)
            assert normalized.mean(dim=1).abs().max() < 1e-5
            assert normalized.var(dim=1, unbiased=False) == pytest.approx(
                torch.ones(len(x)), abs=1e-3)
            assert torch.allclose(output, layer.weight * normalized + layer.bias, atol=1e-5)


def test_layer_norm_output_of_an_example_never_depends_on_its_batch():
    model = mlp(layer_norm=True).train()
    x = torch.randn(40, 2)
    with torch.no_grad():
        alone = model(x[:1])
        assert torch.allclose(alone, model(x)[:1], atol=1e-6)
        assert torch.allclose(alone, model(torch.cat([x[:1], x[1:] * 5 + 3]))[:1], atol=1e-6)


def test_the_engines_layers_equal_torchs_own_modules():
    x = torch.randn(10, 8)
    torch.manual_seed(3)
    for model, reference in ((mlp(batch_norm=True), nn.BatchNorm1d(8)),
                             (mlp(layer_norm=True), nn.LayerNorm(8))):
        with_random_affine(model)
        reference.load_state_dict(model[1].state_dict())
        model.train(), reference.train()
        assert torch.allclose(model[1](x), reference(x), atol=1e-6)


def test_layer_norm_trains_deterministically_with_a_seed():
    cfg = make_config(model={"hidden": [16, 16], "layer_norm": True}, epochs=2)
    first, _ = run(cfg)
    second, _ = run(cfg)
    for a, b in zip(first.model.state_dict().values(), second.model.state_dict().values(),
                    strict=True):
        assert torch.equal(a, b)


def test_layer_norm_counts_a_gamma_and_a_beta_per_unit_in_the_budget():
    for model in ({"layer_norm": True}, {"batch_norm": True}, {}):
        cfg = make_config(model={"hidden": [16, 8], **model})
        built = build_mlp(cfg.model, 2, 2)
        assert budget.count_parameters(cfg.model, cfg.data) == count_parameters(built)
    plain = make_config(model={"hidden": [16, 8]})
    normalized = make_config(model={"hidden": [16, 8], "layer_norm": True})
    assert (budget.count_parameters(normalized.model, normalized.data)
            - budget.count_parameters(plain.model, plain.data)) == 2 * (16 + 8)


def test_layer_norm_is_off_by_default_and_stored_configs_without_it_still_load():
    stored = make_config(model={"batch_norm": True}).to_dict()
    assert stored["model"]["layer_norm"] is False
    del stored["model"]["layer_norm"]  # a job stored before the field existed
    assert parse_config(stored).model.layer_norm is False


@pytest.mark.parametrize(
    ("model", "path", "reason"),
    [
        ({"batch_norm": True, "layer_norm": True}, "model.layer_norm", "choose one"),
        ({"layer_norm": "yes"}, "model.layer_norm", "must be true or false"),
        ({"layer_norm": 1}, "model.layer_norm", "must be true or false"),
    ],
)
def test_bad_layer_norm_configs_name_the_field(model, path, reason):
    with pytest.raises(ConfigError) as caught:
        make_config(model=model)
    assert reason in caught.value.errors[path]


def test_layer_norm_belongs_to_mlps_only():
    with pytest.raises(ConfigError) as caught:
        make_config("cnn", "digits", model={"layer_norm": True})
    assert 'belongs to "mlp"' in caught.value.errors["model.layer_norm"]


def test_layer_norm_is_not_packed_and_travels_with_transfer_blocks():
    cfg = make_config(model={"hidden": [8, 8], "layer_norm": True})
    assert "layer_norm" in can_pack([cfg, cfg])
    blocks = hidden_blocks(build_mlp(cfg.model, 2, 2))
    assert [[type(m) for m in block] for block in blocks] == [[nn.Linear, nn.LayerNorm]] * 2
    plain = make_config(model={"hidden": [8, 8]})
    assert "model.layer_norm" in compatibility_errors(cfg, plain, "transfer.base_job")
