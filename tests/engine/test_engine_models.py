import pytest
import torch
from torch import nn

from engine import budget, parse_config
from engine.catalog import ACTIVATIONS, MODEL_KINDS, OPTIMIZERS
from engine.datasets import load_dataset
from engine.models import (
    ACTIVATION_LAYERS,
    MODEL_REGISTRY,
    build_mlp,
    build_model,
    count_parameters,
    weight_layers,
)
from engine.optimizers import OPTIMIZER_REGISTRY, build_optimizer


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
    model = build_mlp(parsed({"hidden": [8, 4], "activation": "tanh"}).model, 3, 5)
    assert [type(layer) for layer in model] == [nn.Linear, nn.Tanh, nn.Linear, nn.Tanh, nn.Linear]
    assert [(layer.in_features, layer.out_features) for layer in model[::2]] == [
        (3, 8), (8, 4), (4, 5)
    ]
    assert count_parameters(model) == (3 * 8 + 8) + (8 * 4 + 4) + (4 * 5 + 5)
    assert model(torch.zeros(7, 3)).shape == (7, 5)


def test_no_hidden_layer_is_a_linear_model():
    model = build_mlp(parsed({"hidden": []}).model, 64, 10)
    assert [type(layer) for layer in model] == [nn.Linear]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_builds(activation):
    model = build_mlp(parsed({"hidden": [4], "activation": activation}).model, 2, 2)
    assert isinstance(model[1], ACTIVATION_LAYERS[activation])


@pytest.mark.parametrize(
    ("name", "optimizer_type", "momentum"),
    [
        ("sgd", torch.optim.SGD, 0),
        ("momentum", torch.optim.SGD, 0.5),
        ("adam", torch.optim.Adam, None),
        ("rmsprop", torch.optim.RMSprop, None),
    ],
)
def test_optimizers_get_the_configured_learning_rate_and_momentum(name, optimizer_type, momentum):
    cfg = parsed(optim={"name": name, "lr": 0.25, "momentum": 0.5}).optim
    optimizer = build_optimizer(cfg, nn.Linear(2, 2).parameters())
    assert type(optimizer) is optimizer_type
    assert optimizer.param_groups[0]["lr"] == 0.25
    if momentum is not None:
        assert optimizer.param_groups[0]["momentum"] == momentum


# One config per kind and dataset, small and large, for the builders and the budget.
ZOO = [
    ("mlp", "moons", {}),
    ("mlp", "digits", {"hidden": [64, 32], "batch_norm": True, "dropout": 0.2}),
    ("mlp", "shapes", {"hidden": []}),
    ("cnn", "digits", {}),
    ("cnn", "digits", {"channels": [3, 5, 7], "pool": False}),
    ("cnn", "digits", {"channels": [3, 5, 7, 9]}),
    ("cnn", "shapes", {"channels": [4, 8, 16, 32], "kernel_size": 5, "batch_norm": True,
                       "dropout": 0.5}),
    ("rnn", "series", {"cell": "gru", "num_layers": 3}),
    ("rnn", "text", {"cell": "rnn", "hidden_size": 7, "num_layers": 2}),
    ("rnn", "text", {}),
    ("autoencoder", "digits", {"hidden": [32, 16], "latent_dim": 2}),
    ("gan", "mixture", {}),
    ("gan", "digits", {"hidden": [128, 64]}),
    ("cnn", "digits", {"channels": [8, 8, 16], "residual": True, "batch_norm": True}),
    ("cnn", "digits", {"channels": [4, 4, 8, 8], "residual": True, "stride": 2, "pool": False}),
    ("cnn", "shapes", {"channels": [4, 8, 8], "stride": 2, "kernel_size": 5}),
    ("vae", "digits", {"hidden": [32, 16], "latent_dim": 3}),
    ("transformer", "text", {}),
    ("transformer", "text", {"d_model": 24, "heads": 3, "num_layers": 3, "positional": "learned"}),
]


def zoo_config(kind, dataset, model):
    return parse_config({"model": {"kind": kind, **model}, "data": {"name": dataset},
                         "optim": {"name": "adam", "lr": 0.01, "epochs": 1}})


@pytest.mark.parametrize(("kind", "dataset", "model"), ZOO)
def test_parameters_counted_from_the_config_match_the_built_model(kind, dataset, model):
    cfg = zoo_config(kind, dataset, model)
    assert budget.count_parameters(cfg.model, cfg.data) == count_parameters(
        build_model(cfg.model, cfg.data)
    )


@pytest.mark.parametrize(("kind", "dataset", "model"), ZOO)
def test_every_kind_maps_its_inputs_to_the_documented_outputs(kind, dataset, model):
    cfg = zoo_config(kind, dataset, model)
    data = load_dataset(cfg.data)
    built = build_model(cfg.model, cfg.data).eval()
    with torch.no_grad():
        if kind == "gan":
            samples = built.generator(torch.randn(5, cfg.model.latent_dim))
            assert samples.shape == (5, data.n_features)
            assert built.discriminator(samples).shape == (5, 1)
            return
        output = built(data.x_val[:5])
    images = {"autoencoder": (5, 64), "vae": (5, 64)}
    expected = images.get(kind, (5, data.n_classes) if data.classes else (5,))
    assert output.shape == expected
    if kind in ("autoencoder", "vae"):
        assert output.min() >= 0 and output.max() <= 1


def test_cnn_pools_until_the_maps_are_two_pixels_wide():
    cfg = zoo_config("cnn", "digits", {"channels": [3, 5, 7, 9]})
    model = build_model(cfg.model, cfg.data)
    pools = [any(isinstance(layer, nn.MaxPool2d) for layer in block) for block in model.features]
    assert pools == [True, True, False, False]  # 8 -> 4 -> 2, then no further
    assert model.head[-1].in_features == 9 * 2 * 2
    assert model.first_layer_maps(torch.zeros(2, 64)).shape == (2, 3, 8, 8)


def test_weight_layers_name_each_weight_matrix_input_to_output():
    cfg = zoo_config("rnn", "text", {"cell": "gru", "num_layers": 2})
    names = [name for name, _ in weight_layers(build_model(cfg.model, cfg.data))]
    assert names == ["gru1.input", "gru1.state", "gru2.input", "gru2.state", "linear1"]
    cfg = zoo_config("cnn", "shapes", {"channels": [4, 8]})
    names = [name for name, _ in weight_layers(build_model(cfg.model, cfg.data))]
    assert names == ["conv1", "conv2", "linear1"]
