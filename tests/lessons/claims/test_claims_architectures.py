"""The numbers the advanced-architectures lessons quote still hold (see support.py)."""

import pytest

from tests.lessons.claims.support import assert_quoted, epoch_metrics, summary_for

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("cnn-digits", {}, "val_accuracy", 0.994, 0.02),
    ("cnn-digits", {}, "n_params", 6186, 0),
    ("cnn-digits", {"model.pool": False}, "val_accuracy", 0.981, 0.02),
    ("cnn-digits", {"model.pool": False}, "n_params", 25386, 0),
    ("cnn-digits", {"model.batch_norm": False}, "val_accuracy", 0.975, 0.02),
    ("cnn-digits", {"model.batch_norm": False}, "n_params", 6090, 0),
    ("cnn-digits", {"model.channels": [8, 16]}, "val_accuracy", 0.989, 0.02),
    ("cnn-digits", {"model.channels": [8, 16]}, "n_params", 1946, 0),
    ("cnn-digits", {"model.channels": [8, 16], "model.batch_norm": False}, "val_accuracy", 0.964,
     0.02),
    ("cnn-digits", {"model.channels": [8, 16], "model.batch_norm": False}, "n_params", 1898, 0),
    ("mlp-digits", {}, "val_accuracy", 0.961, 0.02),
    ("mlp-digits", {}, "n_params", 2410, 0),
    ("mlp-digits", {"model.hidden": [128]}, "val_accuracy", 0.969, 0.02),
    ("mlp-digits", {"model.hidden": [128]}, "n_params", 9610, 0),
    ("rnn-forecast", {}, "val_loss", 0.062, 0.02),
    ("rnn-forecast", {}, "n_params", 4513, 0),
    ("rnn-forecast", {"model.cell": "rnn"}, "val_loss", 0.07, 0.02),
    ("rnn-forecast", {"model.cell": "rnn"}, "n_params", 1153, 0),
    ("rnn-forecast", {"model.cell": "gru"}, "val_loss", 0.065, 0.02),
    ("rnn-forecast", {"model.cell": "gru"}, "n_params", 3393, 0),
    ("rnn-forecast", {"data.window": 4}, "val_loss", 0.093, 0.02),
    ("gan-mixture", {}, "n_params", 34947, 0),
    ("gan-mixture", {}, "steps", 2520, 0),
    ("autoencoder-digits", {}, "val_loss", 0.017, 0.02),
    ("autoencoder-digits", {}, "n_params", 9416, 0),
    ("autoencoder-digits", {"model.latent_dim": 2}, "val_loss", 0.04, 0.02),
    ("autoencoder-digits", {"model.latent_dim": 32}, "val_loss", 0.01, 0.02),
    ("autoencoder-digits", {"model.denoise_noise": 0.3}, "val_loss", 0.026, 0.02),
]  # fmt: skip


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def test_recurrent_lesson_naive_forecast():
    naive = epoch_metrics("rnn-forecast")[-1]["val_naive_mse"]
    assert naive == pytest.approx(0.27, abs=0.01)
    assert naive / summary_for("rnn-forecast", {})["val_loss"] > 3.5  # "about four times"


def test_gan_lesson_losses_see_saw():
    """Neither loss comes near 0, and both rise as well as fall from epoch to epoch."""
    epochs = epoch_metrics("gan-mixture")
    for name in ("d_loss", "g_loss"):
        values = [m[name] for m in epochs]
        steps = [b - a for a, b in zip(values, values[1:], strict=False)]
        assert min(values) > 0.3, name
        assert sum(d > 0 for d in steps) >= 5 and sum(d < 0 for d in steps) >= 5, name


def test_gan_lesson_covers_most_clusters():
    assert epoch_metrics("gan-mixture")[-1]["modes_covered"] >= 7  # "7 of the 8 clusters"
