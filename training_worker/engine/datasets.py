"""Datasets: small 2-D point clouds generated from the seed, and scikit-learn's digits.

Everything is split into train and validation sets stratified by class, so a small
validation set still contains every class in its true proportion.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import load_digits, make_circles, make_moons
from sklearn.model_selection import train_test_split
from sklearn.utils import resample

from training_worker.engine.catalog import DATASET_CLASSES
from training_worker.engine.config import DataConfig, split_sizes

SPIRAL_ARMS = 3
SPIRAL_SWEEP_RADIANS = 4.0
GAUSSIAN_CENTRES = np.array([[-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
DIGITS_MAX_PIXEL = 16.0

LabelledPoints = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Dataset:
    x_train: torch.Tensor  # float32, (n_train, n_features)
    y_train: torch.Tensor  # int64, (n_train,)
    x_val: torch.Tensor
    y_val: torch.Tensor
    classes: list[str]

    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_classes(self) -> int:
        return len(self.classes)


def load_dataset(cfg: DataConfig) -> Dataset:
    if cfg.name == "digits":
        x, y = _digits_subset(cfg.n_samples, cfg.seed)
    else:
        generate = POINT_CLOUDS[cfg.name]
        x, y = generate(cfg.n_samples, cfg.noise, np.random.default_rng(cfg.seed))
    _, n_val = split_sizes(cfg)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=n_val, stratify=y, random_state=cfg.seed
    )
    if cfg.name != "digits":
        # Statistics of the training set only: the validation set must stay unseen.
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    return Dataset(
        x_train=torch.from_numpy(x_train.astype(np.float32)),
        y_train=torch.from_numpy(y_train.astype(np.int64)),
        x_val=torch.from_numpy(x_val.astype(np.float32)),
        y_val=torch.from_numpy(y_val.astype(np.int64)),
        classes=list(DATASET_CLASSES[cfg.name]),
    )


def warm_up() -> None:
    """Load what is read from disk now, e.g. in a worker's parent before it forks."""
    _digits_arrays()


@functools.lru_cache(maxsize=1)
def _digits_arrays() -> LabelledPoints:
    digits = load_digits()
    pixels = digits.data.astype(np.float32) / DIGITS_MAX_PIXEL
    labels = digits.target.astype(np.int64)
    # The cached arrays are shared by every job of the process: no job may modify them.
    pixels.setflags(write=False)
    labels.setflags(write=False)
    return pixels, labels


def _digits_subset(n_samples: int, seed: int) -> LabelledPoints:
    pixels, labels = _digits_arrays()
    if n_samples >= len(labels):
        return pixels, labels
    return resample(
        pixels, labels, replace=False, n_samples=n_samples, stratify=labels, random_state=seed
    )


def _balanced_labels(n_samples: int, n_classes: int) -> np.ndarray:
    """Labels 0..n_classes-1 in equal shares (the first classes get the remainder)."""
    return np.arange(n_samples) % n_classes


def _moons(n_samples: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    return make_moons(n_samples=n_samples, noise=noise, random_state=_sklearn_seed(rng))


def _circles(n_samples: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    return make_circles(
        n_samples=n_samples, noise=noise, factor=0.5, random_state=_sklearn_seed(rng)
    )


def _spiral(n_samples: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    labels = _balanced_labels(n_samples, SPIRAL_ARMS)
    radius = rng.uniform(0.0, 1.0, n_samples)
    # Each arm starts at its own angle and winds outwards; the noise blurs the angle, so
    # the arms overlap most where they are close, near the centre.
    angle = (
        labels * (2 * math.pi / SPIRAL_ARMS)
        + radius * SPIRAL_SWEEP_RADIANS
        + rng.normal(0.0, noise, n_samples)
    )
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return points, labels


def _xor(n_samples: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    # Uniform in [-1, 1]^2 labelled by sign(x * y), drawn per class so that the classes
    # are balanced exactly (a stratified split needs every class on both sides).
    labels = _balanced_labels(n_samples, 2)
    magnitudes = rng.uniform(0.0, 1.0, (n_samples, 2))
    x_sign = rng.choice([-1.0, 1.0], n_samples)
    y_sign = np.where(labels == 1, x_sign, -x_sign)
    points = magnitudes * np.stack([x_sign, y_sign], axis=1)
    return points + rng.normal(0.0, noise, points.shape), labels


def _gaussians(n_samples: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    labels = _balanced_labels(n_samples, len(GAUSSIAN_CENTRES))
    points = GAUSSIAN_CENTRES[labels] + rng.normal(0.0, noise, (n_samples, 2))
    return points, labels


def _sklearn_seed(rng: np.random.Generator) -> int:
    """scikit-learn's generators take an int seed, not a numpy Generator."""
    return int(rng.integers(2**31 - 1))


POINT_CLOUDS = {
    "moons": _moons,
    "circles": _circles,
    "spiral": _spiral,
    "xor": _xor,
    "gaussians": _gaussians,
}
