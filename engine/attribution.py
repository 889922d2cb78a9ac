"""Which input features a trained classifier's decision rests on, by four methods (captum).

Gradient methods read the model's derivatives: saliency is |d logit / d input| (cheap, but
local and noisy); integrated gradients sums gradients along the straight path from a
baseline to the input, so its attributions add up to logit(input) - logit(baseline).
Sampling methods only call the model: KernelSHAP and LIME switch groups of features
between their input and baseline values and fit a linear surrogate to the logits. On
images they switch square superpixels, not single pixels, so that ~200 samples suffice.

Inputs are flat, as the engine's classifiers take them: (n, features).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from math import ceil

import numpy as np
import torch
from captum.attr import IntegratedGradients, KernelShap, Lime, Saliency
from torch import nn

from engine.catalog import ATTRIBUTION_METHODS

INTEGRATED_GRADIENTS_STEPS = 50
# Sampling methods fit one coefficient per group of features: with at most 49 groups
# (2x2 patches of an 8x8 digit, 4x4 patches of a 28x28 shape), 200 samples are ~4 per group.
MAX_SUPERPIXELS = 49
# Perturbed copies of an input evaluated in one forward pass.
PERTURBATIONS_PER_EVAL = 100


@dataclass(frozen=True, eq=False)
class Attribution:
    """Per-input attributions for one target class each (eq=False: it holds arrays)."""

    values: np.ndarray  # (n, features), float64; same layout as the inputs
    target: list[int]  # the class explained, per input
    method: str
    # Integrated gradients only: |sum(values) - (logit(x) - logit(baseline))| per input, the
    # error of the path integral's quadrature.
    convergence_delta: list[float] | None = None
    # Sampling methods only: how many feature groups (superpixels) were switched; a group's
    # coefficient is shared evenly by its features.
    n_groups: int | None = None


def attribute(
    model: nn.Module,
    inputs: torch.Tensor,
    method: str,
    *,
    target: int | None = None,
    baseline: torch.Tensor | None = None,
    n_samples: int = 200,
    seed: int = 0,
    image_shape: tuple[int, int] | None = None,
) -> Attribution:
    """Attributions of `model`'s logit for `target` (None: each input's predicted class).

    `baseline` is the "absent" input (None: zeros, i.e. a black image or the mean of
    standardized features); `n_samples` and `seed` drive KernelSHAP and LIME, which give the
    same values for the same seed. `image_shape` makes them switch superpixels.
    Raises ValueError, with the accepted values, on a bad method, shape, target or baseline.
    """
    if method not in ATTRIBUTION_METHODS:
        raise ValueError(
            f"unknown attribution method {method!r}: choose one of {', '.join(ATTRIBUTION_METHODS)}"
        )
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}")
    inputs = _checked_inputs(model, inputs, image_shape)
    baselines = _baselines(baseline, inputs)
    with _evaluating(model):
        targets = _targets(model, inputs, target)
        request = _Request(model, inputs, baselines, targets, n_samples, seed, image_shape)
        return _METHODS[method](request)


def heatmap(
    attribution_row: np.ndarray | torch.Tensor, image_shape: tuple[int, int]
) -> list[list[float]]:
    """One input's attributions as rows of an image, divided by their largest magnitude so
    that the UI can colour [-1, 1] alike for every input (all zeros stay zeros)."""
    values = np.asarray(attribution_row, dtype=np.float64).reshape(image_shape)
    scale = np.abs(values).max()
    if scale > 0:
        values = values / scale
    return values.tolist()


def superpixel_mask(image_shape: tuple[int, int]) -> torch.Tensor:
    """(1, height * width) group ids of square patches, row by row: the smallest patch side
    giving at most MAX_SUPERPIXELS groups (2 for 8x8, 4 for 28x28)."""
    height, width = image_shape
    side = 1
    while ceil(height / side) * ceil(width / side) > MAX_SUPERPIXELS:
        side += 1
    rows = torch.arange(height).unsqueeze(1) // side
    columns = torch.arange(width).unsqueeze(0) // side
    return (rows * ceil(width / side) + columns).reshape(1, -1)


def expected_width(model: nn.Module) -> int | None:
    """Features per input the model takes: a ConvNet's pixels, else the in_features of its
    first Linear layer (None if neither can be read)."""
    image_shape = getattr(model, "image_shape", None)
    if image_shape is not None:
        return int(np.prod(image_shape))
    first_linear = next((m for m in model.modules() if isinstance(m, nn.Linear)), None)
    return first_linear.in_features if first_linear is not None else None


def _checked_inputs(
    model: nn.Module, inputs: torch.Tensor, image_shape: tuple[int, int] | None
) -> torch.Tensor:
    """Rejects inputs the model would choke on with a message naming the shape it expects."""
    width = expected_width(model)
    if image_shape is not None:
        image_width = int(np.prod(image_shape))
        if width is not None and width != image_width:
            raise ValueError(f"image_shape {tuple(image_shape)} has {image_width} pixels, "
                             f"but the model takes {width} features")
        width = image_width
    inputs = torch.as_tensor(inputs, dtype=torch.float32)
    if inputs.dim() != 2 or inputs.shape[0] == 0 or (width and inputs.shape[1] != width):
        expected = f"(n, {width})" if width else "(n, features)"
        raise ValueError(f"inputs must have shape {expected} with n >= 1, "
                         f"got {tuple(inputs.shape)}")
    return inputs.detach()


def _baselines(baseline: torch.Tensor | None, inputs: torch.Tensor) -> torch.Tensor:
    """One baseline row per input: zeros by default, or one row repeated for all."""
    if baseline is None:
        return torch.zeros_like(inputs)
    baseline = torch.as_tensor(baseline, dtype=torch.float32).detach()
    if baseline.shape in ((inputs.shape[1],), (1, inputs.shape[1])):
        return baseline.reshape(1, -1).expand_as(inputs).contiguous()
    if baseline.shape != inputs.shape:
        raise ValueError(f"baseline must have shape ({inputs.shape[1]},) or "
                         f"{tuple(inputs.shape)}, got {tuple(baseline.shape)}")
    return baseline


def _targets(model: nn.Module, inputs: torch.Tensor, target: int | None) -> list[int]:
    with torch.no_grad():
        logits = model(inputs)
    if target is None:
        predicted: list[int] = logits.argmax(dim=1).tolist()
        return predicted
    if not 0 <= target < logits.shape[1]:
        raise ValueError(f"target must be a class index in [0, {logits.shape[1] - 1}], "
                         f"got {target}")
    return [int(target)] * len(inputs)


@contextmanager
def _evaluating(model: nn.Module) -> Iterator[None]:
    """Eval mode for the duration (batch norm and dropout must not act on the perturbed
    batches), then the caller's mode back."""
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)


@dataclass(frozen=True)
class _Request:
    """What every method needs, checked: one baseline row and one target per input."""

    model: nn.Module
    inputs: torch.Tensor
    baselines: torch.Tensor
    targets: list[int]
    n_samples: int
    seed: int
    image_shape: tuple[int, int] | None


def _saliency(request: _Request) -> Attribution:
    # A copy that already requires gradients: captum warns when it has to switch them on.
    inputs = request.inputs.clone().requires_grad_()
    values = Saliency(request.model).attribute(inputs, target=request.targets, abs=True)
    return Attribution(_numpy(values), request.targets, "saliency")


def _integrated_gradients(request: _Request) -> Attribution:
    values, delta = IntegratedGradients(request.model).attribute(
        request.inputs, baselines=request.baselines, target=request.targets,
        n_steps=INTEGRATED_GRADIENTS_STEPS, method="gausslegendre",
        return_convergence_delta=True,
    )
    return Attribution(_numpy(values), request.targets, "integrated_gradients",
                       convergence_delta=delta.detach().abs().double().tolist())


def _kernel_shap(request: _Request) -> Attribution:
    return _sampled(KernelShap(request.model), "kernel_shap", request)


def _lime(request: _Request) -> Attribution:
    return _sampled(Lime(request.model), "lime", request)


def _sampled(explainer: KernelShap | Lime, method: str, request: _Request) -> Attribution:
    """Fits one surrogate per input, under torch's generator seeded with `seed` (the
    caller's random state is restored afterwards), so that a seed fixes the result."""
    if request.image_shape is not None:
        mask = superpixel_mask(request.image_shape)
    else:
        mask = torch.arange(request.inputs.shape[1]).reshape(1, -1)
    rows = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(request.seed)
        for x, b, t in zip(request.inputs, request.baselines, request.targets, strict=True):
            rows.append(explainer.attribute(
                x.unsqueeze(0), baselines=b.unsqueeze(0), target=t, feature_mask=mask,
                n_samples=request.n_samples, perturbations_per_eval=PERTURBATIONS_PER_EVAL,
            ))
    # Captum gives every pixel its whole group's coefficient; spread it evenly instead, so
    # that KernelSHAP's values still add up to logit(x) - logit(baseline) as on single pixels.
    group_sizes = torch.bincount(mask[0])[mask[0]]
    values = torch.cat(rows) / group_sizes
    return Attribution(_numpy(values), request.targets, method, n_groups=int(mask.max()) + 1)


def _numpy(values: torch.Tensor) -> np.ndarray:
    return values.detach().double().numpy()


_METHODS: dict[str, Callable[[_Request], Attribution]] = {
    "saliency": _saliency,
    "integrated_gradients": _integrated_gradients,
    "kernel_shap": _kernel_shap,
    "lime": _lime,
}
