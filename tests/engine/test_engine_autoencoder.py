"""Autoencoders on digits: reconstructions, the latent space, and denoising."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine import LATENT, RECONSTRUCTIONS
from engine.datasets import load_dataset
from engine.snapshots import principal_components
from tests.engine.support import epoch_metrics, make_config, of_type, run

# Mean squared error per pixel (pixels in [0, 1]) that a 16-number code must get below.
RECONSTRUCTION_MSE_BOUND = 0.01


def autoencoder_config(**model):
    return make_config("autoencoder", "digits", model={"hidden": [128], "latent_dim": 16, **model},
                       data={"n_samples": 1797}, epochs=30, lr=0.003)


@pytest.fixture(scope="module")
def autoencoder_run():
    cfg = autoencoder_config()
    result, events = run(cfg)
    return cfg, result, events


def test_autoencoder_reconstructs_unseen_digits_closely(autoencoder_run):
    _, result, events = autoencoder_run
    last = epoch_metrics(events)[-1]
    assert set(last) == {"scope", "epoch", "epochs", "step", "train_loss", "val_loss", "lr"}
    assert last["val_loss"] < RECONSTRUCTION_MSE_BOUND
    assert result.summary["val_accuracy"] is None
    assert result.summary["best_val_loss_epoch"] is not None
    assert result.summary["best_val_accuracy_epoch"] is None


def test_reconstructions_show_one_validation_digit_per_class(autoencoder_run):
    cfg, result, events = autoencoder_run
    data = load_dataset(cfg.data)
    last = of_type(events, RECONSTRUCTIONS)[-1]
    assert last["labels"] == list(range(10)) and last["noisy"] is None
    first_of_class = [data.y_val.tolist().index(c) for c in range(10)]
    inputs = data.x_val[first_of_class]
    assert np.allclose(last["inputs"], inputs.reshape(10, 8, 8).numpy(), atol=1e-4)
    with torch.no_grad():
        outputs = result.model(inputs).reshape(10, 8, 8).numpy()
    assert np.allclose(last["outputs"], outputs, atol=1e-4)


def test_latent_codes_are_projected_on_their_principal_components(autoencoder_run):
    cfg, result, events = autoencoder_run
    data = load_dataset(cfg.data)
    last = of_type(events, LATENT)[-1]
    assert last["method"] == "pca" and len(last["x"]) == 300
    assert last["labels"] == data.y_val[:300].tolist()
    with torch.no_grad():
        expected = principal_components(result.model.encoder(data.x_val[:300]), 2)
    assert np.allclose(last["x"], expected[:, 0].numpy(), atol=1e-4)
    assert np.allclose(last["y"], expected[:, 1].numpy(), atol=1e-4)


def test_principal_components_match_scikit_learn_up_to_sign():
    from sklearn.decomposition import PCA

    x = torch.randn(200, 6, generator=torch.Generator().manual_seed(0)) * torch.arange(1, 7)
    ours = principal_components(x, 2).numpy()
    theirs = PCA(n_components=2).fit_transform(x.numpy())
    assert np.allclose(np.abs(ours), np.abs(theirs), atol=1e-4)


def test_a_two_number_code_is_shown_as_it_is():
    cfg = make_config("autoencoder", "digits", model={"latent_dim": 2}, epochs=2)
    result, events = run(cfg)
    data = load_dataset(cfg.data)
    last = of_type(events, LATENT)[-1]
    assert last["method"] == "latent"
    with torch.no_grad():
        codes = result.model.encoder(data.x_val[:300])
    assert np.allclose(last["x"], codes[:, 0].numpy(), atol=1e-4)


def test_denoising_autoencoder_removes_much_of_the_noise():
    cfg = autoencoder_config(denoise_noise=0.3)
    result, events = run(cfg)
    last = of_type(events, RECONSTRUCTIONS)[-1]
    clean, noisy, outputs = (np.array(last[key]) for key in ("inputs", "noisy", "outputs"))
    assert ((noisy - clean) ** 2).mean() == pytest.approx(0.09, rel=0.3)
    assert ((outputs - clean) ** 2).mean() < 0.3 * ((noisy - clean) ** 2).mean()
    data = load_dataset(cfg.data)
    with torch.no_grad():
        clean_mse = F.mse_loss(result.model(data.x_val), data.x_val).item()
    assert clean_mse < 0.03
