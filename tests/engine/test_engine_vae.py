"""The variational autoencoder: its loss is the negative ELBO, its KL term is the closed
form of the Gaussians' KL, the reparameterization lets gradients reach mean and sigma,
and its pictures (latent grid, prior samples) decode what they say they decode."""

import numpy as np
import pytest
import torch
from torch.distributions import Normal, kl_divergence

from engine import GAN_SAMPLES, LATENT, LATENT_GRID, RECONSTRUCTIONS, ConfigError, parse_config
from engine.datasets import load_dataset
from engine.models import build_model
from engine.variational import GRID_SIDE, PRIOR_SAMPLES, gaussian_kl, reparameterize, vae_loss
from tests.engine.support import epoch_metrics, make_config, of_type, run


def vae_config(**model):
    return make_config("vae", "digits", model={"hidden": [32], **model},
                       data={"n_samples": 600}, epochs=4, lr=0.003)


def independent_negative_elbo(model, x, noise):
    """-log p(x|z) + KL(q(z|x) || N(0, I)) per digit, from torch.distributions and written
    out by hand rather than through the engine's loss."""
    hidden_and_out = model.encoder(x)
    mean, log_variance = hidden_and_out[:, : model.latent_dim], hidden_and_out[:, model.latent_dim:]
    sigma = torch.exp(log_variance / 2)
    z = mean + sigma * noise
    p = torch.sigmoid(model.decoder(z)).double()
    xd = x.double()
    log_likelihood = (xd * torch.log(p) + (1 - xd) * torch.log(1 - p)).sum(dim=1)
    kl = kl_divergence(Normal(mean, sigma), Normal(0.0, 1.0)).sum(dim=1)
    return -log_likelihood, kl.double()


@pytest.fixture(scope="module")
def vae_run():
    cfg = vae_config()
    result, events = run(cfg)
    return cfg, result, events


def measuring_noise(cfg, data):
    """The noise the engine draws once for measuring: training set, validation set, prior."""
    generator = torch.Generator().manual_seed(cfg.data.seed)
    latent = cfg.model.latent_dim
    train = torch.randn((len(data.x_train), latent), generator=generator)
    val = torch.randn((len(data.x_val), latent), generator=generator)
    prior = torch.randn((PRIOR_SAMPLES, latent), generator=generator)
    return train, val, prior


def test_reported_validation_loss_is_the_negative_elbo(vae_run):
    cfg, result, events = vae_run
    data = load_dataset(cfg.data)
    _, val_noise, _ = measuring_noise(cfg, data)
    last = epoch_metrics(events)[-1]
    with torch.no_grad():
        reconstruction, kl = independent_negative_elbo(result.model, data.x_val, val_noise)
    assert last["val_reconstruction"] == pytest.approx(reconstruction.mean().item(), rel=1e-5)
    assert last["val_kl"] == pytest.approx(kl.mean().item(), rel=1e-5)
    assert last["val_loss"] == pytest.approx((reconstruction + kl).mean().item(), rel=1e-5)
    assert last["train_loss"] == pytest.approx(last["train_reconstruction"] + last["train_kl"])


@pytest.mark.parametrize("beta", [0.0, 1.0, 4.0])
def test_the_batch_loss_is_reconstruction_plus_beta_times_kl(beta):
    cfg = vae_config(beta=beta, latent_dim=3)
    torch.manual_seed(0)
    model = build_model(cfg.model, cfg.data)
    x = load_dataset(cfg.data).x_train[:32]
    noise = torch.randn(32, 3, generator=torch.Generator().manual_seed(1))
    reconstruction, kl = independent_negative_elbo(model, x, noise)
    expected = (reconstruction + beta * kl).mean().item()
    assert vae_loss(model, x, noise, beta).item() == pytest.approx(expected, rel=1e-5)


def test_closed_form_kl_matches_a_monte_carlo_estimate():
    mean = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64)
    log_variance = torch.log(torch.tensor([[0.25, 1.0, 2.0]], dtype=torch.float64))
    q = Normal(mean, torch.exp(log_variance / 2))
    z = q.sample((200_000,))  # generator: torch's global one, seeded just before
    estimate = (q.log_prob(z) - Normal(0.0, 1.0).log_prob(z)).sum(dim=-1).mean().item()
    closed = gaussian_kl(mean, log_variance).item()
    # By hand: 1/2 (0.25 + 0.25 - 1 - ln 0.25) + 1/2 (1 + 1 - 1 - 0) + 1/2 (4 + 2 - 1 - ln 2)
    assert closed == pytest.approx(0.5 * (0.5 - 1 + np.log(4)) + 0.5 + 0.5 * (5 - np.log(2)))
    assert estimate == pytest.approx(closed, rel=0.01)


@pytest.fixture(autouse=True)
def _seeded():
    torch.manual_seed(0)


def test_reparameterization_gives_gradients_to_mean_and_sigma():
    mean = torch.tensor([0.3, -0.7], requires_grad=True)
    log_variance = torch.tensor([0.0, -1.0], requires_grad=True)
    noise = torch.tensor([1.5, -0.5])
    z = reparameterize(mean, log_variance, noise)
    z.sum().backward()
    assert torch.allclose(mean.grad, torch.ones(2))
    # dz/dlog_variance = sigma * noise / 2
    assert torch.allclose(log_variance.grad, torch.exp(log_variance.detach() / 2) * noise / 2)
    # Drawing z directly from N(mean, sigma²) leaves nothing to differentiate.
    assert torch.normal(mean.detach(), torch.ones(2)).grad_fn is None


def test_the_reconstruction_alone_trains_the_log_variance_through_z():
    """With beta = 0 the log-variance reaches the loss only through z = mean + sigma * noise:
    its half of the encoder's last layer gets a gradient only if z really depends on sigma."""
    cfg = vae_config(beta=0.0, latent_dim=2)
    model = build_model(cfg.model, cfg.data)
    x = load_dataset(cfg.data).x_train[:64]
    vae_loss(model, x, torch.randn(64, 2), beta=0.0).backward()
    last_layer = model.encoder[-1]
    assert last_layer.weight.grad[2:].abs().sum() > 0  # the log-variance rows
    assert last_layer.weight.grad[:2].abs().sum() > 0  # the mean rows


def test_training_lowers_the_loss_and_the_pictures_decode_what_they_say(vae_run):
    cfg, result, events = vae_run
    data = load_dataset(cfg.data)
    epochs = epoch_metrics(events)
    assert epochs[-1]["val_loss"] < epochs[0]["val_loss"]
    model = result.model
    grid = of_type(events, LATENT_GRID)[-1]
    assert grid["x"] == pytest.approx(np.linspace(-2, 2, GRID_SIDE).tolist(), abs=1e-4)
    assert grid["y"] == pytest.approx(np.linspace(2, -2, GRID_SIDE).tolist(), abs=1e-4)
    images = np.array(grid["images"])
    assert images.shape == (GRID_SIDE, GRID_SIDE, 8, 8)
    with torch.no_grad():
        top_right = model.decode(torch.tensor([[2.0, 2.0]])).reshape(8, 8).numpy()
        bottom_left = model.decode(torch.tensor([[-2.0, -2.0]])).reshape(8, 8).numpy()
        _, _, prior_noise = measuring_noise(cfg, data)
        samples = model.decode(prior_noise).reshape(-1, 8, 8).numpy()
        means = model.encode(data.x_val[:300])[0]
    assert np.allclose(images[0, -1], top_right, atol=1e-4)
    assert np.allclose(images[-1, 0], bottom_left, atol=1e-4)
    gan_samples = of_type(events, GAN_SAMPLES)[-1]
    assert gan_samples["format"] == "images"
    assert np.allclose(gan_samples["images"], samples, atol=1e-4)
    latent = of_type(events, LATENT)[-1]
    assert latent["method"] == "latent"
    assert np.allclose(latent["x"], means[:, 0].numpy(), atol=1e-4)
    assert of_type(events, RECONSTRUCTIONS)[-1]["labels"] == list(range(10))


def test_same_seed_same_run_other_seed_other_run():
    first, first_events = run(vae_config())
    second, second_events = run(vae_config())
    assert first_events == second_events
    _, other = run(make_config("vae", "digits", model={"hidden": [32]},
                               data={"n_samples": 600, "seed": 1}, epochs=4, lr=0.003))
    assert other != first_events


@pytest.mark.parametrize(
    ("model", "data", "field", "words"),
    [
        ({"beta": -0.5}, "digits", "model.beta", "between 0 and 10 (got -0.5)"),
        ({"beta": 11}, "digits", "model.beta", "between 0 and 10 (got 11)"),
        ({"latent_dim": 1}, "digits", "model.latent_dim", "between 2 and 32"),
        ({"denoise_noise": 0.2}, "digits", "model.denoise_noise", "unknown field"),
        ({}, "moons", "data.name", "trains on \"digits\""),
    ],
)
def test_bad_config_names_the_field(model, data, field, words):
    with pytest.raises(ConfigError) as caught:
        parse_config({"model": {"kind": "vae", **model}, "data": {"name": data},
                      "optim": {"name": "adam", "lr": 0.003}})
    assert field in caught.value.errors
    assert words in caught.value.errors[field]


def test_beta_is_only_for_the_vae():
    with pytest.raises(ConfigError) as caught:
        parse_config({"model": {"kind": "autoencoder", "beta": 2.0}, "data": {"name": "digits"}})
    reason = caught.value.errors["model.beta"]
    assert reason.startswith('unknown field for model.kind "autoencoder"')
