"""The same config gives the same events, for every kind of model, as strict JSON."""

import json

import pytest
import torch

from tests.engine.support import make_config, run

SMALL = {
    "mlp": ("moons", {"hidden": [16], "dropout": 0.2, "batch_norm": True}, {}),
    "cnn": ("digits", {"channels": [4], "dropout": 0.3}, {"n_samples": 300}),
    "rnn-series": ("series", {"cell": "gru", "hidden_size": 8}, {"n_samples": 200}),
    "rnn-text": ("text", {"cell": "lstm", "hidden_size": 8}, {"n_samples": 300}),
    "autoencoder": ("digits", {"latent_dim": 2, "denoise_noise": 0.2}, {"n_samples": 300}),
    "gan": ("mixture", {"hidden": [16]}, {"n_samples": 300}),
    "vae": ("digits", {"hidden": [16], "beta": 2.0}, {"n_samples": 300}),
    "transformer": ("text", {"d_model": 16, "heads": 2, "num_layers": 1}, {"n_samples": 300}),
}


@pytest.mark.parametrize("name", list(SMALL))
def test_same_config_gives_identical_events_and_weights(name):
    dataset, model, data = SMALL[name]
    kind = name.split("-")[0]

    def config(seed):
        return make_config(kind, dataset, model=model, data={**data, "seed": seed}, epochs=2,
                           schedule="cosine")

    first, first_events = run(config(7))
    second, second_events = run(config(7))
    assert first_events == second_events
    json.dumps([(e.type, e.payload) for e in first_events], allow_nan=False)
    json.dumps(first.summary, allow_nan=False)
    for a, b in zip(first.model.parameters(), second.model.parameters(), strict=True):
        assert torch.equal(a, b)
    _, other_events = run(config(8))
    assert other_events != first_events


def test_cross_validation_is_repeatable():
    def config():
        return make_config(data={"n_samples": 120}, eval={"cv_folds": 3}, epochs=2)

    assert run(config())[1] == run(config())[1]


@pytest.mark.parametrize("name", list(SMALL))
def test_every_kind_stops_right_after_the_step_that_was_answered_stop(name):
    dataset, model, data = SMALL[name]
    cfg = make_config(name.split("-")[0], dataset, model=model, data=data, epochs=3,
                      batch_size=8)

    def second_step(event):
        return event.type == "metric" and event.payload.get("step") == 2

    result, events = run(cfg, stop_when=second_step)
    assert events[-1].payload == {"scope": "step", "epoch": 1, "step": 2,
                                  "train_loss": events[-1].payload["train_loss"]}
    assert result.stopped is True and result.epochs_completed == 0
