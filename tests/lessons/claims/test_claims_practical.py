"""The numbers the practical-deep-learning lessons quote still hold (see support.py)."""

import numpy as np
import pytest
import torch

from engine import parse_config
from engine.attribution import attribute
from engine.datasets import load_dataset
from tests.lessons.claims.support import PRESETS, assert_quoted, trained

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("deploy-digits", {}, "val_accuracy", 0.994, 0.0005),
    ("deploy-digits", {}, "n_params", 6186, 0),
    ("explain-digits", {}, "val_accuracy", 0.994, 0.0005),
]  # fmt: skip


NOT_MEASURED = {
    "deploying-models": {
        "8": "bits of an integer, quantization", "400": "MB, 10^8 · 4 bytes, computed",
        "100": "MB and million parameters of the worked example", "2": "a section number",
        "4": "bytes of a float32; a section number", "40": "ms of the worked example",
        "0.1": "a rule of thumb's threshold for the PSI", "0.25": "a rule of thumb's threshold",
        "250": "million parameters of a quiz scenario", "50": "ms of a quiz scenario",
        "7": "a digit's name", "6": "a digit's name",
        "17": "an out-of-range pixel value to send (pixels go up to 16)",
        "63": "a wrong number of pixel values to send (an image has 64)",
    },
    "model-interpretability": {
        "2": "feature 2 of the worked example", "20": "features, 20! orders, an example",
        "6": "the digit's name; features, a quiz's 6! orders",
        "200": "samples the engine's KernelSHAP and LIME draw (attribution.py's n_samples)",
    },
    "real-world-applications": {
        "50": "Hz of the worked control loop", "200": "Hz of a quiz's control loop",
    },
}
CHECKED_BY = {
    "deploying-models": {"84%": "test_deploy_lesson_the_six_and_the_blank_image"},
    "model-interpretability": {
        "99.995%": "test_interpretability_lesson_prediction_confidence",
        "10.99": "test_interpretability_lesson_scores_and_completeness",
        "1.57": "test_interpretability_lesson_scores_and_completeness",
        "12.58": "test_interpretability_lesson_scores_and_completeness",
        "12.565": "test_interpretability_lesson_scores_and_completeness",
        "12.3": "test_interpretability_lesson_scores_and_completeness",
        "4": "test_interpretability_lesson_scores_and_completeness",
        "33": "test_interpretability_lesson_black_pixels",
        "4.16": "test_interpretability_lesson_black_pixels",
        "0.87": "test_interpretability_lesson_shap_and_lime_agree",
        "0.26": "test_interpretability_lesson_shap_and_lime_agree",
    },
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


# The 6 the deploy and interpretability lessons send: the first validation image of the
# digits split with seed 0, as raw pixels 0 to 16.
LESSON_SIX = [
    0, 0, 4, 14, 6, 0, 0, 0, 0, 0, 10, 15, 2, 0, 0, 0, 0, 0, 16, 11, 0, 0, 0, 0,
    0, 0, 13, 11, 0, 0, 0, 0, 0, 3, 16, 12, 8, 3, 0, 0, 0, 2, 16, 14, 8, 12, 9, 0,
    0, 0, 16, 13, 4, 12, 12, 0, 0, 0, 6, 15, 16, 12, 1, 0,
]  # fmt: skip


def lesson_six() -> torch.Tensor:
    """The image as the model reads it (pixels / 16); checked to be a validation image."""
    config = parse_config(PRESETS["explain-digits"])
    data = load_dataset(config.data)
    assert (data.x_val[0] * 16).round().int().tolist() == LESSON_SIX and data.y_val[0] == 6
    return data.x_val[:1]


def test_deploy_lesson_the_six_and_the_blank_image():
    """The 6 is called a 6; a blank canvas is called a "1" with 84%."""
    model = trained("deploy-digits", {})[2].eval()
    with torch.no_grad():
        six = torch.softmax(model(lesson_six()), dim=1)[0]
        blank = torch.softmax(model(torch.zeros(1, 64)), dim=1)[0]
    assert six.argmax().item() == 6 and six[6].item() > 0.99
    assert blank.argmax().item() == 1
    assert blank[1].item() == pytest.approx(0.84, abs=0.005)


@pytest.fixture(scope="module")
def six_explained() -> dict:
    model = trained("explain-digits", {})[2].eval()
    x = lesson_six()
    with torch.no_grad():
        score, black = model(x)[0, 6].item(), model(torch.zeros_like(x))[0, 6].item()
    values = {method: attribute(model, x, method, image_shape=(8, 8))
              for method in ("saliency", "integrated_gradients", "kernel_shap", "lime")}
    return {"x": x[0].numpy(), "score": score, "black": black, "values": values}


@pytest.mark.chaotic_run
def test_interpretability_lesson_scores_and_completeness(six_explained):
    """Score 10.99 on the 6, -1.57 on black (10.99 + 1.57 = 12.56; 12.565 unrounded); IG sums
    to 12.58 (delta 0.01), KernelSHAP to exactly the difference, 12.565; LIME to about 12.3
    (12.29 to 12.30 on the float paths of float_paths.py: printed to one decimal)."""
    e = six_explained
    assert e["score"] == pytest.approx(10.99, abs=0.005)
    assert e["black"] == pytest.approx(-1.57, abs=0.005)
    assert round(10.99 + 1.57, 2) == 12.56  # the lesson's sum of the printed scores
    assert e["score"] - e["black"] == pytest.approx(12.565, abs=0.0005)
    ig = e["values"]["integrated_gradients"]
    assert ig.target == [6]
    assert ig.values.sum() == pytest.approx(12.58, abs=0.005)
    assert ig.convergence_delta[0] == pytest.approx(0.01, abs=0.005)
    # convergence_delta is that gap, computed in float32 by the attribution library
    assert ig.values.sum() - (e["score"] - e["black"]) == pytest.approx(
        ig.convergence_delta[0], abs=1e-5)
    shap_sum = e["values"]["kernel_shap"].values.sum()
    assert shap_sum == pytest.approx(12.565, abs=0.0005)
    assert shap_sum == pytest.approx(e["score"] - e["black"], abs=1e-4)  # "exactly"
    assert e["values"]["lime"].values.sum() == pytest.approx(12.3, abs=0.05)
    assert e["values"]["kernel_shap"].n_groups == 16 and 16 * 4 == 64  # patches of 4 pixels


def test_interpretability_lesson_black_pixels(six_explained):
    """33 black pixels, all exactly 0 under IG; saliency's largest value (4.16) on one."""
    e = six_explained
    black = e["x"] == 0
    assert black.sum() == 33
    assert np.all(e["values"]["integrated_gradients"].values[0][black] == 0)
    saliency = e["values"]["saliency"].values[0]
    assert black[saliency.argmax()]
    assert saliency.max() == pytest.approx(4.16, abs=0.005)
    assert black.size == 64


def test_interpretability_lesson_shap_and_lime_agree(six_explained):
    """Correlation 0.87, the same top five of the 16 patches in a different order; IG vs
    KernelSHAP only 0.26."""
    values = six_explained["values"]
    shap, lime = values["kernel_shap"].values[0], values["lime"].values[0]
    assert np.corrcoef(shap, lime)[0, 1] == pytest.approx(0.87, abs=0.005)
    ig = values["integrated_gradients"].values[0]
    assert np.corrcoef(ig, shap)[0, 1] == pytest.approx(0.26, abs=0.005)

    def patches(v):
        return v.reshape(4, 2, 4, 2).sum(axis=(1, 3)).ravel()

    top_shap = np.argsort(-patches(shap))[:5].tolist()
    top_lime = np.argsort(-patches(lime))[:5].tolist()
    assert set(top_shap) == set(top_lime) and top_shap != top_lime


def test_interpretability_lesson_prediction_confidence():
    model = trained("explain-digits", {})[2].eval()
    with torch.no_grad():
        probability = torch.softmax(model(lesson_six()), dim=1)[0, 6].item()
    assert probability == pytest.approx(0.99995, abs=0.000005)
