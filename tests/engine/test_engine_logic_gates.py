"""The logic dataset (data.name "logic", data.gate and / or / xor): the four corners of the
unit square labelled by a truth table, and what a single neuron can learn of it."""

import numpy as np
import pytest

from engine import ConfigError
from engine.datasets import GENERATORS, load_dataset
from tests.engine.support import make_config, run

CORNERS = [(0, 0), (0, 1), (1, 0), (1, 1)]
TRUTH = {
    "and": lambda a, b: a and b,
    "or": lambda a, b: a or b,
    "xor": lambda a, b: a != b,
}


@pytest.mark.parametrize("gate", sorted(TRUTH))
def test_without_noise_every_sample_is_a_corner_labelled_by_its_truth_table(gate):
    points, labels = GENERATORS["logic"](40, 0.0, np.random.default_rng(0), gate=gate)
    corners = [tuple(int(v) for v in point) for point in points]
    assert sorted(set(corners)) == CORNERS
    assert all(corners.count(corner) == 10 for corner in CORNERS)
    assert labels.tolist() == [int(TRUTH[gate](a, b)) for a, b in corners]


def test_noise_moves_each_point_around_its_corner_by_its_standard_deviation():
    points, labels = GENERATORS["logic"](4000, 0.1, np.random.default_rng(1), gate="xor")
    nearest = np.round(points).clip(0, 1)
    offsets = points - nearest
    assert offsets.std() == pytest.approx(0.1, rel=0.05)
    # Each label is its corner's, wherever the noise moved the point.
    corner_of = (np.arange(4000) % 4)
    assert labels.tolist() == [[0, 1, 1, 0][c] for c in corner_of]


def test_the_corners_keep_their_zero_and_one_coordinates_after_loading():
    cfg = make_config(dataset="logic", model={"hidden": []},
                      data={"gate": "or", "noise": 0.0, "n_samples": 40})
    data = load_dataset(cfg.data)
    assert set(data.x_train.flatten().tolist()) == {0.0, 1.0}
    assert data.classes == ["false", "true"]
    assert set(data.y_val.tolist()) == {0, 1}  # stratified: both truth values validated


def test_an_unknown_gate_is_refused_with_the_field():
    with pytest.raises(ConfigError) as error:
        make_config(dataset="logic", data={"gate": "nand"})
    assert error.value.errors == {"data.gate": 'must be one of "and", "or", "xor" (got "nand")'}


def test_the_logic_set_is_for_the_mlp_only():
    with pytest.raises(ConfigError) as error:
        make_config("cnn", "logic")
    assert "data.name" in error.value.errors


def neuron_accuracy(gate: str, hidden: list[int], seed: int = 0) -> float:
    cfg = make_config(dataset="logic", model={"hidden": hidden, "activation": "tanh"},
                      data={"gate": gate, "n_samples": 100, "noise": 0.1, "seed": seed},
                      lr=0.1, batch_size=10, epochs=30)
    result, _ = run(cfg)
    return result.summary["train_accuracy"]


@pytest.mark.parametrize("gate", ["and", "or"])
def test_a_single_neuron_learns_and_and_or(gate):
    assert neuron_accuracy(gate, hidden=[]) == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_single_neuron_cannot_get_more_than_three_corners_of_xor_right(seed):
    """No straight line puts (0, 1) and (1, 0) on one side and (0, 0) and (1, 1) on the
    other, so at most 3 of the 4 equally frequent corners are right (a noise of 0.1 keeps
    each corner's copies well away from any line that separates the other three)."""
    assert neuron_accuracy("xor", hidden=[], seed=seed) <= 0.75


def test_one_hidden_layer_learns_xor():
    assert neuron_accuracy("xor", hidden=[4]) == 1.0
