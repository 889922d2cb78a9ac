"""Sequence datasets, cut into windows that predict what comes next.

"series": a noisy sum of sine waves; each sample is `window` consecutive values and its
target the value after them (a regression). "text": the corpus of corpus.py; each sample
is `window` characters and its target the next character (a classification over
TEXT_ALPHABET).

Both are split in time order: the training windows come from the start of the sequence
and the validation windows from the rest, with no value shared between them, so the model
is validated on a stretch it never saw (a random split would leak overlapping windows).
"""

import math
from collections.abc import Iterable
from typing import SupportsInt

import numpy as np
import torch

from engine.catalog import DATASET_CLASSES, TEXT_ALPHABET
from engine.config import DataConfig
from engine.config_rules import split_sizes
from engine.corpus import corpus_text
from engine.dataset import Dataset, Normalization

SERIES_WAVES = 3
SERIES_PERIODS = (8.0, 60.0)  # in steps
SERIES_AMPLITUDES = (0.5, 1.5)


def load_sequence(cfg: DataConfig) -> Dataset:
    # With data.train_size, the training stretch is just shorter.
    sizes = split_sizes(cfg)
    normalization = Normalization()
    if cfg.name == "series":
        values = make_series(sizes.train + sizes.val + 2 * cfg.window, cfg.noise, cfg.seed)
        train_part = values[: sizes.train + cfg.window]
        # Statistics of the training stretch only, as for every other dataset.
        mean, std = train_part.mean(), train_part.std()
        values = ((values - mean) / std).astype(np.float32)
        normalization = Normalization.of([mean], [std])
    else:
        values = encode_text(corpus_text()[: sizes.train + sizes.val + 2 * cfg.window])
    boundary = sizes.train + cfg.window
    x_train, y_train = windows(values[:boundary], cfg.window)
    x_val, y_val = windows(values[boundary:], cfg.window)
    if cfg.name == "series":
        # Windows of one feature each: (n, window, 1), as recurrent layers expect.
        x_train, x_val = x_train[..., None], x_val[..., None]
    return Dataset(
        x_train=torch.from_numpy(x_train),
        y_train=torch.from_numpy(y_train),
        x_val=torch.from_numpy(x_val),
        y_val=torch.from_numpy(y_val),
        classes=list(DATASET_CLASSES[cfg.name]),
        normalization=normalization,
    )


def make_series(length: int, noise: float, seed: int) -> np.ndarray:
    """A sum of SERIES_WAVES sines of random period, amplitude and phase, plus noise."""
    rng = np.random.default_rng(seed)
    steps = np.arange(length)
    periods = rng.uniform(*SERIES_PERIODS, SERIES_WAVES)
    amplitudes = rng.uniform(*SERIES_AMPLITUDES, SERIES_WAVES)
    phases = rng.uniform(0.0, 2 * math.pi, SERIES_WAVES)
    waves = amplitudes[:, None] * np.sin(
        2 * math.pi * steps[None, :] / periods[:, None] + phases[:, None]
    )
    series: np.ndarray = waves.sum(axis=0) + rng.normal(0.0, noise, length)
    return series


def encode_text(text: str) -> np.ndarray:
    """Each character as its index in TEXT_ALPHABET."""
    index = {char: position for position, char in enumerate(TEXT_ALPHABET)}
    return np.array([index[char] for char in text], dtype=np.int64)


def decode_text(indices: Iterable[SupportsInt]) -> str:
    return "".join(TEXT_ALPHABET[int(i)] for i in indices)


def windows(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Every run of `window` consecutive values, and the value that follows each."""
    n = len(values) - window
    starts = np.arange(n)[:, None] + np.arange(window)[None, :]
    return np.ascontiguousarray(values[starts]), np.ascontiguousarray(values[window:])
