"""Data augmentation of the digits: random shifts and small rotations of training batches.

A shifted or slightly rotated 3 is still a 3, so each training image can be shown to the
model in a fresh pose every time it is drawn: more variety for the same labelled samples.
Only `SupervisedTask.step` calls the augmenter, on the batch it trains on; measuring
(training and validation losses, the test set, the pictures) always sees the images as
they are. The transforms come from a generator of their own seeded with data.seed, so a
run is repeatable and its shuffling order does not change when augmentation is turned on.
"""

import math

import torch
import torch.nn.functional as F

from engine.catalog import IMAGE_SHAPES
from engine.config import DataConfig

# Added to data.seed so that the augmentation's random numbers are not the shuffle's.
AUGMENT_SEED_OFFSET = 7919


def shift_images(images: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """Images (n, height, width) moved by whole pixels: dx[i] to the right and dy[i] down
    for image i; pixels moved in from outside are 0 (the digits' background) and pixels
    moved out are lost. out[i, r, c] = images[i, r - dy[i], c - dx[i]]."""
    n, height, width = images.shape
    pad = int(max(dx.abs().max(), dy.abs().max())) if n else 0
    padded = F.pad(images, (pad, pad, pad, pad))
    rows = torch.arange(height, device=images.device)[None, :] + pad - dy[:, None]
    cols = torch.arange(width, device=images.device)[None, :] + pad - dx[:, None]
    samples = torch.arange(n, device=images.device)[:, None, None]
    return padded[samples, rows[:, :, None], cols[:, None, :]]


def rotate_images(images: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """Images (n, height, width) rotated about their centre by degrees[i], counterclockwise
    as the image is drawn (row 0 at the top), with bilinear interpolation; corners brought
    in from outside the image are 0. A rotation by 0 leaves the image as it is, and by 90
    degrees it moves every pixel onto another pixel (torch.rot90)."""
    radians = degrees.to(images.dtype) * (math.pi / 180)
    cos, sin = torch.cos(radians), torch.sin(radians)
    zero = torch.zeros_like(cos)
    # affine_grid maps each output position to where it reads the input, in coordinates
    # x to the right and y down: reading from the output point turned clockwise on screen
    # turns the picture counterclockwise.
    theta = torch.stack([
        torch.stack([cos, -sin, zero], dim=1),
        torch.stack([sin, cos, zero], dim=1),
    ], dim=1)
    grid = F.affine_grid(theta, [len(images), 1, *images.shape[1:]], align_corners=False)
    rotated = F.grid_sample(
        images[:, None], grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )
    return rotated[:, 0]


class Augmenter:
    """Draws a fresh shift and rotation for every image of every training batch."""

    def __init__(self, data: DataConfig, device: str) -> None:
        self.max_shift = data.augment_shift
        self.max_degrees = data.augment_rotation_deg
        self.image_shape = IMAGE_SHAPES[data.name]
        self.generator = torch.Generator().manual_seed(data.seed + AUGMENT_SEED_OFFSET)
        self.device = device

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """The flattened images x (n, height * width), each moved to a new random pose."""
        n = len(x)
        images = x.reshape(n, *self.image_shape)
        if self.max_degrees:
            # Uniform in [-max, max]; drawn on the CPU generator so every device agrees.
            degrees = (torch.rand(n, generator=self.generator) * 2 - 1) * self.max_degrees
            images = rotate_images(images, degrees.to(self.device))
        if self.max_shift:
            dx, dy = torch.randint(
                -self.max_shift, self.max_shift + 1, (2, n), generator=self.generator
            ).to(self.device)
            images = shift_images(images, dx, dy)
        return images.reshape(n, -1)


def augmenter_for(data: DataConfig, device: str) -> Augmenter | None:
    """The run's augmenter, or None when augmentation is off."""
    if not data.augment_shift and not data.augment_rotation_deg:
        return None
    return Augmenter(data, device)
