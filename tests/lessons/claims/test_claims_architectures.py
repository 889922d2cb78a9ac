"""The numbers the advanced-architectures lessons quote still hold (see support.py).

Tolerances: half of the last printed digit (the runs are seeded, so they repeat exactly on
one machine, and a half digit still tells 0.062 from 0.065)."""

import copy

import pytest

from engine import parse_config
from engine.models import build_model
from tests.lessons.claims.support import (
    PRESETS,
    assert_quoted,
    epoch_metrics,
    last_event,
    summary_for,
)

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("cnn-digits", {}, "val_accuracy", 0.994, 0.0005),
    ("cnn-digits", {}, "n_params", 6186, 0),
    ("cnn-digits", {"model.pool": False}, "val_accuracy", 0.981, 0.0005),
    ("cnn-digits", {"model.pool": False}, "n_params", 25386, 0),
    ("cnn-digits", {"model.batch_norm": False}, "val_accuracy", 0.975, 0.0005),
    ("cnn-digits", {"model.batch_norm": False}, "n_params", 6090, 0),
    ("cnn-digits", {"model.channels": [8, 16]}, "val_accuracy", 0.989, 0.0005),
    ("cnn-digits", {"model.channels": [8, 16]}, "n_params", 1946, 0),
    ("cnn-digits", {"model.channels": [8, 16], "model.batch_norm": False}, "val_accuracy", 0.964,
     0.0005),
    ("cnn-digits", {"model.channels": [8, 16], "model.batch_norm": False}, "n_params", 1898, 0),
    ("mlp-digits", {}, "val_accuracy", 0.961, 0.0005),
    ("mlp-digits", {}, "n_params", 2410, 0),
    ("mlp-digits", {"model.hidden": [128]}, "val_accuracy", 0.969, 0.0005),
    ("mlp-digits", {"model.hidden": [128]}, "n_params", 9610, 0),
    ("rnn-forecast", {}, "val_loss", 0.062, 0.0005),
    ("rnn-forecast", {}, "n_params", 4513, 0),
    ("rnn-forecast", {"model.cell": "rnn"}, "val_loss", 0.070, 0.0005),
    ("rnn-forecast", {"model.cell": "rnn"}, "n_params", 1153, 0),
    ("rnn-forecast", {"model.cell": "gru"}, "val_loss", 0.065, 0.0005),
    ("rnn-forecast", {"model.cell": "gru"}, "n_params", 3393, 0),
    ("rnn-forecast", {"data.window": 4}, "val_loss", 0.093, 0.0005),
    ("gan-mixture", {}, "n_params", 34947, 0),
    ("gan-mixture", {}, "steps", 2520, 0),
    ("autoencoder-digits", {}, "val_loss", 0.017, 0.0005),
    ("autoencoder-digits", {}, "n_params", 9416, 0),
    ("autoencoder-digits", {"model.latent_dim": 2}, "val_loss", 0.040, 0.0005),
    ("autoencoder-digits", {"model.latent_dim": 32}, "val_loss", 0.010, 0.0005),
    ("autoencoder-digits", {"model.denoise_noise": 0.3}, "val_loss", 0.026, 0.0005),
]  # fmt: skip

NOT_MEASURED = {
    "convolutional-networks": {
        "150 528": "224 · 224 · 3 numbers of an example photo",
        "1000": "units of an example dense layer", "150": "million weights, 150 528 · 1000",
        "9": "weights of a 3 × 3 kernel; the figure's pixel value",
        "1": "the figure's blurred corner value", "12": "the figure's centre position",
        "10": "the ten digit classes",
        "11 498": "parameters of the worked example without pooling, computed by hand",
        "64": "pixels of a digit", "4": "a quiz's worked output size",
        "3.5": "a quiz's (8 + 2 − 3)/2", "4.5": "the output size without the floor",
    },
    "recurrent-networks": {
        "10": "steps of the worked vanishing-gradient example",
        "50": "steps of the worked vanishing-gradient example",
        "2010": "a date (the 2010s)",
    },
    "generative-adversarial-networks": {
        "2014": "a date", "0.5": "D at balance, a formula constant",
        "31": "a quiz slip, 4000 / 128 rounded down",
    },
    "autoencoders": {
        "255": "the range of raw 8-bit pixel values",
        "4": "a quiz's code size", "0.04": "a quiz's answer, about the lab's loss with a code of 2",
    },
}
CHECKED_BY = {
    "convolutional-networks": {
        "1438": "test_cnn_lesson_split_and_mistakes", "359": "test_cnn_lesson_split_and_mistakes",
        "2": "test_cnn_lesson_split_and_mistakes", "14": "test_cnn_lesson_split_and_mistakes",
        "1797": "test_cnn_lesson_split_and_mistakes",
    },
    "recurrent-networks": {
        "0.27": "test_recurrent_lesson_ordering_and_naive_forecast",
        "320": "test_recurrent_lesson_windows_and_parameters",
        "80": "test_recurrent_lesson_windows_and_parameters",
        "3360": "test_recurrent_lesson_windows_and_parameters",
        "1120": "test_recurrent_lesson_windows_and_parameters",
    },
    "generative-adversarial-networks": {
        "63": "test_gan_lesson_covers_the_clusters",
        "4000": "test_gan_lesson_covers_the_clusters",
        "6": "test_gan_lesson_covers_the_clusters",
    },
    "autoencoders": {
        "800": "test_autoencoder_lesson_loss_falls_as_the_code_grows",
        "200": "test_autoencoder_lesson_loss_falls_as_the_code_grows",
    },
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


# Validation digits each run gets wrong (the lesson prints "2 of the 359" and "14"; the
# others pin its percentages to a whole digit).
MISTAKES = [
    ("cnn-digits", {}, 2),
    ("cnn-digits", {"model.pool": False}, 7),
    ("cnn-digits", {"model.batch_norm": False}, 9),
    ("cnn-digits", {"model.channels": [8, 16]}, 4),
    ("cnn-digits", {"model.channels": [8, 16], "model.batch_norm": False}, 13),
    ("mlp-digits", {}, 14),
    ("mlp-digits", {"model.hidden": [128]}, 11),
]


@pytest.mark.parametrize(("lab_slug", "changes", "wrong"), MISTAKES)
def test_cnn_lesson_split_and_mistakes(lab_slug, changes, wrong):
    """All 1797 digits: 1438 to train on, 359 to validate; so many of the 359 wrong."""
    info = last_event(lab_slug, "info", changes)
    assert (info["n_train"], info["n_val"]) == (1438, 359) and 1438 + 359 == 1797
    accuracy = summary_for(lab_slug, changes)["val_accuracy"]
    assert round((1 - accuracy) * 359, 6) == wrong


def test_cnn_lesson_comparisons():
    """The CNN beats the dense network, even one with more parameters than the CNN; without
    pooling it has about four times as many parameters and does worse."""
    cnn, no_pool = summary_for("cnn-digits", {}), summary_for("cnn-digits", {"model.pool": False})
    wide = summary_for("mlp-digits", {"model.hidden": [128]})
    assert wide["n_params"] > cnn["n_params"] and wide["val_accuracy"] < cnn["val_accuracy"]
    assert summary_for("mlp-digits", {})["val_accuracy"] < cnn["val_accuracy"]
    assert 3.5 < no_pool["n_params"] / cnn["n_params"] < 4.5
    assert no_pool["val_accuracy"] < cnn["val_accuracy"]


def test_recurrent_lesson_ordering_and_naive_forecast():
    """LSTM lowest, GRU between, plain RNN highest; each about four times below the naive
    forecast (0.27); a window of 4 worse than 16, yet still clearly below the naive forecast
    of its own validation windows (a quiz explanation says so)."""
    loss = {cell: summary_for("rnn-forecast", {"model.cell": cell} if cell != "lstm" else {})
            ["val_loss"] for cell in ("lstm", "gru", "rnn")}
    assert loss["lstm"] < loss["gru"] < loss["rnn"]
    naive = epoch_metrics("rnn-forecast")[-1]["val_naive_mse"]
    assert naive == pytest.approx(0.27, abs=0.005)
    for cell, value in loss.items():
        assert 3.5 < naive / value < 4.5, cell  # "about four times"
    short_window = summary_for("rnn-forecast", {"data.window": 4})["val_loss"]
    assert short_window > loss["lstm"]
    naive_short = epoch_metrics("rnn-forecast", {"data.window": 4})[-1]["val_naive_mse"]
    assert short_window < naive_short / 2  # "still beats the naive forecast clearly"


def test_recurrent_lesson_windows_and_parameters():
    """320 windows train, 80 later ones validate; the cells alone have 4480 (LSTM), 3360 (GRU)
    and 1120 (plain RNN) parameters, and the output layer 32 + 1."""
    info = last_event("rnn-forecast", "info")
    assert (info["n_train"], info["n_val"]) == (320, 80)
    for cell, in_cell in (("lstm", 4480), ("gru", 3360), ("rnn", 1120)):
        changes = {"model.cell": cell} if cell != "lstm" else {}
        assert summary_for("rnn-forecast", changes)["n_params"] == in_cell + 32 + 1, cell


def test_recurrent_quiz_hidden_size_16():
    """The quiz has the learner predict the count of an LSTM with 16 units: 1216 + 17."""
    config = copy.deepcopy(PRESETS["rnn-forecast"])
    config["model"]["hidden_size"] = 16
    parsed = parse_config(config)
    model = build_model(parsed.model, parsed.data)
    assert sum(p.numel() for p in model.parameters()) == 4 * (16 + 16 * 16 + 2 * 16) + 17 == 1233


@pytest.mark.chaotic_run
def test_gan_lesson_losses_see_saw():
    """Neither loss comes near 0, and both rise as well as fall from epoch to epoch."""
    epochs = epoch_metrics("gan-mixture")
    for name in ("d_loss", "g_loss"):
        values = [m[name] for m in epochs]
        steps = [b - a for a, b in zip(values, values[1:], strict=False)]
        assert min(values) > 0.3, name
        assert sum(d > 0 for d in steps) >= 5 and sum(d < 0 for d in steps) >= 5, name


@pytest.mark.chaotic_run
def test_gan_lesson_covers_the_clusters():
    """Seed 0: "at most one cluster in the first few epochs", then "from the tenth epoch on at
    least 6 of the 8 clusters in every epoch, and all 8 in most of them"; 40 epochs of 63
    steps. (A GAN amplifies rounding: from the tenth epoch on, the native and MKL-compatible
    paths cover 7 or 8, missing one in different epochs, and the generic kernels all 8 in every
    epoch; so the lesson says only that a cluster may go missing and be found again.)"""
    covered = [m["modes_covered"] for m in epoch_metrics("gan-mixture")]
    assert max(covered[:3]) <= 1
    later = covered[9:]
    assert min(later) >= 6
    assert sum(count == 8 for count in later) > len(later) / 2
    assert len(covered) == 40 and summary_for("gan-mixture", {})["steps"] == 40 * 63
    assert last_event("gan-mixture", "info")["n_train"] == 4000


def test_autoencoder_lesson_loss_falls_as_the_code_grows():
    """800 digits train, 200 validate; the loss falls as the code grows."""
    info = last_event("autoencoder-digits", "info")
    assert (info["n_train"], info["n_val"]) == (800, 200)
    losses = [summary_for("autoencoder-digits", {"model.latent_dim": size})["val_loss"]
              for size in (2, 8, 32)]
    assert losses[0] > losses[1] > losses[2]
    denoising = summary_for("autoencoder-digits", {"model.denoise_noise": 0.3})["val_loss"]
    assert denoising > losses[1]  # "a harder task, so it is higher"
