"""The numbers and comparisons the transformers lesson quotes still hold (see support.py).

Tolerances: the lab results are quoted as "near" a value or as a range over seeds 0 to 2; each
is checked on every seed the text names, with the margin its wording allows (a range is
checked as printed, "near x" within a unit of its last digit). Hand-computed numbers of the
worked example and the quiz are checked to half their last printed digit."""

import math

import numpy as np
import pytest

from engine import parse_config
from engine.catalog import TEXT_ALPHABET
from engine.datasets import load_dataset
from engine.transformer import sinusoidal_encoding
from tests.lessons.claims.support import PRESETS, epoch_metrics, run_for, summary_for

TRANSFORMER, LSTM = "transformer-text", "lstm-text"
SEEDS = (0, 1, 2)
# The final validation losses over SEEDS, as the lesson prints them (two decimals).
TRANSFORMER_RANGE = (2.12, 2.19)
LSTM_RANGE = (1.98, 2.00)

NOT_MEASURED = {
    "transformers": {
        "2017": "a date (Vaswani et al.'s paper)",
        "5": "an example position in a quiz option", "6": "the position after it",
    },
}
CHECKED = {
    "test_the_two_labs_read_the_same_text_the_same_way": ("3600", "900"),
    "test_parameter_counts": ("27422", "23422", "512", "30"),
    "test_the_bigram_baseline": ("2.45",),
    "test_transformer_and_lstm_on_each_seed": ("2.12", "2.19", "1.98", "2.00", "1.44", "1.6"),
    "test_the_attention_panel_as_the_lesson_describes_it": ("15",),
}
CHECKED_BY = {"transformers": {number: test for test, numbers in CHECKED.items()
                               for number in numbers}}


def final(lab: str, seed: int = 0, **changes) -> dict:
    return epoch_metrics(lab, {"data.seed": seed, **changes})[-1]


def bigram_cross_entropy() -> float:
    """Character-pair counts of the training text (add-one smoothed), on the held-out text."""
    data = load_dataset(parse_config(PRESETS[TRANSFORMER]).data)
    size = len(TEXT_ALPHABET)
    text = np.concatenate([data.x_train[0].numpy(), data.y_train.numpy()])
    counts = np.ones((size, size))
    np.add.at(counts, (text[:-1], text[1:]), 1)
    probabilities = counts / counts.sum(axis=1, keepdims=True)
    return float(-np.log(probabilities[data.x_val[:, -1].numpy(), data.y_val.numpy()]).mean())


def test_the_two_labs_read_the_same_text_the_same_way():
    transformer, lstm = PRESETS[TRANSFORMER], PRESETS[LSTM]
    assert transformer["data"] == lstm["data"]
    assert {k: v for k, v in transformer["optim"].items() if k != "lr"} == {
        k: v for k, v in lstm["optim"].items() if k != "lr"}
    # "only the learning rate differs": 0.003 for the transformer, 0.01 for the LSTM.
    assert (transformer["optim"]["lr"], lstm["optim"]["lr"]) == (0.003, 0.01)
    info = [e.payload for e in run_for(TRANSFORMER, {"data.seed": 0})[1] if e.type == "info"][0]
    assert (info["n_train"], info["n_val"]) == (3600, 900)


def test_parameter_counts():
    assert summary_for(TRANSFORMER, {"data.seed": 0})["n_params"] == 27422
    assert summary_for(LSTM, {"data.seed": 0})["n_params"] == 23422
    learned = summary_for(TRANSFORMER, {"data.seed": 0, "model.positional": "learned"})
    assert learned["n_params"] - 27422 == 512
    d = 32
    assert 12 * d * d + 13 * d == 12704  # one block, the quiz's answer
    assert 2 * 12704 + 30 * d + 2 * d + d * 30 + 30 == 27422
    assert len(TEXT_ALPHABET) == 30


def test_the_bigram_baseline():
    assert bigram_cross_entropy() == pytest.approx(2.45, abs=0.005)


@pytest.mark.parametrize("seed", SEEDS)
def test_transformer_and_lstm_on_each_seed(seed):
    transformer, lstm = final(TRANSFORMER, seed), final(LSTM, seed)
    # "between 2.12 and 2.19", "between 1.98 and 2.00" (as printed, two decimals).
    assert TRANSFORMER_RANGE[0] <= round(transformer["val_loss"], 2) <= TRANSFORMER_RANGE[1]
    assert LSTM_RANGE[0] <= round(lstm["val_loss"], 2) <= LSTM_RANGE[1]
    # The LSTM is lower on held-out text, the transformer lower on its training text.
    assert lstm["val_loss"] < transformer["val_loss"]
    assert transformer["train_loss"] < lstm["train_loss"]
    # "near 1.44" and "near 1.6" / "about 1.6"; both well below the bigram table.
    assert transformer["train_loss"] == pytest.approx(1.44, abs=0.02)
    assert lstm["train_loss"] == pytest.approx(1.6, abs=0.1)
    assert max(transformer["val_loss"], lstm["val_loss"]) < bigram_cross_entropy() - 0.2


def test_the_centres_quoted_as_near():
    """"near 2.15", "near 1.99", "near 1.44" (two decimals: half a unit of the last digit)
    and "near 1.6" (one decimal) are the means over seeds 0 to 2."""
    transformers = [final(TRANSFORMER, seed) for seed in SEEDS]
    lstms = [final(LSTM, seed) for seed in SEEDS]
    assert np.mean([m["val_loss"] for m in transformers]) == pytest.approx(2.15, abs=0.005)
    assert np.mean([m["val_loss"] for m in lstms]) == pytest.approx(1.99, abs=0.005)
    assert np.mean([m["train_loss"] for m in transformers]) == pytest.approx(1.44, abs=0.005)
    assert np.mean([m["train_loss"] for m in lstms]) == pytest.approx(1.6, abs=0.05)


def test_seed_0_and_learned_positions():
    assert final(TRANSFORMER)["val_loss"] == pytest.approx(2.15, abs=0.005)
    learned = final(TRANSFORMER, **{"model.positional": "learned"})["val_loss"]
    assert learned == pytest.approx(2.18, abs=0.005)
    assert abs(learned - final(TRANSFORMER)["val_loss"]) < 0.1


def test_training_longer_overfits():
    """Validation loss climbs after a few epochs while the training loss keeps falling."""
    epochs = epoch_metrics(TRANSFORMER, {"data.seed": 0, "optim.epochs": 12})
    val = [e["val_loss"] for e in epochs]
    train = [e["train_loss"] for e in epochs]
    best = val.index(min(val))
    assert 2 <= best <= 5 and val[-1] > min(val) + 0.3
    assert all(b < a for a, b in zip(train, train[1:], strict=False))


def test_the_step_loss_over_every_position_sits_above_the_epochs_training_loss():
    _, events = run_for(TRANSFORMER, {"data.seed": 0})
    for epoch in (2, 3, 4):  # "from the second epoch on"
        steps = [e.payload["train_loss"] for e in events if e.type == "metric"
                 and e.payload["scope"] == "step" and e.payload["epoch"] == epoch]
        measured = [e.payload for e in events if e.type == "metric"
                    and e.payload["scope"] == "epoch" and e.payload["epoch"] == epoch][0]
        assert steps[-1] > measured["train_loss"]


def test_the_figure_s_dot_product_ripples_instead_of_falling_steadily():
    """The figure's d = 16 over 32 positions: highest at offset 0 (d/2 = 8) and never again,
    but offset 6 scores higher than offset 3, and offset 19 almost as high as offset 6."""
    encoding = sinusoidal_encoding(32, 16).double().numpy()
    by_offset = encoding @ encoding[0]  # PE(0) · PE(m) for every offset m
    assert by_offset[0] == pytest.approx(8)
    assert (by_offset[1:] < 8 - 0.5).all()
    assert by_offset[6] > by_offset[3] + 0.5
    assert by_offset[19] == pytest.approx(by_offset[6], abs=0.05)
    # The same at any starting position: only the offset counts.
    np.testing.assert_allclose(encoding[10:26] @ encoding[10], by_offset[:16], atol=1e-4)


def attention_at(epoch: int) -> np.ndarray:
    _, events = run_for(TRANSFORMER, {"data.seed": 0})
    payload = [e.payload for e in events if e.type == "attention" and e.payload["epoch"] == epoch]
    return np.array(payload[0]["weights"])  # (blocks, heads, 16, 16)


def test_the_attention_panel_as_the_lesson_describes_it():
    first, last = attention_at(1), attention_at(4)
    assert last.shape == (2, 4, 16, 16)  # 8 heads for the selector
    np.testing.assert_allclose(last.sum(axis=-1), 1.0, atol=5e-4)
    assert (np.triu(last, k=1) == 0).all()
    # "rows 4 to 15": the current character and three before it, and more to ignore.
    first_row, last_row = 4, 15
    rows = range(first_row, last_row + 1)
    near = np.array([[np.mean([last[b, h, i, i - 3:i + 1].sum() for i in rows])
                      for h in range(4)] for b in range(2)])
    assert (near > 0.5).all()  # every head: most of its weight on the last four characters
    # Sharper at the last epoch than at the first: "about 0.55 against 0.43".
    sharpest_last = last[:, :, first_row:].max(axis=-1).mean()
    sharpest_first = first[:, :, first_row:].max(axis=-1).mean()
    assert sharpest_last == pytest.approx(0.55, abs=0.01)
    assert sharpest_first == pytest.approx(0.43, abs=0.01)


def test_worked_example_and_quiz_numbers():
    q3, keys = np.array([1.0, 0.0]), np.array([[1.0, 1.0], [0.0, 1.0], [2.0, 0.0]])
    values = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    scores = keys @ q3 / math.sqrt(2)
    np.testing.assert_allclose(scores, [0.707, 0, 1.414], atol=5e-4)
    np.testing.assert_allclose(np.exp(scores), [2.028, 1, 4.113], atol=5e-4)
    assert np.exp(scores).sum() == pytest.approx(7.141, abs=5e-4)
    weights = np.exp(scores) / np.exp(scores).sum()
    np.testing.assert_allclose(weights, [0.284, 0.140, 0.576], atol=5e-4)
    assert weights[2] == pytest.approx(0.58, abs=0.005)
    np.testing.assert_allclose(weights @ values, [0.860, 0.716], atol=5e-4)
    # The quiz's tempting wrong answers: no √d_k, and no exponential.
    raw = keys @ q3
    assert np.exp(raw[2]) / np.exp(raw).sum() == pytest.approx(0.67, abs=0.005)
    assert raw[2] / raw.sum() == pytest.approx(2 / 3)
    # q2 = (0, 1) against k1 and k2 only (k3 masked).
    q2 = np.array([0.0, 1.0])
    assert keys[0] @ q2 / math.sqrt(2) == pytest.approx(0.707, abs=5e-4)
    assert keys[0] @ q2 == keys[1] @ q2
    # Positional encodings, d = 4.
    assert math.isclose(10000 ** -0.5, 0.01)
    np.testing.assert_allclose([math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)],
                               [0.841, 0.540, 0.010, 1.000], atol=5e-4)
    assert math.cos(1) + math.cos(0.01) == pytest.approx(1.540, abs=5e-4)
    # Attention work grows with t²: 64 -> 128 characters is 4 times the scores.
    assert 128**2 / 64**2 == 4
