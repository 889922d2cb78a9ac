"""The numbers the interpretability lesson quotes about its figure still hold.

The figure (static/js/figures/attribution.js) computes integrated gradients of
f(x₁, x₂) = x₁x₂ + x₁ in closed form; here Captum, the library the platform's own explanations
use, computes them numerically on the same model written in PyTorch, and must agree.
"""

import pytest
import torch
from captum.attr import IntegratedGradients
from torch import nn

NOT_MEASURED = {
    "model-interpretability": {"1": "a feature's index (feature 1 of the figure's model)"},
}


class ProductModel(nn.Module):
    """f(x₁, x₂) = x₁x₂ + x₁, the figure's model."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, 0] * x[:, 1] + x[:, 0]


def captum_attributions(x: list[float], baseline: list[float]) -> list[float]:
    inputs = torch.tensor([x], dtype=torch.float64)
    base = torch.tensor([baseline], dtype=torch.float64)
    attributions = IntegratedGradients(ProductModel()).attribute(inputs, base, n_steps=50)
    return attributions.squeeze(0).tolist()


def gradient_times_delta(x: list[float], baseline: list[float]) -> list[float]:
    inputs = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    ProductModel()(inputs).sum().backward()
    assert inputs.grad is not None
    return [g * (xi - bi) for g, xi, bi in zip(inputs.grad[0].tolist(), x, baseline, strict=True)]


def test_the_figures_starting_point():
    x, baseline = [1.5, 1.0], [0.0, 0.0]
    model = ProductModel()
    change = (model(torch.tensor([x])) - model(torch.tensor([baseline]))).item()
    assert change == pytest.approx(3)
    ig = captum_attributions(x, baseline)
    assert ig == pytest.approx([2.25, 0.75], abs=1e-6)
    assert sum(ig) == pytest.approx(change)
    shortcut = gradient_times_delta(x, baseline)
    assert shortcut == pytest.approx([3, 1.5]) and sum(shortcut) == pytest.approx(4.5)


@pytest.mark.parametrize(("x", "baseline"), [
    ([0.5, -1.2], [0.0, 0.0]), ([-2.0, 2.0], [1.0, -0.5]), ([1.5, 1.0], [0.5, -1.0]),
])
def test_completeness_holds_for_integrated_gradients_only(x, baseline):
    model = ProductModel()
    change = (model(torch.tensor([x])) - model(torch.tensor([baseline]))).item()
    midpoint = [(xi + bi) / 2 for xi, bi in zip(x, baseline, strict=True)]
    exact = [(x[0] - baseline[0]) * (midpoint[1] + 1), (x[1] - baseline[1]) * midpoint[0]]
    assert captum_attributions(x, baseline) == pytest.approx(exact, abs=1e-6)
    assert sum(exact) == pytest.approx(change)
    assert sum(gradient_times_delta(x, baseline)) != pytest.approx(change)


def test_the_shortcut_adds_up_when_the_model_is_linear_along_the_path():
    """Along x = b + α(x − b), f is quadratic with α² coefficient (x₁ − b₁)(x₂ − b₂): with one
    feature at its baseline the path is a line for f, and the shortcut is complete too."""
    model = ProductModel()
    for x, baseline in [([1.5, 1.0], [0.0, 1.0]), ([-1.2, 0.7], [-1.2, -2.0])]:
        change = (model(torch.tensor([x])) - model(torch.tensor([baseline]))).item()
        assert sum(gradient_times_delta(x, baseline)) == pytest.approx(change)


@pytest.mark.parametrize(("x", "baseline"), [([0.0, 1.0], [0.0, 0.0]), ([1.2, -0.4], [1.2, 1.5])])
def test_a_feature_at_its_baseline_gets_nothing_though_the_model_uses_it(x, baseline):
    ig = captum_attributions(x, baseline)
    assert ig[0] == 0
    # f still depends on x₁ there: ∂f/∂x₁ = x₂ + 1 is not zero at the input.
    assert x[1] + 1 != 0
    assert ProductModel()(torch.tensor([[x[0] + 0.1, x[1]]])).item() != ProductModel()(
        torch.tensor([x])).item()
