"""The causal transformer: attention that is a distribution over the past, positional
encodings, validation of its options, and a next-character model better than bigram counts."""

import math

import numpy as np
import pytest
import torch

from engine import ConfigError, parse_config
from engine.catalog import TEXT_ALPHABET
from engine.datasets import load_dataset
from engine.events import ATTENTION
from engine.models import build_model
from engine.transformer import sinusoidal_encoding
from tests.engine.support import epoch_metrics, make_config, of_type, run

# The transformers lesson's lab preset (content/foundations/advanced-architectures/
# 05-transformers.md): the budget the bigram test holds the model to.
LAB_PRESET = {
    "model": {"kind": "transformer", "d_model": 32, "heads": 4, "num_layers": 2,
              "positional": "sinusoidal"},
    "data": {"name": "text", "n_samples": 4500, "window": 16, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.003, "batch_size": 32, "epochs": 4, "schedule": "cosine"},
}


def small_model(**model):
    cfg = make_config("transformer", "text", model={"d_model": 16, "heads": 4, **model},
                      data={"n_samples": 400, "window": 12})
    torch.manual_seed(0)
    return build_model(cfg.model, cfg.data).eval(), load_dataset(cfg.data)


@pytest.mark.parametrize("positional", ["sinusoidal", "learned"])
def test_attention_rows_are_distributions_over_the_past(positional):
    model, data = small_model(num_layers=3, positional=positional)
    with torch.no_grad():
        weights = model.attention_weights(data.x_val[:5])
    assert weights.shape == (5, 3, 4, 12, 12)
    torch.testing.assert_close(weights.sum(dim=-1), torch.ones(5, 3, 4, 12))
    above_diagonal = torch.ones(12, 12, dtype=torch.bool).triu(1)
    assert (weights[..., above_diagonal] == 0).all()
    assert (weights[..., ~above_diagonal] > 0).all()


def test_a_later_character_never_changes_an_earlier_prediction():
    model, data = small_model()
    window = data.x_val[:1].clone()
    changed = window.clone()
    changed[0, 7] = (changed[0, 7] + 1) % len(TEXT_ALPHABET)
    with torch.no_grad():
        before, after = model.every_position(window), model.every_position(changed)
    torch.testing.assert_close(before[:, :7], after[:, :7])
    assert not torch.allclose(before[:, 7:], after[:, 7:])
    # forward is the prediction after the whole window.
    torch.testing.assert_close(model(window), before[:, -1])


def test_sinusoidal_encoding_follows_the_formula():
    encoding = sinusoidal_encoding(10, 6)
    for position in (0, 3, 9):
        for i in range(3):
            angle = position / 10000 ** (2 * i / 6)
            assert encoding[position, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
            assert encoding[position, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)


def test_the_attention_event_holds_a_valid_matrix_per_block_and_head():
    cfg = make_config("transformer", "text", model={"d_model": 16, "heads": 2, "num_layers": 2},
                      data={"n_samples": 400, "window": 8}, epochs=2)
    _, events = run(cfg)
    payloads = of_type(events, ATTENTION)
    assert [p["epoch"] for p in payloads] == [1, 2]
    last = payloads[-1]
    data = load_dataset(cfg.data)
    assert "".join(last["tokens"]) == "".join(TEXT_ALPHABET[i] for i in data.x_val[0])
    weights = np.array(last["weights"])
    assert weights.shape == (2, 2, 8, 8)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=5e-4)  # rounded to 4 decimals
    assert (np.triu(weights, k=1) == 0).all()


def test_same_seed_same_run_other_seed_other_run():
    def losses(seed):
        cfg = make_config("transformer", "text", model={"d_model": 16},
                          data={"n_samples": 400, "window": 8, "seed": seed}, epochs=2)
        result, events = run(cfg)
        return [m["val_loss"] for m in epoch_metrics(events)], result.model.state_dict()

    first, first_weights = losses(3)
    second, second_weights = losses(3)
    assert first == second
    for name, value in first_weights.items():
        assert torch.equal(value, second_weights[name]), name
    assert losses(4)[0] != first


@pytest.mark.parametrize(
    ("model", "data", "path", "words"),
    [
        ({"d_model": 30, "heads": 4}, {}, "model.heads", "must divide model.d_model (30)"),
        ({"heads": 0}, {}, "model.heads", "between 1 and 8"),
        ({"d_model": 256}, {}, "model.d_model", "between 4 and 128"),
        ({"positional": "rotary"}, {}, "model.positional", '"sinusoidal", "learned"'),
        ({"num_layers": 4}, {}, "model.num_layers", "between 1 and 3"),
        ({"hidden_size": 8}, {}, "model.hidden_size", "unknown"),
        ({}, {"name": "digits"}, "data.name", 'trains on "text"'),
    ],
)
def test_bad_transformer_options_are_refused_with_the_field_and_the_reason(
        model, data, path, words):
    with pytest.raises(ConfigError) as caught:
        parse_config({"model": {"kind": "transformer", **model},
                      "data": {"name": "text", **data},
                      "optim": {"name": "adam", "lr": 0.01, "epochs": 1}})
    assert path in caught.value.errors
    assert words in caught.value.errors[path]


def test_transformer_defaults():
    config = parse_config({"model": {"kind": "transformer"}, "data": {"name": "text"},
                           "optim": {"name": "adam", "lr": 0.01, "epochs": 1}})
    assert config.to_dict()["model"] == {
        "kind": "transformer", "num_layers": 2, "d_model": 32, "heads": 4,
        "positional": "sinusoidal",
    }


def bigram_cross_entropy(data) -> float:
    """Held-out cross-entropy of character-pair frequencies counted on the training text
    (add-one smoothing, so no pair has probability 0): P(next | previous character)."""
    size = len(TEXT_ALPHABET)
    training_text = np.concatenate([data.x_train[0].numpy(), data.y_train.numpy()])
    counts = np.ones((size, size))
    np.add.at(counts, (training_text[:-1], training_text[1:]), 1)
    probabilities = counts / counts.sum(axis=1, keepdims=True)
    previous, following = data.x_val[:, -1].numpy(), data.y_val.numpy()
    return float(-np.log(probabilities[previous, following]).mean())


def test_the_lab_preset_beats_a_bigram_model_on_held_out_text():
    config = parse_config(LAB_PRESET)
    data = load_dataset(config.data)
    # The windows overlap by all but one character: the training text is the first
    # window followed by every target.
    assert data.x_train[1, :-1].tolist() == data.x_train[0, 1:].tolist()
    baseline = bigram_cross_entropy(data)
    assert 2.3 < baseline < 2.6
    _, events = run(config)
    final = epoch_metrics(events)[-1]["val_loss"]
    assert final < baseline - 0.15
