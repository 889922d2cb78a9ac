import pytest
import torch
from torch import nn

from training_worker.engine import MODEL_REGISTRY, build_model, parse_config
from training_worker.engine.catalog import ACTIVATIONS, MODEL_KINDS, OPTIMIZERS
from training_worker.engine.models import ACTIVATION_LAYERS, count_parameters
from training_worker.engine.optimizers import OPTIMIZER_REGISTRY, build_optimizer


def parsed(model=None, optim=None):
    return parse_config({
        "model": {"kind": "mlp", **(model or {})},
        "data": {"name": "moons"},
        "optim": {"name": "sgd", "lr": 0.1, "epochs": 1, **(optim or {})},
    })


def test_every_catalogued_name_has_a_builder():
    assert set(MODEL_REGISTRY) == set(MODEL_KINDS)
    assert set(ACTIVATION_LAYERS) == set(ACTIVATIONS)
    assert set(OPTIMIZER_REGISTRY) == set(OPTIMIZERS)


def test_mlp_alternates_linear_layers_and_activations_and_ends_in_logits():
    model = build_model(parsed({"hidden": [8, 4], "activation": "tanh"}).model, 3, 5)
    assert [type(layer) for layer in model] == [nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Linear]
    assert [(layer.in_features, layer.out_features) for layer in model[::2]] == [
        (3, 8), (8, 4), (4, 5)
    ]
    assert count_parameters(model) == (3 * 8 + 8) + (8 * 4 + 4) + (4 * 5 + 5)
    assert model(torch.zeros(7, 3)).shape == (7, 5)


def test_no_hidden_layer_is_a_linear_model():
    model = build_model(parsed({"hidden": []}).model, 64, 10)
    assert [type(layer) for layer in model] == [nn.Linear]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_builds(activation):
    model = build_model(parsed({"hidden": [4], "activation": activation}).model, 2, 2)
    assert isinstance(model[1], ACTIVATION_LAYERS[activation])


@pytest.mark.parametrize(
    ("name", "optimizer_type", "momentum"),
    [
        ("sgd", torch.optim.SGD, 0),
        ("momentum", torch.optim.SGD, 0.5),
        ("adam", torch.optim.Adam, None),
    ],
)
def test_optimizers_get_the_configured_learning_rate_and_momentum(name, optimizer_type, momentum):
    cfg = parsed(optim={"name": name, "lr": 0.25, "momentum": 0.5}).optim
    optimizer = build_optimizer(cfg, nn.Linear(2, 2).parameters())
    assert type(optimizer) is optimizer_type
    assert optimizer.param_groups[0]["lr"] == 0.25
    if momentum is not None:
        assert optimizer.param_groups[0]["momentum"] == momentum
