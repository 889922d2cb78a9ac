"""The numbers the lessons quote about their interactive figures, recomputed here without the
figures' JavaScript: the backpropagation graph's with autograd, the minibatch noise formula by
sampling, the RNN's gradient with autograd, the best GAN discriminator by quadrature, the
linear autoencoder by training one, the transfer figure's counts from the engine's model, and
the bias figure's fitted threshold with scipy. (The lessons write these numbers as math, which
tests/lessons/test_lesson_numbers_covered.py leaves out, so nothing there points here.)

The figures' data (400 per-example gradients, 40 points) come from a seeded mulberry32
generator in static/js/figures/batch-noise.js; `mulberry32` below is the same generator, so
the points the autoencoder lesson quotes numbers about are the points the figure draws
(tests/browser/test_figure_bottleneck.py checks that they match)."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, optimize, stats
from torch import nn

from engine import parse_config
from engine.models import build_model
from engine.transfer import hidden_blocks
from tests.lessons.claims.support import PRESETS

MASK = 0xFFFFFFFF


def mulberry32(seed: int):
    """static/js/figures/batch-noise.js's `random`, in 32-bit unsigned arithmetic."""
    state = seed & MASK

    def imul(a: int, b: int) -> int:
        return (a * b) & MASK

    def next_float() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & MASK
        return ((t ^ (t >> 14)) & MASK) / 4294967296

    return next_float


def bottleneck_points() -> np.ndarray:
    """static/js/figures/bottleneck.js's POINTS: 40 centred points of an elongated cloud."""
    draw = mulberry32(3)

    def normal() -> float:
        first = draw()
        return math.sqrt(-2 * math.log(1 - first)) * math.cos(2 * math.pi * draw())

    turn = math.radians(35)
    raw = []
    for _ in range(40):
        a = 1.6 * normal()
        b = 0.5 * normal()
        raw.append([a * math.cos(turn) - b * math.sin(turn),
                    a * math.sin(turn) + b * math.cos(turn)])
    points = np.array(raw)
    return np.round(points - points.mean(axis=0), 3)


def test_backprop_figure_opens_on_the_worked_example():
    """The graph's first numbers are the lesson's: ∂L/∂w ≈ −0.1586, ∂L/∂b ≈ −0.1058."""
    w = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-0.2, dtype=torch.float64, requires_grad=True)
    loss = (torch.sigmoid(w * 1.5 + b) - 1.0) ** 2
    loss.backward()
    assert w.grad.item() == pytest.approx(-0.1586, abs=5e-5)
    assert b.grad.item() == pytest.approx(-0.1058, abs=5e-5)


def minibatch_spread(sigma: float, n: int, batch: int) -> float:
    return sigma / math.sqrt(batch) * math.sqrt((n - batch) / (n - 1))


def test_minibatch_spread_formula_matches_sampling_without_replacement():
    """sd(B) = σ/√B · √((n − B)/(n − 1)), checked by drawing minibatches of a fixed set."""
    rng = np.random.default_rng(0)
    gradients = rng.normal(0.4, 1.0, size=400)
    sigma = gradients.std()
    for batch in (1, 4, 32, 128, 300):
        means = [rng.choice(gradients, size=batch, replace=False).mean() for _ in range(20000)]
        assert np.std(means) == pytest.approx(minibatch_spread(sigma, 400, batch), rel=0.03)


def test_minibatch_spread_ratios_the_lesson_quotes():
    """From B = 1 to 4 the spread falls from σ to 0.498σ; from 32 to 128, from 0.170σ to
    0.073σ: a ratio of 0.43, a little better, but a tenth of σ removed against a half."""
    spread = {batch: minibatch_spread(1, 400, batch) for batch in (1, 4, 32, 128, 400)}
    assert spread[1] == 1
    assert round(spread[4], 3) == 0.498
    assert (round(spread[32], 3), round(spread[128], 3)) == (0.170, 0.073)
    assert round(spread[128] / spread[32], 2) == 0.43
    assert spread[128] / spread[32] < spread[4] / spread[1]
    assert round(spread[1] - spread[4], 1) == 0.5 and round(spread[32] - spread[128], 1) == 0.1
    assert spread[400] == 0


def rnn_gradient(w: float, steps: int, x: float) -> tuple[float, float]:
    """∂h_T/∂h_0 of h_t = tanh(w·h_{t−1} + x) by autograd, and h_T."""
    h0 = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    h = h0
    for _ in range(steps):
        h = torch.tanh(w * h + x)
    (grad,) = torch.autograd.grad(h, h0)
    return grad.item(), h.item()


def test_rnn_figure_numbers():
    """0.8¹⁰ ≈ 0.107 and 1.5³⁰ ≈ 1.92·10⁵ at x = 0; at x = 0.5, h_T ≈ 0.959 and the
    gradient ≈ 1.1·10⁻²⁶ with the same w = 1.5."""
    assert rnn_gradient(0.8, 10, 0.0)[0] == pytest.approx(0.107, rel=5e-3)
    assert rnn_gradient(1.5, 30, 0.0)[0] == pytest.approx(1.92e5, rel=5e-3)
    grad, state = rnn_gradient(1.5, 30, 0.5)
    assert state == pytest.approx(0.959, abs=5e-4)
    assert grad == pytest.approx(1.1e-26, rel=0.05)


def density(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


def best_discriminator_value(mean: float, std: float, nudge: float = 0.0) -> float:
    """V(D, G) with D = D* + nudge·bump (a small change around x = 1), by quadrature."""

    def integrand(x):
        real, fake = density(x, 0, 1), density(x, mean, std)
        d = real / (real + fake) + nudge * math.exp(-((x - 1) ** 2))
        d = min(max(d, 1e-300), 1 - 1e-16)
        return real * math.log(d) + fake * math.log(1 - d)

    return integrate.quad(integrand, -30, 30, limit=400)[0]


def js_divergence(mean: float, std: float) -> float:
    def integrand(x):
        p, q = density(x, 0, 1), density(x, mean, std)
        m = (p + q) / 2
        return 0.5 * sum(v * math.log(v / m) for v in (p, q) if v > 0)

    return integrate.quad(integrand, -30, 30, limit=400)[0]


def test_gan_figure_numbers():
    """At μ = 2, σ = 1: D*(0) ≈ 0.881, JSD ≈ 0.337, the best discriminator's loss ≈ 0.713;
    at μ = 4 the loss is ≈ 0.121; at the data's own N(0, 1) it is 2 ln 2 ≈ 1.386."""
    real, fake = density(0, 0, 1), density(0, 2, 1)
    assert real / (real + fake) == pytest.approx(0.881, abs=5e-4)
    assert js_divergence(2, 1) == pytest.approx(0.337, abs=5e-4)
    assert -best_discriminator_value(2, 1) == pytest.approx(0.713, abs=5e-4)
    assert -best_discriminator_value(4, 1) == pytest.approx(0.121, abs=5e-4)
    assert -best_discriminator_value(0, 1) == pytest.approx(1.386, abs=5e-4)
    for mean, std in [(2, 1), (0, 2), (1, 0.5)]:
        # V(D*, G) = 2·JSD − 2 ln 2, and D* is the best: nudging it either way lowers V.
        best = best_discriminator_value(mean, std)
        assert best == pytest.approx(2 * js_divergence(mean, std) - 2 * math.log(2), abs=1e-6)
        assert best > best_discriminator_value(mean, std, 0.02)
        assert best > best_discriminator_value(mean, std, -0.02)


def test_gan_figure_js_divergence_flattens_as_the_generator_falls_behind():
    """The JSD grows by 0.069 per unit of μ at μ = 4, against 0.225 at μ = 2, and flattens
    further beyond."""

    def slope(mean: float) -> float:
        step = 1e-3
        return (js_divergence(mean + step, 1) - js_divergence(mean - step, 1)) / (2 * step)

    assert slope(2) == pytest.approx(0.225, abs=5e-4)
    assert slope(4) == pytest.approx(0.069, abs=5e-4)
    assert slope(2) > slope(3) > slope(4) > slope(5) > 0


def test_linear_autoencoder_finds_the_first_principal_direction():
    """The figure's points: lowest error 0.129 along 31.6°, highest 1.465 at right angles;
    a linear autoencoder trained by gradient descent ends on the same line."""
    points = bottleneck_points()
    variances, directions = np.linalg.eigh(np.cov(points.T, bias=True))
    first = directions[:, 1]
    angle = math.degrees(math.atan2(first[1], first[0])) % 180
    assert round(angle, 1) == 31.6
    # The error per coordinate is half the variance left across the code line.
    assert variances[0] / 2 == pytest.approx(0.129, abs=5e-4)
    assert variances[1] / 2 == pytest.approx(1.465, abs=5e-4)

    torch.manual_seed(0)
    x = torch.tensor(points, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(2, 1, bias=False), nn.Linear(1, 2, bias=False))
    # Plain full-batch gradient descent, as the lesson says (no Adam).
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2000):
        optimizer.zero_grad()
        loss = ((model(x) - x) ** 2).mean()
        loss.backward()
        optimizer.step()
    encoder = model[0].weight.detach().numpy()[0]
    decoder = model[1].weight.detach().numpy()[:, 0]
    for weights in (encoder, decoder):
        learned = math.degrees(math.atan2(weights[1], weights[0])) % 180
        assert learned == pytest.approx(angle, abs=0.5)
    # The same line, but not a unit vector: the encoder shrinks what the decoder stretches.
    assert abs(np.linalg.norm(encoder) - 1) > 0.1
    assert np.linalg.norm(encoder) * np.linalg.norm(decoder) == pytest.approx(1, abs=1e-3)
    assert loss.item() == pytest.approx(variances[0] / 2, rel=1e-3)


def test_transfer_figure_lab_cnn_blocks():
    """The labs' CNN, as the engine builds it: blocks of 192 and 4704 parameters, then a head
    of 645; freezing the first block leaves 96.5% trainable, freezing both 11.6%."""
    config = parse_config(PRESETS["transfer-frozen"])
    model = build_model(config.model, config.data)
    blocks = [sum(p.numel() for module in block for p in module.parameters())
              for block in hidden_blocks(model)]
    total = sum(p.numel() for p in model.parameters())
    assert blocks == [192, 4704] and total == 5541
    assert round(100 * (total - blocks[0]) / total, 1) == 96.5
    assert round(100 * (total - sum(blocks)) / total, 1) == 11.6


def resnet18_block_params() -> list[int]:
    """Stem and layer1…layer4 of torchvision's ResNet-18, built here from its layers."""

    def basic_block(inputs: int, outputs: int, stride: int) -> nn.Module:
        layers = [nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False), nn.BatchNorm2d(outputs),
                  nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False), nn.BatchNorm2d(outputs)]
        if stride != 1 or inputs != outputs:
            layers += [nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs)]
        return nn.Sequential(*layers)

    stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64))
    stages = [nn.Sequential(basic_block(i, o, s), basic_block(o, o, 1))
              for i, o, s in [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]]
    return [sum(p.numel() for p in part.parameters()) for part in [stem, *stages]]


def test_transfer_figure_resnet18_shares():
    """With the stem, layer1 and layer2 frozen, 93.9% of ResNet-18 (3-class head) trains."""
    blocks = resnet18_block_params()
    head = 512 * 3 + 3
    total = sum(blocks) + head
    assert total == 11_178_051 and blocks[-1] == 8_393_728  # the lesson's counts
    assert round(100 * (total - sum(blocks[:3])) / total, 1) == 93.9


def group_error(t: float, centre: float) -> float:
    """Half qualified ~ N(centre + 1, 1), half not ~ N(centre − 1, 1); "qualified" above t."""
    return 0.5 * (stats.norm.cdf(t - centre - 1) + stats.norm.sf(t - centre + 1))


def fitted_threshold(share: float, shift: float) -> float:
    """The threshold with the lowest training error, group B a `share` of the data."""

    def training_error(t: float) -> float:
        return (1 - share) * group_error(t, 0) + share * group_error(t, shift)

    grid = np.arange(-3, shift + 3, 0.001)
    start = grid[np.argmin([training_error(t) for t in grid])]
    return optimize.minimize_scalar(training_error, bounds=(start - 0.01, start + 0.01),
                                    method="bounded", options={"xatol": 1e-10}).x


def test_group_share_figure_numbers():
    """At 10% and δ = 1.5: threshold 0.079, errors 0.159 (A) and 0.335 (B), training 0.177,
    more than twice for B; at 50%: threshold 0.75, both errors 0.221."""
    t = fitted_threshold(0.1, 1.5)
    assert t == pytest.approx(0.079, abs=5e-4)
    error_a, error_b = group_error(t, 0), group_error(t, 1.5)
    assert (round(error_a, 3), round(error_b, 3)) == (0.159, 0.335)
    assert round(0.9 * error_a + 0.1 * error_b, 3) == 0.177
    assert error_b > 2 * error_a
    # Group B's errors: unqualified people accepted (two in three of them), hardly any
    # qualified people turned away.
    accepted_unqualified = stats.norm.sf(t - 1.5 + 1)
    rejected_qualified = stats.norm.cdf(t - 1.5 - 1)
    assert round(accepted_unqualified, 2) == 0.66 and rejected_qualified < 0.01
    assert 0.5 * accepted_unqualified / error_b > 0.97
    t = fitted_threshold(0.5, 1.5)
    assert t == pytest.approx(0.75, abs=1e-6)
    assert round(group_error(t, 0), 3) == round(group_error(t, 1.5), 3) == 0.221
    # A threshold of its own gives each group 0.159, below the shared 0.221.
    assert fitted_threshold(0.0, 1.5) == pytest.approx(0, abs=1e-6)
    assert round(group_error(fitted_threshold(1.0, 1.5), 1.5), 3) == 0.159
