"""The examples behind each confusion-matrix cell: what a learner sees on clicking it."""

import torch

from engine import CONFUSION_MATRIX, MISCLASSIFIED
from engine.datasets import load_dataset
from tests.engine.support import make_config, of_type, run


def test_digit_examples_match_the_matrix_and_the_validation_images():
    cfg = make_config("mlp", "digits", model={"hidden": [8]}, data={"n_samples": 400}, epochs=2)
    _, events = run(cfg)
    snapshot = of_type(events, MISCLASSIFIED)[-1]
    matrix = of_type(events, CONFUSION_MATRIX)[-1]["matrix"]
    data = load_dataset(cfg.data)
    assert snapshot["examples"], "an 8-unit net after 2 epochs makes mistakes"
    per_cell: dict = {}
    for example in snapshot["examples"]:
        true, predicted = example["true"], example["predicted"]
        assert true != predicted
        assert int(data.y_val[example["index"]]) == true
        expected = data.x_val[example["index"]].reshape(8, 8).double()
        assert torch.allclose(torch.tensor(example["image"], dtype=torch.float64), expected,
                              atol=1e-4)
        per_cell[(true, predicted)] = per_cell.get((true, predicted), 0) + 1
    for (true, predicted), count in per_cell.items():
        assert count == min(4, matrix[true][predicted])


def test_points_on_the_plane_and_nothing_for_tabular_data():
    _, events = run(make_config("mlp", "moons", data={"noise": 0.5}, epochs=2))
    examples = of_type(events, MISCLASSIFIED)[-1]["examples"]
    assert examples and all(len(example["point"]) == 2 for example in examples)
    _, events = run(make_config("mlp", "hiring", epochs=2))
    assert not of_type(events, MISCLASSIFIED)
