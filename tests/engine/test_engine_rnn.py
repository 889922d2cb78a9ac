"""Recurrent networks: forecasting a noisy series, and writing text one character at a time."""

import numpy as np
import pytest
import torch

from engine import FORECAST, TEXT_SAMPLE
from engine.catalog import TEXT_ALPHABET
from engine.datasets import load_dataset
from engine.sequences import decode_text
from tests.engine.support import epoch_metrics, make_config, of_type, run


def series_config(cell, **optim):
    return make_config("rnn", "series", model={"cell": cell, "hidden_size": 32},
                       data={"n_samples": 1000, "window": 20}, **{"epochs": 10, **optim})


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_forecast_beats_repeating_the_last_value(cell):
    result, events = run(series_config(cell))
    last = epoch_metrics(events)[-1]
    assert set(last) >= {"train_loss", "val_loss", "val_naive_mse", "lr"}
    assert "val_accuracy" not in last and result.summary["val_accuracy"] is None
    assert last["val_loss"] < 0.5 * last["val_naive_mse"]


def test_forecast_event_compares_truth_model_and_naive_forecast():
    cfg = series_config("gru", epochs=3)
    result, events = run(cfg)
    data = load_dataset(cfg.data)
    forecast = of_type(events, FORECAST)[-1]
    assert forecast["epoch"] == 3
    assert len(forecast["true"]) == len(forecast["predicted"]) == len(forecast["naive"]) == 200
    assert np.allclose(forecast["true"], data.y_val[:200].numpy(), atol=1e-4)
    assert np.allclose(forecast["naive"], data.x_val[:200, -1, 0].numpy(), atol=1e-4)
    with torch.no_grad():
        predicted = result.model(data.x_val[:200]).numpy()
    assert np.allclose(forecast["predicted"], predicted, atol=1e-4)
    naive_mse = float(((data.x_val[:, -1, 0] - data.y_val) ** 2).mean())
    assert epoch_metrics(events)[-1]["val_naive_mse"] == pytest.approx(naive_mse, rel=1e-5)


@pytest.fixture(scope="module")
def text_run():
    cfg = make_config("rnn", "text", model={"cell": "lstm", "hidden_size": 64},
                      data={"n_samples": 5000, "window": 16}, epochs=20, batch_size=64)
    result, events = run(cfg)
    return cfg, result, events


def test_text_model_predicts_the_next_character_far_better_than_chance(text_run):
    cfg, result, events = text_run
    data = load_dataset(cfg.data)
    most_common_share = torch.bincount(data.y_val).max().item() / len(data.y_val)
    assert most_common_share < 0.2  # the space
    assert result.summary["best_val_accuracy"] >= 0.4
    assert events[0].payload["classes"] == ["␣", *TEXT_ALPHABET[1:]]


def test_text_samples_continue_a_validation_prompt(text_run):
    cfg, _, events = text_run
    data = load_dataset(cfg.data)
    samples = of_type(events, TEXT_SAMPLE)
    assert [s["epoch"] for s in samples] == list(range(1, 21))
    assert all(s["prompt"] == decode_text(data.x_val[0]) for s in samples)
    assert all(len(s["text"]) == 160 and set(s["text"]) <= set(TEXT_ALPHABET) for s in samples)
    # By the end the model writes mostly words: few long runs without a space.
    words = samples[-1]["text"].split()
    assert np.mean([len(word) for word in words]) < 9
