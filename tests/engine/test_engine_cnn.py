"""Convolutional networks on 8x8 digits and 28x28 shapes, and the pictures they stream."""

import numpy as np
import pytest
import torch

from engine import FEATURE_MAPS, FILTERS
from engine.datasets import load_dataset
from tests.engine.support import epoch_metrics, make_config, of_type, run


@pytest.fixture(scope="module")
def digits_cnn():
    cfg = make_config(
        "cnn", "digits", model={"channels": [16, 32], "batch_norm": True},
        data={"n_samples": 1797}, epochs=15, lr=0.01, batch_size=64, schedule="cosine",
    )
    result, events = run(cfg)
    return cfg, result, events


def test_digits_cnn_reaches_98_percent(digits_cnn):
    _, result, events = digits_cnn
    assert result.summary["val_accuracy"] >= 0.98
    assert result.summary["best_val_accuracy"] >= 0.98
    assert epoch_metrics(events)[-1]["val_accuracy"] == result.summary["val_accuracy"]


def test_filters_are_the_first_layers_kernels_scaled_into_the_unit_range(digits_cnn):
    _, result, events = digits_cnn
    filters = of_type(events, FILTERS)
    assert [f["epoch"] for f in filters] == list(range(1, 16))  # 15 epochs: every epoch
    last = filters[-1]
    assert last["layer"] == "conv1"
    kernels = np.array(last["kernels"])
    assert kernels.shape == (16, 3, 3)
    assert np.allclose(np.abs(kernels).max(axis=(1, 2)), 1)
    weights = result.model.features[0][0].weight.detach()[:, 0].numpy()
    expected = weights / np.abs(weights).max(axis=(1, 2), keepdims=True)
    assert np.allclose(kernels, expected, atol=1e-4)


def test_feature_maps_show_one_validation_image_through_the_first_layer(digits_cnn):
    cfg, result, events = digits_cnn
    data = load_dataset(cfg.data)
    last = of_type(events, FEATURE_MAPS)[-1]
    assert last["label"] == str(int(data.y_val[0]))
    assert np.allclose(last["image"], data.x_val[0].reshape(8, 8).numpy(), atol=1e-4)
    maps = np.array(last["maps"])
    assert maps.shape == (8, 8, 8)  # the first 8 of 16 maps, 8x8 each
    with torch.no_grad():
        expected = result.model.first_layer_maps(data.x_val[:1])[0, :8].numpy()
    assert np.allclose(maps, expected, atol=1e-4)
    assert maps.min() >= 0  # after the ReLU


def test_shapes_cnn_learns_to_tell_the_shapes_apart():
    cfg = make_config(
        "cnn", "shapes", model={"channels": [8, 16, 32], "batch_norm": True},
        data={"n_samples": 2000}, epochs=10, lr=0.01, schedule="cosine",
    )
    result, events = run(cfg)
    assert result.summary["best_val_accuracy"] >= 0.8
    maps = np.array(of_type(events, FEATURE_MAPS)[-1]["maps"])
    assert maps.shape == (8, 28, 28)
    assert np.array(of_type(events, FILTERS)[-1]["kernels"]).shape == (8, 3, 3)
