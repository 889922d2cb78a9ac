"""Datasets: small 2-D point clouds and images generated from the seed, scikit-learn's
digits, and the sequences of `sequences` (a noisy series, a text corpus).

Samples are split into train, validation and (optionally) test sets stratified by class,
so a small validation set still contains every class in its true proportion; with
cross-validation, `load_folds` gives one split per stratified fold. Sequences are split in
time order instead.
"""

import functools
import math
from collections.abc import Callable

import numpy as np
import torch
from sklearn.datasets import load_digits, make_circles, make_moons
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.utils import resample

from engine import hiring
from engine.catalog import (
    DATASET_CLASSES,
    DIGIT_DATASETS,
    GROUPED_DATASETS,
    LOGIC_GATES,
    MIXTURE_MODES,
    SEQUENCE_DATASETS,
)
from engine.config import ALL_SAMPLES, DataConfig
from engine.config_rules import n_minority, n_samples_used, split_sizes
from engine.dataset import Dataset, Normalization
from engine.images import make_shapes
from engine.sequences import load_sequence

SPIRAL_ARMS = 3
SPIRAL_SWEEP_RADIANS = 4.0
GAUSSIAN_CENTRES = np.array([[-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
MIXTURE_RADIUS = 2.0
DIGITS_MAX_PIXEL = 16.0

# The logic set's corners, in the order of its truth tables (catalog.LOGIC_GATES).
LOGIC_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

# Already on a fixed scale the lessons talk about (pixels in [0, 1], a ring of radius 2,
# a truth table's inputs 0 and 1).
NOT_STANDARDIZED = (*DIGIT_DATASETS, "shapes", "mixture", "logic")

LabelledPoints = tuple[np.ndarray, np.ndarray]


def load_dataset(cfg: DataConfig) -> Dataset:
    """The dataset split into train, validation and (when test_fraction > 0) test sets."""
    if cfg.name in SEQUENCE_DATASETS:
        return load_sequence(cfg)
    if cfg.name in GROUPED_DATASETS:
        return hiring.load_hiring(cfg, *split_sizes(cfg))
    x, y = _draw(cfg)
    x, y, x_test, y_test = _hold_out_test(x, y, cfg)
    _, n_val, _ = split_sizes(cfg)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=n_val, stratify=y, random_state=cfg.seed
    )
    return _finish(cfg, x_train, y_train, x_val, y_val, x_test, y_test)


def load_folds(cfg: DataConfig, n_folds: int) -> list[Dataset]:
    """One dataset per fold of stratified k-fold cross-validation: fold k validates on the
    k-th part and trains on the others. All folds share the same held-out test set."""
    x, y = _draw(cfg)
    x, y, x_test, y_test = _hold_out_test(x, y, cfg)
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=cfg.seed)
    return [
        _finish(cfg, x[train], y[train], x[val], y[val], x_test, y_test)
        for train, val in folds.split(x, y)
    ]


def warm_up() -> None:
    """Load what is read from disk now, e.g. in a worker's parent before it forks."""
    _digits_arrays()


def _draw(cfg: DataConfig) -> LabelledPoints:
    if cfg.name in DIGIT_DATASETS:
        return _digits_subset(cfg.n_samples, cfg.seed, DIGIT_DATASETS[cfg.name])
    generate = GENERATORS[cfg.name]
    gate = {"gate": cfg.gate} if cfg.name == "logic" else {}
    rng = np.random.default_rng(cfg.seed)
    if cfg.minority_fraction != 0.5:
        return _imbalanced(generate, cfg, rng)
    return generate(n_samples_used(cfg), cfg.noise, rng, **gate)


def _imbalanced(
    generate: Callable[..., LabelledPoints], cfg: DataConfig, rng: np.random.Generator
) -> LabelledPoints:
    """n_samples points of which n_minority are class 1: the balanced set is drawn with
    as many points of class 0 as wanted, then class 1 is thinned at random, so the rare
    points still come from the whole of their class's shape."""
    n_rare = n_minority(cfg)
    n_common = n_samples_used(cfg) - n_rare
    x, y = generate(2 * n_common, cfg.noise, rng)
    rare = rng.choice(np.flatnonzero(y == 1), size=n_rare, replace=False)
    kept = np.sort(np.concatenate([np.flatnonzero(y == 0), rare]))
    return x[kept], y[kept]


def _hold_out_test(x: np.ndarray, y: np.ndarray, cfg: DataConfig) -> tuple:
    """(x, y) without the test set, then the test set (None when there is none)."""
    n_test = split_sizes(cfg).test
    if n_test == 0:
        return x, y, None, None
    x, x_test, y, y_test = train_test_split(
        x, y, test_size=n_test, stratify=y, random_state=cfg.seed
    )
    return x, y, x_test, y_test


def _finish(cfg: DataConfig, x_train, y_train, x_val, y_val, x_test, y_test) -> Dataset:
    """Cap the training set at train_size, standardize, and wrap the arrays as tensors."""
    if cfg.train_size != ALL_SAMPLES and cfg.train_size < len(y_train):
        x_train, y_train = resample(
            x_train, y_train, replace=False, n_samples=cfg.train_size, stratify=y_train,
            random_state=cfg.seed,
        )
    normalization = _normalization(cfg)
    if cfg.name not in NOT_STANDARDIZED:
        # Statistics of the training set only: the validation set must stay unseen.
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
        if x_test is not None:
            x_test = (x_test - mean) / std
        normalization = Normalization.of(mean, std)
    test = {}
    if x_test is not None:
        test = {"x_test": _features(x_test), "y_test": _labels(y_test)}
    return Dataset(
        x_train=_features(x_train),
        y_train=_labels(y_train),
        x_val=_features(x_val),
        y_val=_labels(y_val),
        classes=list(DATASET_CLASSES[cfg.name]),
        **test,
        normalization=normalization,
    )


def _normalization(cfg: DataConfig) -> Normalization:
    """What the unstandardized datasets did to their raw values (digits: pixels 0..16 to
    [0, 1]; the others are read as drawn)."""
    if cfg.name in DIGIT_DATASETS:
        return Normalization.of([0.0], [DIGITS_MAX_PIXEL])
    return Normalization()


def _features(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))


def _labels(y: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64))


@functools.lru_cache(maxsize=1)
def _digits_arrays() -> LabelledPoints:
    digits = load_digits()
    pixels = digits.data.astype(np.float32) / DIGITS_MAX_PIXEL
    labels = digits.target.astype(np.int64)
    # The cached arrays are shared by every job of the process: no job may modify them.
    pixels.setflags(write=False)
    labels.setflags(write=False)
    return pixels, labels


def _digits_subset(n_samples: int, seed: int, digits: tuple[int, ...]) -> LabelledPoints:
    """A stratified subset of the images of `digits`, labelled 0.. in the order of `digits`
    (so the digit 5 is class 0 of digits_5_9)."""
    pixels, labels = _digits_arrays()
    if len(digits) < 10:
        kept = np.isin(labels, digits)
        pixels, labels = pixels[kept], labels[kept] - min(digits)
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


def mixture_centres() -> np.ndarray:
    """The centres of the mixture's modes: evenly spaced on a circle of MIXTURE_RADIUS."""
    angles = np.arange(MIXTURE_MODES) * (2 * math.pi / MIXTURE_MODES)
    return MIXTURE_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _mixture(n_samples: int, noise: float, rng: np.random.Generator) -> LabelledPoints:
    labels = _balanced_labels(n_samples, MIXTURE_MODES)
    points = mixture_centres()[labels] + rng.normal(0.0, noise, (n_samples, 2))
    return points, labels


def _logic(
    n_samples: int, noise: float, rng: np.random.Generator, gate: str = "and"
) -> LabelledPoints:
    # As many copies of each corner as possible (the first corners get the remainder), each
    # labelled by the gate's truth table for its corner, whatever its noise.
    corners = np.arange(n_samples) % len(LOGIC_CORNERS)
    labels = np.array(LOGIC_GATES[gate])[corners]
    points = LOGIC_CORNERS[corners] + rng.normal(0.0, noise, (n_samples, 2))
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
    "mixture": _mixture,
}

# Everything drawn from the seed alone, by name: (n_samples, noise, rng) -> (x, y); the
# logic set also takes its gate.
# (The hiring set's training data is skewed by its own fields: load_dataset draws it with
# hiring.load_hiring; its generator here gives the unbiased population.)
GENERATORS = {
    **POINT_CLOUDS, "shapes": make_shapes, "hiring": hiring.population, "logic": _logic,
}
