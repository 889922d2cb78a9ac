"""Label smoothing (optim.label_smoothing): validated, trained with the smoothed targets, and
measured with plain cross-entropy."""

import math

import pytest
import torch
import torch.nn.functional as F

from engine import ConfigError, parse_config
from engine.datasets import load_dataset
from engine.models import build_model
from engine.packed import can_pack
from engine.supervised import SupervisedTask
from jobs.codegen import pytorch_script
from tests.engine.support import make_config, run


def smoothed_cross_entropy(logits: torch.Tensor, labels: torch.Tensor, eps: float) -> torch.Tensor:
    """The textbook formula: the cross-entropy against targets q = (1 - ε)·onehot + ε/K."""
    n_classes = logits.shape[1]
    targets = (1 - eps) * F.one_hot(labels, n_classes).double() + eps / n_classes
    return -(targets * torch.log_softmax(logits.double(), dim=1)).sum(dim=1).mean()


@pytest.mark.parametrize("value", [0, 0.1, 0.9])
def test_label_smoothing_accepts_zero_up_to_the_maximum(value):
    assert make_config(label_smoothing=value).optim.label_smoothing == value


def test_label_smoothing_defaults_to_off():
    assert make_config().optim.label_smoothing == 0.0


@pytest.mark.parametrize(("value", "reason"), [
    (-0.1, "must be between 0 and 0.9 (got -0.1)"),
    (1, "must be between 0 and 0.9 (got 1)"),
    ("a lot", 'must be a number (got "a lot")'),
    (True, "must be a number (got true)"),
])
def test_label_smoothing_rejects_values_outside_its_range_with_the_field(value, reason):
    with pytest.raises(ConfigError) as error:
        make_config(label_smoothing=value)
    assert error.value.errors == {"optim.label_smoothing": reason}


@pytest.mark.parametrize(("kind", "dataset"), [
    ("autoencoder", "digits"), ("gan", "mixture"), ("rnn", "series"),
])
def test_label_smoothing_is_refused_for_models_that_predict_no_class(kind, dataset):
    with pytest.raises(ConfigError) as error:
        make_config(kind, dataset, label_smoothing=0.1)
    assert list(error.value.errors) == ["optim.label_smoothing"]
    assert "does not predict classes" in error.value.errors["optim.label_smoothing"]


def test_label_smoothing_is_accepted_for_next_character_prediction():
    cfg = make_config("rnn", "text", label_smoothing=0.1)
    assert cfg.optim.label_smoothing == 0.1


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.3])
def test_a_training_step_minimizes_the_smoothed_cross_entropy(eps):
    """The loss a step returns is the cross-entropy against the smoothed targets, computed
    by hand, for the model as it was before the step."""
    cfg = make_config(dataset="spiral", label_smoothing=eps, batch_size=16)
    data = load_dataset(cfg.data)
    torch.manual_seed(0)
    model = build_model(cfg.model, cfg.data)
    task = SupervisedTask(cfg, data, model, "cpu")
    batch = torch.arange(16)
    with torch.no_grad():
        expected = smoothed_cross_entropy(model(data.x_train[batch]), data.y_train[batch], eps)
    got = task.step(batch)
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)


def test_the_measured_losses_stay_plain_cross_entropy():
    cfg = make_config(dataset="spiral", label_smoothing=0.2, epochs=2)
    result, _ = run(cfg)
    data = load_dataset(cfg.data)
    with torch.no_grad():
        plain = F.cross_entropy(result.model(data.x_val), data.y_val).item()
    assert result.summary["val_loss"] == pytest.approx(plain, rel=1e-5)


def test_a_smoothed_model_is_about_as_sure_as_its_targets():
    """Trained to convergence on well separated blobs, the model's probability for the true
    class approaches the smoothed target 1 - ε + ε/K, not 1, and its plain cross-entropy
    approaches -ln of it."""
    eps, n_classes = 0.2, 4
    cfg = make_config(dataset="gaussians", data={"noise": 0.1}, label_smoothing=eps, epochs=40)
    result, _ = run(cfg)
    data = load_dataset(cfg.data)
    target = 1 - eps + eps / n_classes
    with torch.no_grad():
        probabilities = torch.softmax(result.model(data.x_train), dim=1)
    true_class = probabilities.gather(1, data.y_train[:, None]).mean().item()
    assert true_class == pytest.approx(target, abs=0.01)
    assert result.summary["train_loss"] == pytest.approx(-math.log(target), abs=0.01)
    unsmoothed, _ = run(make_config(dataset="gaussians", data={"noise": 0.1}, epochs=40))
    assert unsmoothed.summary["train_loss"] < 0.05


def test_label_smoothing_is_trained_alone_not_packed():
    assert can_pack([make_config()]) is None
    assert can_pack([make_config(label_smoothing=0.1)]) == (
        "job 0: label smoothing is not packed")


def test_the_generated_script_smooths_the_labels_as_the_run_did():
    config = parse_config({
        "model": {"kind": "mlp", "hidden": [8]},
        "data": {"name": "moons"},
        "optim": {"name": "adam", "lr": 0.01, "epochs": 2, "label_smoothing": 0.15},
    }).to_dict()
    script = pytorch_script(config)
    assert "LABEL_SMOOTHING = 0.15" in script
    assert "label_smoothing=LABEL_SMOOTHING" in script
