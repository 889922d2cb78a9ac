"""The numbers the neural-network-fundamentals lessons quote still hold (see support.py)."""

import pytest
import torch

from tests.lessons.claims.support import assert_quoted, epoch_metrics, summary_for

# (lab slug, changes to its preset, summary field, value quoted in the lesson, tolerance)
CLAIMS = [
    ("activations-on-moons", {}, "val_accuracy", 0.96, 0.002),
    ("activations-on-moons", {}, "n_params", 114, 0),
    ("activations-on-moons", {"model.activation": "tanh"}, "val_accuracy", 0.95, 0.002),
    ("activations-on-moons", {"model.activation": "sigmoid"}, "val_accuracy", 0.85, 0.002),
    ("activations-on-moons", {"model.activation": "sigmoid", "optim.epochs": 100}, "val_accuracy",
     0.87, 0.002),
    ("activations-on-moons", {"model.activation": "linear"}, "val_accuracy", 0.85, 0.002),
    ("activations-on-moons", {"model.activation": "linear", "model.hidden": [8, 8, 8]},
     "val_accuracy", 0.85, 0.002),
]  # fmt: skip

NOT_MEASURED = {
    "artificial-neurons": {"0": "ReLU's output for a negative sum, by its definition"},
}

CHECKED_BY = {
    "forward-propagation": {
        "2": "test_forward_propagation_lesson_two_two_one_network",
        "1": "test_forward_propagation_lesson_two_two_one_network",
        "9": "test_forward_propagation_lesson_two_two_one_network",
        "70%": "test_forward_propagation_lesson_two_two_one_network",
        "784": "test_forward_propagation_lesson_image_network_parameters",
        "128": "test_forward_propagation_lesson_image_network_parameters",
        "10": "test_forward_propagation_lesson_image_network_parameters",
        "64": "test_forward_propagation_lesson_image_network_parameters",
        "3": "test_forward_propagation_quiz_three_four_two_network",
        "4": "test_forward_propagation_quiz_three_four_two_network",
    },
    "activation-functions": {
        "90%": "test_activation_lesson_orderings",
        "100": "test_activation_lesson_sigmoid_stays_at_a_straight_lines_level",
        "82%": "test_activation_lesson_sigmoid_stays_at_a_straight_lines_level",
    },
}


@pytest.mark.parametrize(("lab_slug", "changes", "field", "quoted", "tolerance"), CLAIMS)
def test_quoted_result_still_holds(lab_slug, changes, field, quoted, tolerance):
    assert_quoted(lab_slug, changes, field, quoted, tolerance)


def test_forward_propagation_lesson_two_two_one_network():
    """The worked 2-2-1 network: 9 parameters; for (0.5, -1) hidden neuron 2 is off and the
    output is 0.701, "class 1, with probability about 70%"."""
    network = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    assert sum(p.numel() for p in network.parameters()) == 9
    with torch.no_grad():
        network[0].weight[:] = torch.tensor([[0.4, -0.6], [0.3, 0.8]])
        network[0].bias[:] = torch.tensor([0.1, -0.2])
        network[2].weight[:] = torch.tensor([[1.5, -0.7]])
        network[2].bias[:] = -0.5
        hidden = network[1](network[0](torch.tensor([0.5, -1.0])))
        output = torch.sigmoid(network(torch.tensor([0.5, -1.0]))).item()
    assert hidden[1].item() == 0 and hidden[0].item() == pytest.approx(0.9)
    assert output == pytest.approx(0.701, abs=0.0005)
    assert round(output, 2) == 0.70


def test_forward_propagation_lesson_image_network_parameters():
    """784 inputs, 128 hidden units, 10 outputs: 101 770 parameters (the text); with 64 hidden
    units, 50 890 (the quiz)."""
    network = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.Linear(128, 10))
    assert sum(p.numel() for p in network.parameters()) == 101770
    network = torch.nn.Sequential(torch.nn.Linear(784, 64), torch.nn.Linear(64, 10))
    assert sum(p.numel() for p in network.parameters()) == 50890


def test_forward_propagation_quiz_three_four_two_network():
    """The quiz's 3-4-2 network has 26 parameters."""
    network = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    assert sum(p.numel() for p in network.parameters()) == 26


def test_activation_lesson_orderings():
    """ReLU and tanh past 90%; linear stuck where a straight line is, a third layer does not
    lift it; sigmoid no better than linear after 30 epochs and still behind ReLU after 100."""
    def accuracy(**changes):
        return summary_for("activations-on-moons",
                           {f"model.{k}" if k != "epochs" else "optim.epochs": v
                            for k, v in changes.items()})["val_accuracy"]

    relu, tanh = accuracy(), accuracy(activation="tanh")
    linear, sigmoid = accuracy(activation="linear"), accuracy(activation="sigmoid")
    assert relu > 0.9 and tanh > 0.9
    assert min(relu, tanh) > max(linear, sigmoid)
    assert sigmoid <= linear
    assert accuracy(activation="linear", hidden=[8, 8, 8]) == pytest.approx(linear, abs=0.02)
    assert accuracy(activation="sigmoid", epochs=100) < relu


def test_activation_lesson_sigmoid_stays_at_a_straight_lines_level():
    """After its first three epochs, the sigmoid network's validation accuracy never leaves
    82% to 87%, a straight line's level, in all of the 100 epochs, and follows the linear
    network's."""
    sigmoid = [m["val_accuracy"] for m in epoch_metrics(
        "activations-on-moons", {"model.activation": "sigmoid", "optim.epochs": 100})]
    linear = [m["val_accuracy"] for m in epoch_metrics(
        "activations-on-moons", {"model.activation": "linear"})]
    assert len(sigmoid) == 100
    assert all(0.82 - 1e-9 <= accuracy <= 0.87 + 1e-9 for accuracy in sigmoid[3:])
    pairs = zip(sigmoid[3:30], linear[3:], strict=True)
    assert all(abs(s - lin) <= 0.03 + 1e-9 for s, lin in pairs)  # close to the linear network
