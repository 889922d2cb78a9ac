"""Pictures of a model as it trains: small grids and images for the live charts.

Each function returns an event payload without its epoch (the caller adds it). Everything
runs without gradients on the model as it is (the loop has put it in eval mode), and
floats are rounded to 4 decimals, which is plenty for a chart and keeps events small.
See events.py for the payload shapes.
"""

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from engine.sequences import decode_text
from engine.transformer import TransformerNet

SNAPSHOTS_PER_RUN = 20
GRID_POINTS = 40
GRID_MARGIN = 0.1  # of the data's range, on every side
MAX_DATA_POINTS = 500
MAX_MAP_SIDE = 28
MAX_FEATURE_MAPS = 8
FORECAST_STEPS = 200
TEXT_SAMPLE_CHARS = 160
TEXT_TEMPERATURE = 0.7
LATENT_POINTS = 300
MISCLASSIFIED_PER_CELL = 4
MISCLASSIFIED_IMAGE_SIDE = 14  # larger images (shapes, 28x28) are shown pooled to this


def is_snapshot_epoch(epoch: int, epochs: int) -> bool:
    """Every max(1, epochs // 20) epochs, and at the last epoch."""
    return epoch % max(1, epochs // SNAPSHOTS_PER_RUN) == 0 or epoch == epochs


def rounded(values: torch.Tensor) -> list:
    """Nested lists of floats rounded to 4 decimals (in float64, so 0.1234 prints as such)."""
    return values.detach().double().cpu().round(decimals=4).tolist()


def data_points(x: torch.Tensor, labels: torch.Tensor) -> dict:
    x, labels = x[:MAX_DATA_POINTS], labels[:MAX_DATA_POINTS]
    return {"x": rounded(x[:, 0]), "y": rounded(x[:, 1]), "labels": labels.tolist()}


def grid_axes(points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """GRID_POINTS values along each axis, covering `points` (n, 2) with a margin."""
    low, high = points.min(dim=0).values, points.max(dim=0).values
    margin = (high - low).clamp(min=1e-3) * GRID_MARGIN
    low, high = low - margin, high + margin
    return (
        torch.linspace(low[0].item(), high[0].item(), GRID_POINTS),
        torch.linspace(low[1].item(), high[1].item(), GRID_POINTS),
    )


def _grid(xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    """The (len(ys) * len(xs), 2) points of the grid, row by row (row i is ys[i])."""
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=1)


def grid_points(xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    """The points `decision_boundary` measures the model at, for a caller that computes
    the logits there itself (packed training: every job's at once)."""
    return _grid(xs, ys)


@torch.no_grad()
def decision_boundary(
    model: nn.Module, xs: torch.Tensor, ys: torch.Tensor, logits: torch.Tensor | None = None
) -> dict:
    """`logits`: the model's outputs at grid_points(xs, ys), when already computed."""
    if logits is None:
        device = next(model.parameters()).device
        logits = model(_grid(xs, ys).to(device))
    probabilities = torch.softmax(logits, dim=1)
    shape = (len(ys), len(xs))
    top, predicted = probabilities.max(dim=1)
    shown = probabilities[:, 1] if probabilities.shape[1] == 2 else top
    return {
        "x": rounded(xs),
        "y": rounded(ys),
        "probabilities": rounded(shown.reshape(shape)),
        "predicted": predicted.reshape(shape).tolist(),
    }


@torch.no_grad()
def filters(conv: nn.Conv2d) -> dict:
    kernels = conv.weight[:, 0]
    scale = kernels.abs().amax(dim=(1, 2), keepdim=True).clamp(min=1e-12)
    return {"layer": "conv1", "kernels": rounded(kernels / scale)}


@torch.no_grad()
def feature_maps(model: nn.Module, image: torch.Tensor, label: str) -> dict:
    maps = model.first_layer_maps(image[None])[0, :MAX_FEATURE_MAPS]
    if maps.shape[-1] > MAX_MAP_SIDE:
        maps = F.adaptive_avg_pool2d(maps, MAX_MAP_SIDE)
    return {
        "label": label,
        "image": rounded(model.as_images(image[None])[0, 0]),
        "maps": rounded(maps),
    }


@torch.no_grad()
def forecast(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict:
    x, y = x[:FORECAST_STEPS], y[:FORECAST_STEPS]
    return {"true": rounded(y), "predicted": rounded(model(x)), "naive": rounded(x[:, -1, 0])}


@torch.no_grad()
def text_sample(model: nn.Module, prompt: torch.Tensor, seed: int) -> dict:
    """TEXT_SAMPLE_CHARS characters written one at a time, each from the model's
    distribution of the next character given the last `window` ones."""
    generator = torch.Generator().manual_seed(seed)
    window = prompt.clone()
    written = []
    for _ in range(TEXT_SAMPLE_CHARS):
        probabilities = torch.softmax(model(window[None])[0].cpu() / TEXT_TEMPERATURE, dim=0)
        char = torch.multinomial(probabilities, 1, generator=generator)
        written.append(int(char))
        window = torch.cat([window[1:], char.to(window.device)])
    return {"prompt": decode_text(prompt.tolist()), "text": decode_text(written)}


@torch.no_grad()
def attention(model: TransformerNet, window: torch.Tensor) -> dict[str, object]:
    """A transformer's attention weights on one window, per block and head."""
    weights = model.attention_weights(window[None])[0]
    return {"tokens": list(decode_text(window.tolist())), "weights": rounded(weights)}


@torch.no_grad()
def reconstructions(
    model: nn.Module, inputs: torch.Tensor, noisy: torch.Tensor | None, labels: list[int],
    image_shape: tuple[int, int],
) -> dict:
    shown = noisy if noisy is not None else inputs
    return {
        "labels": labels,
        "inputs": rounded(inputs.reshape(-1, *image_shape)),
        "noisy": None if noisy is None else rounded(noisy.reshape(-1, *image_shape)),
        "outputs": rounded(model(shown).reshape(-1, *image_shape)),
    }


@torch.no_grad()
def latent(
    encoder: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, labels: torch.Tensor
) -> dict:
    codes = encoder(x[:LATENT_POINTS])
    method = "latent"
    if codes.shape[1] > 2:
        codes, method = principal_components(codes, 2), "pca"
    return {
        "method": method,
        "x": rounded(codes[:, 0]),
        "y": rounded(codes[:, 1]),
        "labels": labels[:LATENT_POINTS].tolist(),
    }


def principal_components(x: torch.Tensor, k: int) -> torch.Tensor:
    """The projection of x on its first k principal axes, each axis signed so that its
    largest coordinate is positive (an SVD may flip it from one epoch to the next)."""
    centred = x.double() - x.double().mean(dim=0)
    _, _, vh = torch.linalg.svd(centred, full_matrices=False)
    axes = vh[:k]
    largest = axes.abs().argmax(dim=1)
    signs = torch.sign(axes[torch.arange(k), largest])
    return centred @ (axes * signs[:, None]).T


@torch.no_grad()
def gan_samples(generated: torch.Tensor, image_shape: tuple[int, int] | None) -> dict:
    if image_shape is None:
        return {"format": "points", "x": rounded(generated[:, 0]), "y": rounded(generated[:, 1])}
    return {"format": "images", "images": rounded(generated.reshape(-1, *image_shape))}


@torch.no_grad()
def discriminator_surface(discriminator: nn.Module, xs: torch.Tensor, ys: torch.Tensor) -> dict:
    device = next(discriminator.parameters()).device
    probabilities = torch.sigmoid(discriminator(_grid(xs, ys).to(device)))
    return {
        "x": rounded(xs),
        "y": rounded(ys),
        "probabilities": rounded(probabilities.reshape(len(ys), len(xs))),
    }


def misclassified(
    x: torch.Tensor, y: torch.Tensor, predicted: torch.Tensor, on_plane: bool
) -> dict | None:
    """Up to MISCLASSIFIED_PER_CELL wrongly classified validation samples per confusion-
    matrix cell, in validation order: as points for 2-D data, as images for square
    images, None for other inputs (tabular data has nothing to look at)."""
    wrong = (predicted != y).nonzero().flatten().tolist()
    side = math.isqrt(x[0].numel())
    if not on_plane and side * side != x[0].numel():
        return None
    # Plain lists, and one batched conversion of the chosen inputs: reading tensors element
    # by element cost more than the epoch's evaluation itself.
    truth, guesses = y.tolist(), predicted.tolist()
    taken: dict[tuple[int, int], int] = {}
    chosen = []
    for index in wrong:
        cell = (truth[index], guesses[index])
        if taken.get(cell, 0) < MISCLASSIFIED_PER_CELL:
            taken[cell] = taken.get(cell, 0) + 1
            chosen.append(index)
    if not chosen:
        return {"examples": []}
    inputs = x[chosen]
    if on_plane:
        shown, name = rounded(inputs), "point"
    else:
        images = inputs.reshape(-1, 1, side, side)
        if side > MISCLASSIFIED_IMAGE_SIDE:
            images = F.adaptive_avg_pool2d(images, MISCLASSIFIED_IMAGE_SIDE)
        shown, name = rounded(images[:, 0]), "image"
    return {"examples": [
        {"true": truth[index], "predicted": guesses[index], "index": index, name: values}
        for index, values in zip(chosen, shown, strict=True)
    ]}
