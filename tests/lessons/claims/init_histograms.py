"""The init-histograms figure (static/js/figures/init-histograms.js) recomputed in Python.

The same seeded generator (mulberry32), the same Box–Muller draws in the same order, the
same layers: so the standard deviations the figure prints can be checked against these,
up to the last bits of float rounding (numpy sums in another order than the figure's loop).
"""

import math

import numpy as np

LAYERS, WIDTH, SAMPLES, SEED = 10, 64, 256, 7  # as in the figure
MASK = 0xFFFFFFFF


def uniforms(seed: int):
    """mulberry32, with JavaScript's 32-bit integer arithmetic done on unsigned ints."""
    state = seed & MASK
    while True:
        state = (state + 0x6D2B79F5) & MASK
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & MASK
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & MASK)) & MASK
        yield ((t ^ (t >> 14)) & MASK) / 4294967296


def normals(seed: int, count: int) -> np.ndarray:
    draw = uniforms(seed)
    out = np.empty(count)
    for i in range(0, count, 2):
        radius = math.sqrt(-2 * math.log(1 - next(draw)))
        angle = 2 * math.pi * next(draw)
        out[i] = radius * math.cos(angle)
        if i + 1 < count:
            out[i + 1] = radius * math.sin(angle)
    return out


_DRAWS = normals(SEED, SAMPLES * WIDTH + LAYERS * WIDTH * WIDTH)
INPUTS = _DRAWS[: SAMPLES * WIDTH].reshape(SAMPLES, WIDTH)
WEIGHTS = _DRAWS[SAMPLES * WIDTH:].reshape(LAYERS, WIDTH, WIDTH)  # [layer, unit, input]

ACTIVATIONS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "linear": lambda z: z}


def layers(scale: float, activation: str, residual: bool = False) -> list[np.ndarray]:
    """Each layer's activations, (SAMPLES, WIDTH), as the figure computes them."""
    h = INPUTS
    found = []
    for w in WEIGHTS:
        out = ACTIVATIONS[activation]((h @ w.T) * (scale / math.sqrt(WIDTH)))
        h = h + out if residual else out
        found.append(h)
    return found


def layer_stds(scale: float, activation: str, residual: bool = False) -> list[float]:
    """Each layer's activation std (population, all samples and units together)."""
    return [float(h.std()) for h in layers(scale, activation, residual)]


def saturated_share(scale: float) -> float:
    """The share of the last tanh layer's activations above 0.95 in size."""
    return float((np.abs(layers(scale, "tanh")[-1]) > 0.95).mean())
