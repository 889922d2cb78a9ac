"""Sequence models: a series forecaster answers in the series' own units; a text model
classifies the next character."""

import numpy as np
import pytest
import torch

from engine import parse_config
from engine.config_rules import split_sizes
from engine.datasets import load_dataset
from engine.models import build_model
from engine.sequences import make_series, windows
from jobs.artifacts import deserialize
from tests.errors import error_fields


def rnn(dataset: str) -> dict:
    return {
        "model": {"kind": "rnn", "cell": "gru", "hidden_size": 16, "num_layers": 1},
        "data": {"name": dataset, "n_samples": 300, "window": 12, "val_fraction": 0.2,
                 "noise": 0.1, "seed": 0},
        "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 3},
    }


def deployed(api, train, config: dict) -> tuple:
    job = train(config)
    response = api.post(f"/api/v1/jobs/{job.pk}/deploy/", {}, format="json")
    assert response.status_code == 201, response.content
    return job, response.json()


@pytest.mark.django_db
def test_a_series_forecast_is_in_the_series_own_units(api, train):
    job, model = deployed(api, train, rnn("series"))
    data_cfg = parse_config(job.config).data
    engine = load_dataset(data_cfg)
    # The raw validation windows, cut as the engine cuts them (before it standardizes).
    sizes = split_sizes(data_cfg)
    raw = make_series(sizes.train + sizes.val + 2 * data_cfg.window, data_cfg.noise,
                      data_cfg.seed)
    raw_windows, _ = windows(raw[sizes.train + data_cfg.window:], data_cfg.window)
    engine_windows = engine.x_val[..., 0].double().numpy()
    # The engine's transform is affine: recover its scale and shift from two values.
    scale = (raw_windows[0, 0] - raw_windows[0, 1]) / (engine_windows[0, 0] - engine_windows[0, 1])
    shift = raw_windows[0, 0] - scale * engine_windows[0, 0]
    np.testing.assert_allclose(raw_windows, engine_windows * scale + shift, atol=1e-4)

    with job.model.file.open("rb") as stored:
        saved = deserialize(stored.read())
    net = build_model(parse_config(saved["config"]).model, data_cfg)
    net.load_state_dict(saved["state_dict"])
    with torch.no_grad():
        expected = net.eval()(engine.x_val[:50]).double().numpy() * scale + shift

    response = api.post(model["urls"]["predict"], {"inputs": raw_windows[:50].tolist()},
                        format="json")
    assert response.status_code == 200, response.content
    got = np.array([p["value"] for p in response.json()["predictions"]])
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)

    short = api.post(model["urls"]["predict"], {"inputs": [[0.0] * 5]}, format="json")
    assert short.status_code == 400 and "window of 12" in error_fields(short)["inputs"]


@pytest.mark.django_db
def test_a_text_model_classifies_the_next_character(api, train):
    _, model = deployed(api, train, rnn("text"))
    response = api.post(model["urls"]["predict"], {"inputs": ["deep learnin"]}, format="json")
    assert response.status_code == 200, response.content
    (prediction,) = response.json()["predictions"]
    assert len(prediction["probabilities"]) == 30
    assert sum(prediction["probabilities"].values()) == pytest.approx(1, abs=1e-5)
    bad = api.post(model["urls"]["predict"], {"inputs": ["deep learning!"]}, format="json")
    assert bad.status_code == 400 and "12 characters" in error_fields(bad)["inputs"]
