"""Attributions: each method checked against a property it must have, on hand-made models
and on small digit classifiers trained by the engine."""

import numpy as np
import pytest
import torch
from torch import nn

from engine.attribution import (
    ATTRIBUTION_METHODS,
    attribute,
    heatmap,
    superpixel_mask,
)
from engine.datasets import load_dataset
from engine.models import build_model
from tests.engine.support import make_config, run

DIGIT = (8, 8)
TRAINED_MODELS = {"mlp": {"hidden": [64, 32]}, "cnn": {"channels": [8, 16]}}


@pytest.fixture(scope="module", params=sorted(TRAINED_MODELS))
def trained(request):
    """(config, trained model, 20 validation digits) for an MLP and a CNN (~1 s each)."""
    cfg = make_config(request.param, "digits", model=TRAINED_MODELS[request.param],
                      data={"n_samples": 600}, epochs=5)
    result, _ = run(cfg)
    assert result.summary["val_accuracy"] >= 0.8
    return cfg, result.model, load_dataset(cfg.data).x_val[:20]


def target_logit_change(model, inputs, baseline, targets):
    with torch.no_grad():
        change = model(inputs) - model(baseline.reshape(1, -1))
    return change[torch.arange(len(targets)), torch.tensor(targets)].double().numpy()


def correlation(a, b):
    """Pearson correlation, 0 when either side is constant (e.g. all-zero attributions)."""
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def test_saliency_is_the_absolute_gradient_of_the_target_logit():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3)).eval()
    inputs = torch.randn(5, 6)
    for target in (None, 2):
        result = attribute(model, inputs, "saliency", target=target)
        x = inputs.clone().requires_grad_()
        logits = model(x)
        expected_targets = logits.argmax(1).tolist() if target is None else [2] * 5
        chosen = logits[torch.arange(5), torch.tensor(expected_targets)].sum()
        (gradient,) = torch.autograd.grad(chosen, x)
        assert result.target == expected_targets
        assert result.values.shape == (5, 6)
        np.testing.assert_allclose(result.values, gradient.abs().numpy(), atol=1e-6)


def test_integrated_gradients_add_up_to_the_change_of_the_target_logit(trained):
    _, model, digits = trained
    result = attribute(model, digits, "integrated_gradients", image_shape=DIGIT)
    change = target_logit_change(model, digits, torch.zeros(64), result.target)
    error = np.abs(result.values.sum(axis=1) - change)
    assert np.all(np.abs(change) > 0.5)  # a trained model moves away from the black image
    assert np.mean(error / np.abs(change)) < 1e-2
    assert np.all(error / np.abs(change) < 5e-2)  # ReLU kinks and max-pooling cost a little
    np.testing.assert_allclose(result.convergence_delta, error, atol=1e-3)


def test_kernel_shap_recovers_the_exact_shapley_values_of_a_linear_model():
    torch.manual_seed(0)
    model = nn.Linear(5, 3)
    inputs, baseline = torch.randn(4, 5), torch.randn(5)
    result = attribute(model, inputs, "kernel_shap", target=2, baseline=baseline)
    expected = (model.weight[2] * (inputs - baseline)).detach().numpy()
    assert result.n_groups == 5 and result.target == [2] * 4
    np.testing.assert_allclose(result.values, expected, atol=1e-3)


def test_kernel_shap_on_superpixels_shares_each_patchs_value_among_its_pixels():
    torch.manual_seed(0)
    model = nn.Linear(64, 10)
    image = torch.rand(1, 64)
    result = attribute(model, image, "kernel_shap", target=3, image_shape=DIGIT)
    per_pixel = (model.weight[3] * image[0]).detach().reshape(4, 2, 4, 2)
    patch_mean = per_pixel.sum(dim=(1, 3), keepdim=True).expand(4, 2, 4, 2) / 4
    assert result.n_groups == 16
    np.testing.assert_allclose(result.values[0], patch_mean.reshape(64).numpy(), atol=1e-3)


def test_kernel_shap_values_add_up_to_the_change_of_the_target_logit(trained):
    _, model, digits = trained
    result = attribute(model, digits[:5], "kernel_shap", image_shape=DIGIT)
    change = target_logit_change(model, digits[:5], torch.zeros(64), result.target)
    np.testing.assert_allclose(result.values.sum(axis=1), change, rtol=1e-3)


def test_lime_is_reproducible_for_a_seed_and_leaves_the_callers_random_state_alone(trained):
    _, model, digits = trained
    torch.manual_seed(42)
    first = attribute(model, digits[:3], "lime", image_shape=DIGIT, seed=7).values
    after_call = torch.rand(3)
    torch.manual_seed(42)
    expected_next = torch.rand(3)
    again = attribute(model, digits[:3], "lime", image_shape=DIGIT, seed=7).values
    other = attribute(model, digits[:3], "lime", image_shape=DIGIT, seed=8).values
    np.testing.assert_array_equal(first, again)
    assert np.abs(first - other).max() > 1e-3
    assert torch.equal(after_call, expected_next)


@pytest.mark.parametrize("method", ATTRIBUTION_METHODS)
def test_a_randomly_initialised_model_gets_different_attributions(trained, method):
    """Adebayo et al.'s sanity check: an explanation that survives randomising the weights
    describes the input, not the model."""
    cfg, model, digits = trained
    torch.manual_seed(123)
    untrained = build_model(cfg.model, cfg.data).eval()
    correlations = []
    for digit in digits[:8]:
        explained = attribute(model, digit[None], method, image_shape=DIGIT)
        random = attribute(untrained, digit[None], method, image_shape=DIGIT,
                           target=explained.target[0])
        correlations.append(correlation(explained.values[0], random.values[0]))
    assert np.mean(correlations) < 0.8


def test_integrated_gradients_point_at_the_strokes_of_the_digit(trained):
    cfg, model, digits = trained
    mean_digit = load_dataset(cfg.data).x_train.mean(dim=0)
    pixels = digits.numpy()
    against_mean = np.abs(
        attribute(model, digits, "integrated_gradients", baseline=mean_digit).values
    )
    assert against_mean[pixels > 0.3].mean() > against_mean[pixels == 0].mean()
    # Against the black image, a black pixel never matters: attributions scale with x - 0.
    against_black = attribute(model, digits, "integrated_gradients").values
    assert np.all(against_black[pixels == 0] == 0)
    assert np.abs(against_black[pixels > 0.3]).mean() > 0.01


def test_superpixels_are_square_patches_of_equal_size():
    digit_mask = superpixel_mask((8, 8)).reshape(8, 8)
    assert digit_mask[0, 0] == digit_mask[1, 1] != digit_mask[0, 2]
    assert torch.equal(torch.bincount(digit_mask.flatten()), torch.full((16,), 4))
    shape_mask = superpixel_mask((28, 28)).flatten()
    assert torch.equal(torch.bincount(shape_mask), torch.full((49,), 16))


def test_tabular_features_are_their_own_groups_and_the_training_mode_is_restored():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model.train()
    result = attribute(model, torch.randn(1, 5), "lime")
    assert result.n_groups == 5 and result.values.shape == (1, 5)
    assert model.training


def test_heatmap_rows_are_scaled_into_minus_one_one_keeping_signs():
    row = np.arange(64, dtype=float) - 16
    picture = heatmap(row, DIGIT)
    assert len(picture) == 8 and all(len(line) == 8 for line in picture)
    assert picture[7][7] == 1 and picture[0][0] == pytest.approx(-16 / 47)
    assert heatmap(np.zeros(64), DIGIT) == [[0.0] * 8] * 8


def test_an_unknown_method_is_rejected_naming_the_choices():
    with pytest.raises(ValueError, match="saliency, integrated_gradients, kernel_shap, lime"):
        attribute(nn.Linear(2, 2), torch.zeros(1, 2), "shap")


def test_inputs_of_the_wrong_width_are_rejected_stating_the_expected_shape():
    mlp = nn.Sequential(nn.Linear(64, 8), nn.ReLU(), nn.Linear(8, 10))
    with pytest.raises(ValueError, match=r"\(n, 64\).*got \(2, 10\)"):
        attribute(mlp, torch.zeros(2, 10), "saliency")
    cnn = build_model(make_config("cnn", "digits").model, make_config("cnn", "digits").data)
    with pytest.raises(ValueError, match=r"\(n, 64\).*got \(64,\)"):
        attribute(cnn, torch.zeros(64), "integrated_gradients")
    with pytest.raises(ValueError, match="784 pixels, but the model takes 64"):
        attribute(mlp, torch.zeros(1, 64), "lime", image_shape=(28, 28))


def test_bad_targets_and_baselines_are_rejected():
    model = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"target must be a class index in \[0, 1\]"):
        attribute(model, torch.zeros(1, 3), "saliency", target=2)
    with pytest.raises(ValueError, match="baseline must have shape"):
        attribute(model, torch.zeros(2, 3), "integrated_gradients", baseline=torch.zeros(4))
