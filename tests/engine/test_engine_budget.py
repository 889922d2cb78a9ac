"""The size and time budget computed from a config, before anything is trained."""

import time

import pytest

from engine import ConfigError, budget, parse_config
from engine.config_rules import split_sizes
from engine.training import train


def config(kind, dataset, model=None, data=None, **optim):
    return parse_config({
        "model": {"kind": kind, **(model or {})},
        "data": {"name": dataset, **(data or {})},
        "optim": {"name": "adam", "lr": 0.01, "epochs": 2, **optim},
    })


def estimate(cfg):
    sizes = split_sizes(cfg.data, cfg.eval.cv_folds)
    return budget.estimate_seconds(cfg, sizes.train, sizes.val)


def test_estimate_grows_with_epochs_samples_model_and_folds():
    base = config("mlp", "digits", data={"n_samples": 1000})
    assert estimate(config("mlp", "digits", data={"n_samples": 1000}, epochs=4)) > estimate(base)
    assert estimate(config("mlp", "digits", data={"n_samples": 1797})) > estimate(base)
    assert estimate(config("mlp", "digits", {"hidden": [256, 256]},
                           {"n_samples": 1000})) > estimate(base)
    assert estimate(config("mlp", "digits", data={"n_samples": 1000}, batch_size=1)) > (
        5 * estimate(base)
    )
    folds = parse_config({**base.to_dict(), "eval": {"cv_folds": 5}})
    setup = budget.SETUP_SECONDS
    assert estimate(folds) - setup > 4 * (estimate(base) - setup)


def test_a_too_slow_step_or_epoch_measurement_is_refused():
    with pytest.raises(ConfigError) as caught:
        config("cnn", "shapes", {"channels": [32, 32, 32, 32], "kernel_size": 5, "pool": False},
               {"n_samples": 5000}, batch_size="full", epochs=1)
    assert set(caught.value.errors) == {"optim.batch_size", "data.n_samples"}
    assert "within a second" in caught.value.errors["optim.batch_size"]


@pytest.mark.parametrize(
    "cfg",
    [
        config("cnn", "digits", {"channels": [16, 32]}, {"n_samples": 1797}, epochs=3),
        config("rnn", "text", {"hidden_size": 64}, {"n_samples": 2000}, epochs=2),
        config("gan", "mixture", data={"n_samples": 2000}, epochs=3),
        config("transformer", "text", {"d_model": 32, "heads": 4, "num_layers": 2},
               {"n_samples": 3000}, epochs=2, lr=0.003),
    ],
    ids=["cnn", "rnn", "gan", "transformer"],
)
def test_estimate_is_not_optimistic(cfg):
    # The first run of a kind in a process pays for torch's lazy set-up (about a second
    # for convolutions); a worker pays it once.
    warm_up = parse_config({**cfg.to_dict(), "optim": {**cfg.to_dict()["optim"], "epochs": 1}})
    train(warm_up, lambda event: None)
    started = time.perf_counter()
    train(cfg, lambda event: None)
    elapsed = time.perf_counter() - started
    # Estimates run about twice the real time; 1.5 allows for a busy machine.
    assert elapsed < 1.5 * estimate(cfg)
