"""The variational autoencoder's training: the negative ELBO as its loss, and the pictures
of what its decoder has learned (a grid over the latent space, samples from the prior).

The loss of one digit x, with q(z|x) = N(mean, diag(exp(log_variance))) and p(z) = N(0, I):

    reconstruction = -log p(x|z), z = mean + exp(log_variance / 2) * noise, noise ~ N(0, I)
                   = the binary cross-entropy of the decoded pixels, summed over the pixels
    kl             = KL(q(z|x) || p(z)) = 1/2 * sum(mean² + exp(log_variance) - 1 - log_variance)
    loss           = reconstruction + beta * kl    (beta = 1: the negative ELBO)

averaged over the digits of a batch. Pixels are grey levels in [0, 1], not 0 or 1: the
cross-entropy still applies (it is smallest when the decoded probability equals the grey
level) but its minimum is not 0. Training draws fresh noise at every step from a
generator seeded with data.seed (an epoch's worth at the epoch's start, engine/noise.py);
the epoch's measurements use noise drawn once (for the training set, then the validation
set, then the 16 prior samples), so they compare across epochs and a test can recompute
them.
"""

import torch
import torch.nn.functional as F
from torch import nn

from engine import snapshots
from engine.catalog import IMAGE_SHAPES
from engine.config import TrainConfig, VaeConfig
from engine.dataset import Dataset
from engine.events import GAN_SAMPLES, LATENT, LATENT_GRID, RECONSTRUCTIONS, Event
from engine.models import Vae
from engine.noise import EpochNoise
from engine.optimizers import build_optimizer, clip_and_step

PRIOR_SAMPLES = 16
GRID_SIDE = 8
# The grid spans ±2 standard deviations of the prior on each axis: about 95% of its mass.
GRID_EXTENT = 2.0


def reparameterize(
    mean: torch.Tensor, log_variance: torch.Tensor, noise: torch.Tensor
) -> torch.Tensor:
    """z = mean + sigma * noise: a sample of N(mean, sigma²) that is a differentiable
    function of mean and sigma (drawing z directly would cut the gradient off there)."""
    return mean + torch.exp(0.5 * log_variance) * noise


def gaussian_kl(mean: torch.Tensor, log_variance: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, diag(exp(log_variance))) || N(0, I)) in closed form, per row (nats)."""
    return 0.5 * (mean.pow(2) + log_variance.exp() - 1 - log_variance).sum(dim=1)


def loss_terms(
    model: Vae, x: torch.Tensor, noise: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each digit's reconstruction loss and KL term, (n,) each, with z drawn as
    mean + sigma * noise: the reparameterization, so gradients reach mean and sigma."""
    mean, log_variance = model.encode(x)
    z = reparameterize(mean, log_variance, noise)
    reconstruction = F.binary_cross_entropy_with_logits(
        model.decoder(z), x, reduction="none"
    ).sum(dim=1)
    return reconstruction, gaussian_kl(mean, log_variance)


def vae_loss(model: Vae, x: torch.Tensor, noise: torch.Tensor, beta: float) -> torch.Tensor:
    """The batch's mean of reconstruction + beta * KL (the negative ELBO when beta is 1)."""
    reconstruction, kl = loss_terms(model, x, noise)
    return (reconstruction + beta * kl).mean()


def latent_grid(model: Vae) -> dict[str, object]:
    """The decoded digit at each point of a GRID_SIDE x GRID_SIDE grid over the first two
    latent dimensions (the others at 0, the prior's mean): images[i][j] decodes
    z = (x[j], y[i]); y runs from top to bottom, high to low, as on a plot."""
    xs = torch.linspace(-GRID_EXTENT, GRID_EXTENT, GRID_SIDE)
    ys = xs.flip(0)
    z = torch.zeros(GRID_SIDE * GRID_SIDE, model.latent_dim)
    z[:, 0] = xs.repeat(GRID_SIDE)
    z[:, 1] = ys.repeat_interleave(GRID_SIDE)
    device = next(model.parameters()).device
    with torch.no_grad():
        images = model.decode(z.to(device))
    side = int(images.shape[1] ** 0.5)
    return {
        "x": snapshots.rounded(xs),
        "y": snapshots.rounded(ys),
        "images": snapshots.rounded(images.reshape(GRID_SIDE, GRID_SIDE, side, side)),
    }


class VaeTask:
    def __init__(self, config: TrainConfig, data: Dataset, model: nn.Module, device: str) -> None:
        assert isinstance(model, Vae) and isinstance(config.model, VaeConfig)
        self.config, self.data, self.model = config, data, model
        self.beta = config.model.beta
        self.generator = torch.Generator().manual_seed(config.data.seed)
        self.x_train, self.x_val = data.x_train.to(device), data.x_val.to(device)
        # Drawn once, in this order (the module's docstring): see evaluate.
        self.train_noise = self._noise(len(self.x_train)).to(device)
        self.val_noise = self._noise(len(self.x_val)).to(device)
        self.prior_noise = self._noise(PRIOR_SAMPLES).to(device)
        self.epoch_noise = EpochNoise(self.generator, (model.latent_dim,), device)
        self.optimizers = [build_optimizer(config.optim, model.parameters())]
        labels = data.y_val.tolist()
        self.shown = [labels.index(c) for c in range(data.n_classes) if c in labels]

    def _noise(self, n: int) -> torch.Tensor:
        return torch.randn((n, self.model.latent_dim), generator=self.generator)

    def start_events(self) -> list[Event]:
        return []

    def start_epoch(self) -> None:
        self.epoch_noise.draw(len(self.x_train))

    def step(self, batch: torch.Tensor) -> torch.Tensor:
        (optimizer,) = self.optimizers
        x = self.x_train[batch]
        loss = vae_loss(self.model, x, self.epoch_noise.take(len(x)), self.beta)
        optimizer.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]  # torch leaves backward unannotated
        clip_and_step(optimizer, self.config.optim.clip_grad_norm)
        return loss.detach()

    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        self.model.eval()
        names, measured = [], []
        for split, x, noise in (("train", self.x_train, self.train_noise),
                                ("val", self.x_val, self.val_noise)):
            reconstruction, kl = loss_terms(self.model, x, noise)
            names += [f"{split}_loss", f"{split}_reconstruction", f"{split}_kl"]
            measured += [(reconstruction + self.beta * kl).mean(), reconstruction.mean(), kl.mean()]
        # One copy from the device for the six numbers.
        return dict(zip(names, torch.stack(measured).tolist(), strict=True))

    def epoch_events(self, epoch: int) -> list[Event]:
        return []

    @torch.no_grad()
    def snapshot_events(self, epoch: int) -> list[Event]:
        shown = torch.tensor(self.shown)
        image_shape = IMAGE_SHAPES[self.config.data.name]
        pictures = snapshots.reconstructions(
            self.model, self.x_val[shown], None, self.data.y_val[shown].tolist(), image_shape
        )
        codes = snapshots.latent(self.model.code_means, self.x_val, self.data.y_val)
        samples = snapshots.gan_samples(self.model.decode(self.prior_noise), image_shape)
        return [
            Event(RECONSTRUCTIONS, {"epoch": epoch, **pictures}),
            Event(LATENT, {"epoch": epoch, **codes}),
            Event(LATENT_GRID, {"epoch": epoch, **latent_grid(self.model)}),
            Event(GAN_SAMPLES, {"epoch": epoch, **samples}),
        ]
