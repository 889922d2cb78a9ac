"""The "shapes" dataset: 28x28 grayscale images of a circle, a square or a triangle.

Each image holds one filled shape of random size, position, rotation and brightness on a
dark background, plus Gaussian pixel noise. The three shapes of one size have the same
area, so only their outline tells them apart.
"""

import math

import numpy as np

SIDE = 28
MIN_RADIUS, MAX_RADIUS = 3.0, 7.0  # of the circle; the others have the same area
SQUARE_HALF_SIDE = math.sqrt(math.pi) / 2  # per unit of radius: pi r^2 == (2 s)^2
TRIANGLE_CIRCUMRADIUS = math.sqrt(math.pi / (3 * math.sqrt(3) / 4))  # pi r^2 == 1.299 R^2
N_SHAPES = 3  # circle, square, triangle: the class order of DATASET_CLASSES["shapes"]


def make_shapes(
    n_samples: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(images flattened to (n, 784) float32 in [0, 1], labels 0..2 in equal shares)."""
    labels = np.arange(n_samples) % N_SHAPES
    radius = rng.uniform(MIN_RADIUS, MAX_RADIUS, n_samples)
    # How far each shape reaches from its centre, so that it stays inside the image.
    reach = np.select(
        [labels == 0, labels == 1],
        [radius, radius * SQUARE_HALF_SIDE * math.sqrt(2)],
        radius * TRIANGLE_CIRCUMRADIUS,
    )
    centre = rng.uniform(0.0, 1.0, (n_samples, 2)) * (SIDE - 1 - 2 * reach)[:, None]
    centre += reach[:, None] + 0.5
    angle = rng.uniform(0.0, 2 * math.pi, n_samples)
    brightness = rng.uniform(0.6, 1.0, n_samples)

    pixel = np.arange(SIDE) + 0.5
    dx = pixel[None, None, :] - centre[:, 0, None, None]
    dy = pixel[None, :, None] - centre[:, 1, None, None]
    r, a = radius[:, None, None], angle[:, None, None]
    circle = dx**2 + dy**2 <= r**2
    # The square and the triangle in coordinates rotated by the shape's angle.
    u = dx * np.cos(a) + dy * np.sin(a)
    v = -dx * np.sin(a) + dy * np.cos(a)
    half_side = r * SQUARE_HALF_SIDE
    square = (np.abs(u) <= half_side) & (np.abs(v) <= half_side)
    # An equilateral triangle is where the point is within the inradius (half the
    # circumradius) of the centre along each of the three directions to its edges.
    inradius = r * TRIANGLE_CIRCUMRADIUS / 2
    triangle = np.ones_like(circle)
    for edge in range(3):
        direction = math.pi / 3 + edge * 2 * math.pi / 3
        triangle &= u * math.cos(direction) + v * math.sin(direction) <= inradius

    mask = np.select([labels[:, None, None] == 0, labels[:, None, None] == 1],
                     [circle, square], triangle)
    images = mask * brightness[:, None, None] + rng.normal(0.0, noise, mask.shape)
    images = np.clip(images, 0.0, 1.0).astype(np.float32)
    return images.reshape(n_samples, SIDE * SIDE), labels
