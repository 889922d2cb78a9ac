"""GANs on a ring of 8 Gaussians and on digits: losses, samples and the discriminator."""

import json

import numpy as np
import pytest
import torch

from engine import DATA_POINTS, DISCRIMINATOR_SURFACE, GAN_SAMPLES
from engine.datasets import mixture_centres
from engine.generative import modes_covered
from tests.engine.support import epoch_metrics, make_config, of_type, run

MIXTURE_NOISE = 0.1


@pytest.fixture(scope="module")
def mixture_gan():
    cfg = make_config("gan", "mixture", model={"hidden": [128, 128], "activation": "relu"},
                      data={"n_samples": 5000, "noise": MIXTURE_NOISE}, epochs=40, lr=0.001,
                      batch_size=64)
    result, events = run(cfg)
    return cfg, result, events


def count_modes(points: np.ndarray, noise: float, share: float = 0.02) -> int:
    """Independently of the engine: modes with `share` of the points within 3 sigma."""
    distances = np.linalg.norm(points[:, None, :] - mixture_centres()[None], axis=2)
    near = distances.min(axis=1) < 3 * noise
    counts = np.bincount(distances.argmin(axis=1)[near], minlength=8)
    return int((counts / len(points) >= share).sum())


def test_generator_covers_at_least_six_of_the_eight_modes(mixture_gan):
    _, result, events = mixture_gan
    generator = torch.Generator().manual_seed(123)
    with torch.no_grad():
        points = result.model.generator(torch.randn(4000, 8, generator=generator)).numpy()
    assert count_modes(points, MIXTURE_NOISE) >= 6
    assert epoch_metrics(events)[-1]["modes_covered"] >= 6


def test_modes_covered_counts_like_an_independent_count():
    rng = np.random.default_rng(0)
    centres = mixture_centres()
    collapsed = centres[rng.integers(0, 3, 1000)] + rng.normal(0, 0.1, (1000, 2))
    spread = centres[rng.integers(0, 8, 1000)] + rng.normal(0, 0.1, (1000, 2))
    for points in (collapsed, spread):
        assert modes_covered(torch.from_numpy(points), 0.1) == count_modes(points, 0.1)
    assert modes_covered(torch.from_numpy(collapsed), 0.1) == 3


def test_gan_epoch_metrics_name_both_players(mixture_gan):
    _, result, events = mixture_gan
    for metrics in epoch_metrics(events):
        assert metrics["train_loss"] == metrics["g_loss"]
        assert 0 <= metrics["d_fake"] <= 1 and 0 <= metrics["d_real"] <= 1
    assert result.summary["best_val_accuracy_epoch"] is None
    assert result.summary["best_val_loss_epoch"] is None and result.summary["val_accuracy"] is None


def test_samples_and_discriminator_surface_are_streamed_small(mixture_gan):
    _, result, events = mixture_gan
    samples = of_type(events, GAN_SAMPLES)
    assert [s["epoch"] for s in samples] == list(range(2, 41, 2))
    last = samples[-1]
    assert last["format"] == "points" and len(last["x"]) == len(last["y"]) == 500
    surface = of_type(events, DISCRIMINATOR_SURFACE)[-1]
    probabilities = np.array(surface["probabilities"])
    assert probabilities.shape == (40, 40)
    assert probabilities.min() >= 0 and probabilities.max() <= 1
    assert len(of_type(events, DATA_POINTS)) == 1
    for event in events:
        assert len(json.dumps(event.payload, allow_nan=False)) < 20_000


def test_digit_gan_streams_a_grid_of_generated_digits():
    cfg = make_config("gan", "digits", data={"n_samples": 500}, epochs=2, lr=0.001)
    _, events = run(cfg)
    last = of_type(events, GAN_SAMPLES)[-1]
    images = np.array(last["images"])
    assert last["format"] == "images" and images.shape == (16, 8, 8)
    assert images.min() >= 0 and images.max() <= 1
    assert of_type(events, DISCRIMINATOR_SURFACE) == []
