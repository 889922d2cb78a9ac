"""The hiring set: a generated tabular dataset for the bias and fairness lab.

Each applicant belongs to group A or B and has a hidden skill and some experience; they
are qualified ("hired", label 1) when skill + 0.5 * experience + noise > 0. Both groups
draw skill and experience from the same distributions and are labelled by the same rule,
so the true relationship between features and label is identical for A and B. Group A is
exactly half qualified; group B too unless data.base_rate_b says otherwise: a base rate
that differs between groups in every split (fewer qualified applicants, whatever the
reason), the condition under which the fairness definitions conflict. The model sees four
numbers per applicant:

- test_score and interview: two noisy measurements of the skill (noise 0.5 each);
- experience: as is;
- postcode: -1 for group A, +1 for group B, plus noise 0.5. It says nothing about the
  label beyond the group, but identifies the group in about 98% of cases: a proxy;

and, when data.use_group_feature is true, the group itself (0 for A, 1 for B) as a fifth.

Only the training set can be skewed: data.group_b_share sets how many of its applicants
come from group B (representation bias), and data.label_bias flips that share of group
B's qualified applicants to "not hired" (historical bias). Validation and test sets are
drawn apart from it, half A and half B, with true labels, so the per-group metrics show
what the model does to each group in reality.
"""

import math

import numpy as np
import torch

from engine.catalog import DATASET_CLASSES, GROUPS
from engine.config import DataConfig
from engine.dataset import Dataset, Normalization

MEASUREMENT_NOISE = 0.5  # of test_score and interview around the skill
POSTCODE_NOISE = 0.5  # around -1 (A) or +1 (B)
EXPERIENCE_WEIGHT = 0.5
GROUP_A, GROUP_B = 0, 1

# Each split draws from its own stream of the seed, so the validation set stays the same
# whatever the training set's skew.
TRAIN_STREAM, VAL_STREAM, TEST_STREAM = 0, 1, 2

Applicants = tuple[np.ndarray, np.ndarray, np.ndarray]  # features, labels, groups


def draw_applicants(
    n_a: int,
    n_b: int,
    noise: float,
    rng: np.random.Generator,
    label_bias: float = 0.0,
    base_rate_b: float = 0.5,
) -> Applicants:
    """n_a applicants of group A, half qualified (the qualified get the odd one), and n_b
    of group B, `base_rate_b` of them qualified, shuffled; `label_bias` of B's qualified
    ones labelled 0.

    Features are (test_score, interview, experience, postcode), before standardizing.
    """
    parts = [
        _draw_group(GROUP_A, n_a, 0.5, noise, rng),
        _draw_group(GROUP_B, n_b, base_rate_b, noise, rng),
    ]
    x = np.concatenate([part[0] for part in parts])
    y = np.concatenate([part[1] for part in parts])
    g = np.concatenate([np.full(len(part[1]), group) for group, part in enumerate(parts)])
    if label_bias > 0:
        qualified_b = np.flatnonzero((g == GROUP_B) & (y == 1))
        flipped = rng.choice(qualified_b, round(label_bias * len(qualified_b)), replace=False)
        y[flipped] = 0
    order = rng.permutation(len(y))
    return x[order], y[order], g[order]


def _draw_group(
    group: int, n: int, base_rate: float, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """n applicants of one group: exactly base_rate * n qualified (rounded half up, so
    ceil(n / 2) at 0.5), the rest not."""
    n_qualified = math.floor(base_rate * n + 0.5)
    wanted = {1: n_qualified, 0: n - n_qualified}
    kept: dict[int, list[np.ndarray]] = {value: [np.empty((0, 4))] for value in (0, 1)}
    while any(wanted.values()):
        # Candidates in bulk; about half of each batch is qualified.
        batch = 2 * n + 16
        skill = rng.normal(0.0, 1.0, batch)
        experience = rng.normal(0.0, 1.0, batch)
        label = (skill + EXPERIENCE_WEIGHT * experience + rng.normal(0.0, noise, batch) > 0)
        features = np.stack([
            skill + rng.normal(0.0, MEASUREMENT_NOISE, batch),
            skill + rng.normal(0.0, MEASUREMENT_NOISE, batch),
            experience,
            (2 * group - 1) + rng.normal(0.0, POSTCODE_NOISE, batch),
        ], axis=1)
        for value in (0, 1):
            rows = features[label == value][: wanted[value]]
            kept[value].append(rows)
            wanted[value] -= len(rows)
    x = np.concatenate(kept[1] + kept[0])
    y = np.concatenate([
        np.ones(n_qualified, dtype=np.int64), np.zeros(n - n_qualified, dtype=np.int64)
    ])
    return x, y


def population(
    n_samples: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The unbiased population, half A and half B, with the group as a last column: what
    the validation set is drawn from (the datasets' common generator signature)."""
    x, y, g = draw_applicants(n_samples - n_samples // 2, n_samples // 2, noise, rng)
    return np.concatenate([x, g[:, None].astype(x.dtype)], axis=1), y


def load_hiring(cfg: DataConfig, n_train: int, n_val: int, n_test: int) -> Dataset:
    """The hiring Dataset: a training set skewed as configured, unbiased balanced others
(group B's base rate is the same in every split)."""
    n_b = min(max(1, round(cfg.group_b_share * n_train)), n_train - 1)
    splits = {
        "train": draw_applicants(
            n_train - n_b, n_b, cfg.noise, _stream(cfg, TRAIN_STREAM), cfg.label_bias,
            cfg.base_rate_b,
        ),
        "val": _balanced(n_val, cfg, VAL_STREAM),
    }
    if n_test:
        splits["test"] = _balanced(n_test, cfg, TEST_STREAM)
    # Statistics of the training set only, as for the other datasets; the group stays 0/1.
    x_train = splits["train"][0]
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    tensors = {}
    for split, (x, y, g) in splits.items():
        x = (x - mean) / std
        if cfg.use_group_feature:
            x = np.concatenate([x, g[:, None].astype(x.dtype)], axis=1)
        tensors[f"x_{split}"] = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
        tensors[f"y_{split}"] = torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64))
        tensors[f"g_{split}"] = torch.from_numpy(np.ascontiguousarray(g, dtype=np.int64))
    # The group column, when it is a feature, is read as it is (0 or 1).
    extra = 1 if cfg.use_group_feature else 0
    normalization = Normalization.of([*mean, *[0.0] * extra], [*std, *[1.0] * extra])
    return Dataset(classes=list(DATASET_CLASSES[cfg.name]), groups=list(GROUPS),
                   normalization=normalization, **tensors)


def _balanced(n: int, cfg: DataConfig, stream: int) -> Applicants:
    return draw_applicants(
        n - n // 2, n // 2, cfg.noise, _stream(cfg, stream), base_rate_b=cfg.base_rate_b
    )


def _stream(cfg: DataConfig, stream: int) -> np.random.Generator:
    return np.random.default_rng([cfg.seed, stream])
