"""Noise for the steps of an epoch, drawn in one go and copied to the device once.

The autoencoder (denoising), the GAN and the VAE use fresh noise at every step. Drawing it
step by step on the host and copying each batch's share to the device would cost a
host-to-device copy, a synchronization on a GPU, per step. The steps of an epoch take
len(x_train) rows between them, in order, so the epoch's noise is drawn at its start,
copied once, and each step takes the next rows.

It comes from the task's generator on the host, seeded by data.seed, so a run draws the
same numbers on any device.
"""

import torch


class EpochNoise:
    def __init__(
        self, generator: torch.Generator, row_shape: tuple[int, ...], device: torch.device | str
    ) -> None:
        self.generator, self.row_shape, self.device = generator, row_shape, device
        self.rows = torch.empty((0, *row_shape), device=device)
        self.next_row = 0

    def draw(self, n_rows: int, scale: float = 1.0) -> None:
        """The next epoch's noise: n_rows rows of N(0, scale²)."""
        noise = torch.randn((n_rows, *self.row_shape), generator=self.generator)
        if scale != 1.0:
            noise = noise * scale
        self.rows = noise.to(self.device)
        self.next_row = 0

    def take(self, n: int) -> torch.Tensor:
        """The next n rows of the epoch's noise."""
        if self.next_row + n > len(self.rows):
            raise RuntimeError("the epoch's noise is used up: draw() at every epoch's start")
        rows = self.rows[self.next_row:self.next_row + n]
        self.next_row += n
        return rows
