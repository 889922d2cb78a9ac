"""Transfer learning in the engine: which layers carry over, which stay frozen, and the
config rules that keep a base and a new model compatible."""

import pytest
import torch

from engine import INFO, ConfigError, parse_config
from engine.config_rules import compatibility_errors, with_base_model
from engine.training import train
from engine.transfer import BaseModel, hidden_blocks

MLP = {"kind": "mlp", "hidden": [32, 16], "activation": "relu"}
CNN = {"kind": "cnn", "channels": [4, 8], "kernel_size": 3, "batch_norm": True}


def config(model: dict, dataset: str, transfer: dict | None = None, **optim) -> dict:
    raw = {
        "model": model,
        "data": {"name": dataset, "n_samples": 400, "val_fraction": 0.25, "seed": 1},
        "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 3, **optim},
    }
    if transfer is not None:
        raw["transfer"] = transfer
    return raw


def base_from(raw: dict) -> BaseModel:
    parsed = parse_config(raw)
    result = train(parsed, lambda event: None)
    return BaseModel(parsed, result.model.state_dict(), "test base")


@pytest.fixture(scope="module")
def mlp_base() -> BaseModel:
    return base_from(config(MLP, "digits_0_4"))


@pytest.fixture(scope="module")
def cnn_base() -> BaseModel:
    return base_from(config(CNN, "digits_0_4"))


def weights(blocks) -> list[torch.Tensor]:
    return [tensor.clone() for block in blocks for module in block
            for tensor in module.state_dict().values()]


def train_from(base: BaseModel, raw: dict):
    events = []
    result = train(parse_config(raw), lambda event: events.append(event), base=base)
    return result, events


def test_frozen_layers_keep_the_base_weights_and_the_rest_learn(mlp_base):
    base_net_blocks = hidden_blocks(_net(mlp_base))
    result, events = train_from(
        mlp_base, config(MLP, "digits_5_9", {"base_job": 7, "freeze": 1})
    )
    ours = hidden_blocks(result.model)
    first, base_first = weights(ours[:1]), weights(base_net_blocks[:1])
    assert all(torch.equal(a, b) for a, b in zip(first, base_first, strict=True))
    second, base_second = weights(ours[1:]), weights(base_net_blocks[1:])
    assert not all(torch.equal(a, b) for a, b in zip(second, base_second, strict=True))
    info = next(event.payload for event in events if event.type == INFO)
    assert info["transfer"] == {
        "base": "test base", "base_dataset": "digits_0_4", "layers_copied": 2,
        "layers_frozen": 1, "frozen_params": 64 * 32 + 32,
    }
    # n_params counts what trains: the second hidden layer and the new output layer.
    assert info["n_params"] == (32 * 16 + 16) + (16 * 5 + 5)


def test_fine_tuning_starts_from_the_base_and_the_output_layer_is_new(mlp_base):
    raw = config(MLP, "digits_5_9", {"base_job": 7, "freeze": 0}, epochs=1, lr=1e-9)
    result, _ = train_from(mlp_base, raw)
    # A learning rate of 1e-9 leaves every weight where it started.
    base_net = _net(mlp_base)
    for ours, theirs in zip(weights(hidden_blocks(result.model)),
                            weights(hidden_blocks(base_net)), strict=True):
        assert torch.allclose(ours, theirs, atol=1e-6)
    assert not torch.allclose(result.model[-1].weight, base_net[-1].weight)


def test_freezing_all_layers_of_a_cnn_keeps_its_batch_norm_statistics(cnn_base):
    result, _ = train_from(cnn_base, config(CNN, "digits_5_9", {"base_job": 7, "freeze": "all"}))
    for ours, theirs in zip(weights(hidden_blocks(result.model)),
                            weights(hidden_blocks(_net(cnn_base))), strict=True):
        assert torch.equal(ours, theirs)  # running mean and variance included


def test_a_cnn_base_from_8x8_digits_starts_a_28x28_shapes_model(cnn_base):
    raw = config(CNN, "shapes", {"base_job": 7, "freeze": "all"}, epochs=1)
    assert compatibility_errors(parse_config(raw), cnn_base.config, "transfer.base_job") == {}
    result, _ = train_from(cnn_base, raw)
    assert result.epochs_completed == 1


def test_the_base_and_the_new_model_may_differ_in_dropout_and_activation(mlp_base):
    model = {**MLP, "dropout": 0.3, "activation": "tanh"}
    result, _ = train_from(mlp_base, config(model, "digits_5_9", {"base_job": 7, "freeze": 2}))
    for ours, theirs in zip(weights(hidden_blocks(result.model)),
                            weights(hidden_blocks(_net(mlp_base))), strict=True):
        assert torch.equal(ours, theirs)


def test_the_same_config_seed_and_base_give_the_same_curve(mlp_base):
    raw = config(MLP, "digits_5_9", {"base_job": 7, "freeze": 1})
    curves = [
        [event.payload for event in train_from(mlp_base, raw)[1] if event.type == "metric"]
        for _ in range(2)
    ]
    assert curves[0] == curves[1]


def test_a_transfer_config_without_its_base_is_refused():
    with pytest.raises(ValueError, match="base"):
        train(parse_config(config(MLP, "digits", {"base_job": 3})), lambda event: None)


@pytest.mark.parametrize(("transfer", "model", "field", "says"), [
    ({"freeze": 1}, MLP, "transfer.freeze", "needs a base model"),
    ({"base_job": 3, "freeze": 3}, MLP, "transfer.freeze", "freeze at most 2"),
    ({"base_job": 3, "base_name": "digits-0-4-mlp"}, MLP, "transfer.base_name", "not both"),
    ({"base_job": 3}, {"kind": "autoencoder"}, "transfer.base_job", "is for model.kind"),
    ({"base_name": "imagenet"}, MLP, "transfer.base_name", "must be one of"),
])
def test_transfer_fields_are_checked_with_the_reason(transfer, model, field, says):
    dataset = "digits"
    with pytest.raises(ConfigError) as refused:
        parse_config(config(model, dataset, transfer))
    assert says in refused.value.errors[field]


@pytest.mark.parametrize(("ours", "dataset", "field", "says"), [
    ({**MLP, "hidden": [32]}, "digits_5_9", "model.hidden", "must be the base's ([32, 16])"),
    ({**MLP, "batch_norm": True}, "digits_5_9", "model.batch_norm", "must be the base's"),
    (MLP, "moons", "transfer.base_job", "same input size (a CNN can)"),
    (CNN, "digits_5_9", "transfer.base_job", 'the base is a "mlp" model'),
])
def test_a_model_that_does_not_fit_the_base_is_refused(mlp_base, ours, dataset, field, says):
    parsed = parse_config(config(ours, dataset, {"base_job": 3}))
    errors = compatibility_errors(parsed, mlp_base.config, "transfer.base_job")
    assert says in errors[field]


def test_a_config_without_a_model_section_takes_the_base_one():
    base = config(MLP, "digits_0_4")
    raw = config(MLP, "digits_5_9", {"base_job": 3})
    del raw["model"]
    assert with_base_model(raw, base)["model"] == MLP
    assert with_base_model(config(CNN, "digits"), base)["model"] == CNN


def test_digit_halves_hold_only_their_digits_labelled_from_zero():
    from engine.datasets import load_dataset

    data = load_dataset(parse_config(config(MLP, "digits_5_9")).data)
    assert data.classes == ["5", "6", "7", "8", "9"]
    assert set(data.y_train.tolist()) == {0, 1, 2, 3, 4}


def _net(base: BaseModel):
    from engine.models import build_model

    net = build_model(base.config.model, base.config.data)
    net.load_state_dict(base.state_dict)
    return net
