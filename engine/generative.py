"""Unsupervised learning for the training loop: the autoencoder, which learns to rebuild
its input (denoising: from a noisy copy), and the GAN, whose generator learns to fool a
discriminator that learns to tell real samples from generated ones.

Their randomness (input noise, the generator's noise) comes from generators seeded by the
data seed, so a run is repeatable; validation uses noise drawn once, so its numbers
compare across epochs. Training noise is drawn an epoch at a time (engine/noise.py), and
an epoch's measurements are read from the device in one copy.
"""

import torch
import torch.nn.functional as F
from torch import nn

from engine import snapshots
from engine.catalog import IMAGE_SHAPES
from engine.config import AutoencoderConfig, GanConfig, TrainConfig
from engine.dataset import Dataset
from engine.datasets import mixture_centres
from engine.events import (
    DATA_POINTS,
    DISCRIMINATOR_SURFACE,
    GAN_SAMPLES,
    LATENT,
    RECONSTRUCTIONS,
    Event,
)
from engine.noise import EpochNoise
from engine.optimizers import build_optimizer, clip_and_step

GAN_SAMPLE_POINTS = 500
GAN_SAMPLE_IMAGES = 16
# Adam's usual first moment (0.9) remembers gradients from before the opponent changed;
# 0.5 is the standard choice for GANs (Radford et al., 2015) and was far more reliable here.
GAN_ADAM_BETAS = (0.5, 0.999)
# A mixture mode counts as covered when this share of the generated points lies within
# 3 standard deviations of its centre (a uniform spread over 8 modes gives 12.5% each).
MODE_SHARE = 0.02


class AutoencoderTask:
    def __init__(self, config: TrainConfig, data: Dataset, model: nn.Module, device: str) -> None:
        self.config, self.data, self.model = config, data, model
        assert isinstance(config.model, AutoencoderConfig)  # the task of this kind only
        self.noise = config.model.denoise_noise
        self.generator = torch.Generator().manual_seed(config.data.seed)
        self.x_train, self.x_val = data.x_train.to(device), data.x_val.to(device)
        # Fixed noisy copies for measuring; training draws fresh noise at every step.
        self.noisy_train, self.noisy_val = self._noisy(self.x_train), self._noisy(self.x_val)
        self.epoch_noise = EpochNoise(self.generator, tuple(self.x_train.shape[1:]), device)
        self.optimizers = [build_optimizer(config.optim, model.parameters())]
        # One validation digit of each class, the first of its class.
        labels = data.y_val.tolist()
        self.shown = [labels.index(c) for c in range(data.n_classes) if c in labels]

    def _noisy(self, x: torch.Tensor) -> torch.Tensor:
        if not self.noise:
            return x
        noise = torch.randn(x.shape, generator=self.generator) * self.noise
        return x + noise.to(x.device)

    def start_events(self) -> list[Event]:
        return []

    def start_epoch(self) -> None:
        if self.noise:
            self.epoch_noise.draw(len(self.x_train), self.noise)

    def step(self, batch: torch.Tensor) -> torch.Tensor:
        (optimizer,) = self.optimizers
        clean = self.x_train[batch]
        noisy = clean + self.epoch_noise.take(len(clean)) if self.noise else clean
        loss = F.mse_loss(self.model(noisy), clean)
        optimizer.zero_grad()
        loss.backward()
        clip_and_step(optimizer, self.config.optim.clip_grad_norm)
        return loss.detach()

    @torch.no_grad()
    def evaluate(self) -> dict:
        self.model.eval()
        losses = torch.stack([
            F.mse_loss(self.model(self.noisy_train), self.x_train),
            F.mse_loss(self.model(self.noisy_val), self.x_val),
        ]).tolist()  # one copy from the device
        return {"train_loss": losses[0], "val_loss": losses[1]}

    def epoch_events(self, epoch: int) -> list[Event]:
        return []

    def snapshot_events(self, epoch: int) -> list[Event]:
        shown = torch.tensor(self.shown)
        inputs = self.x_val[shown]
        noisy = self.noisy_val[shown] if self.noise else None
        image_shape = IMAGE_SHAPES[self.config.data.name]
        pictures = snapshots.reconstructions(
            self.model, inputs, noisy, self.data.y_val[shown].tolist(), image_shape
        )
        codes = snapshots.latent(self.model.encoder, self.x_val, self.data.y_val)
        return [
            Event(RECONSTRUCTIONS, {"epoch": epoch, **pictures}),
            Event(LATENT, {"epoch": epoch, **codes}),
        ]


class GanTask:
    def __init__(self, config: TrainConfig, data: Dataset, model: nn.Module, device: str) -> None:
        self.config, self.data, self.model = config, data, model
        self.device = device
        self.generator = torch.Generator().manual_seed(config.data.seed)
        self.x_train, self.x_val = data.x_train.to(device), data.x_val.to(device)
        self.image_shape = IMAGE_SHAPES.get(config.data.name)
        self.optimizers = [
            build_optimizer(config.optim, model.discriminator.parameters()),
            build_optimizer(config.optim, model.generator.parameters()),
        ]
        if config.optim.name in ("adam", "adamw"):
            for optimizer in self.optimizers:
                for group in optimizer.param_groups:
                    group["betas"] = GAN_ADAM_BETAS
        n_shown = GAN_SAMPLE_IMAGES if self.image_shape else GAN_SAMPLE_POINTS
        self.shown_noise = self._noise(n_shown)
        self.val_noise = self._noise(len(self.x_val))
        assert isinstance(config.model, GanConfig)  # the task of this kind only
        self.epoch_noise = EpochNoise(self.generator, (config.model.latent_dim,), device)
        self.centres = torch.from_numpy(mixture_centres()).float().to(device)
        self.d_losses: list[torch.Tensor] = []
        self.g_losses: list[torch.Tensor] = []

    def _noise(self, n: int) -> torch.Tensor:
        noise = torch.randn((n, self.model.latent_dim), generator=self.generator)
        return noise.to(self.device)

    def start_events(self) -> list[Event]:
        if self.image_shape:
            return []
        return [Event(DATA_POINTS, snapshots.data_points(self.data.x_train, self.data.y_train))]

    def start_epoch(self) -> None:
        self.epoch_noise.draw(len(self.x_train))

    def step(self, batch: torch.Tensor) -> torch.Tensor:
        d_optimizer, g_optimizer = self.optimizers
        real = self.x_train[batch]
        fake = self.model.generator(self.epoch_noise.take(len(real)))
        # The discriminator learns to say 1 for real and 0 for generated samples...
        d_loss = _real_loss(self.model.discriminator(real)) + _fake_loss(
            self.model.discriminator(fake.detach())
        )
        d_optimizer.zero_grad()
        d_loss.backward()
        clip_and_step(d_optimizer, self.config.optim.clip_grad_norm)
        # ...and the generator to make it say 1 for its samples (the non-saturating loss).
        g_loss = _real_loss(self.model.discriminator(fake))
        g_optimizer.zero_grad()
        g_loss.backward()
        clip_and_step(g_optimizer, self.config.optim.clip_grad_norm)
        self.d_losses.append(d_loss.detach())
        self.g_losses.append(g_loss.detach())
        return g_loss.detach()

    @torch.no_grad()
    def evaluate(self) -> dict:
        self.model.eval()
        d_loss, g_loss = torch.stack(self.d_losses).mean(), torch.stack(self.g_losses).mean()
        self.d_losses, self.g_losses = [], []
        real_logits = self.model.discriminator(self.x_val)
        fakes = self.model.generator(self.val_noise)
        fake_logits = self.model.discriminator(fakes)
        measured = [
            g_loss,
            _real_loss(real_logits) + _fake_loss(fake_logits),
            d_loss,
            torch.sigmoid(real_logits).mean(),
            torch.sigmoid(fake_logits).mean(),
        ]
        mixture = self.config.data.name == "mixture"
        if mixture:
            measured.append(_modes_covered(fakes, self.centres, self.config.data.noise))
        values = torch.stack([value.float() for value in measured]).tolist()  # one copy
        metrics = {
            "train_loss": values[0], "val_loss": values[1], "d_loss": values[2],
            "g_loss": values[0], "d_real": values[3], "d_fake": values[4],
        }
        if mixture:
            metrics["modes_covered"] = int(values[5])
        return metrics

    def epoch_events(self, epoch: int) -> list[Event]:
        return []

    @torch.no_grad()
    def snapshot_events(self, epoch: int) -> list[Event]:
        generated = self.model.generator(self.shown_noise)
        samples = snapshots.gan_samples(generated, self.image_shape)
        events = [Event(GAN_SAMPLES, {"epoch": epoch, **samples})]
        if not self.image_shape:
            xs, ys = snapshots.grid_axes(self.data.x_train)
            surface = snapshots.discriminator_surface(self.model.discriminator, xs, ys)
            events.append(Event(DISCRIMINATOR_SURFACE, {"epoch": epoch, **surface}))
        return events


def _real_loss(logits: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


def _fake_loss(logits: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.zeros_like(logits))


def modes_covered(points: torch.Tensor, noise: float) -> int:
    """How many of the mixture's modes hold at least MODE_SHARE of `points` within three
    standard deviations (at least 0.1) of their centre: 8 when no mode was dropped."""
    centres = torch.from_numpy(mixture_centres()).float()
    return int(_modes_covered(points, centres, noise))


def _modes_covered(points: torch.Tensor, centres: torch.Tensor, noise: float) -> torch.Tensor:
    """modes_covered as a tensor on the points' device, computed without reading anything
    back (a boolean mask or bincount would size its result from the data: a sync)."""
    distances = torch.cdist(points.float(), centres)
    nearest, mode = distances.min(dim=1)
    near = nearest < 3 * max(noise, 0.1 / 3)
    counts = torch.zeros(len(centres), device=points.device).scatter_add_(0, mode, near.float())
    return ((counts / len(points)) >= MODE_SHARE).sum()
