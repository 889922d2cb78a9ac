"""The frameworks lesson's code tabs run as printed: the PyTorch tab here, the Keras and
TensorFlow tabs in an interpreter that has TensorFlow.

TensorFlow is no dependency of the platform (it is hundreds of MB and our labs run
PyTorch), so those two tabs run only when DLP_TENSORFLOW_PYTHON names a Python with
tensorflow installed, e.g. `python -m venv /tmp/tf && /tmp/tf/bin/pip install tensorflow-cpu
scikit-learn`; otherwise they are skipped, saying so.
"""

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
import torch
from sklearn.datasets import make_moons

LESSON = (Path(__file__).resolve().parents[2]
          / "content/foundations/frameworks/01-deep-learning-frameworks.md")
TAB = re.compile(r"^::: (?P<label>\w+) python$", re.MULTILINE)
TENSORFLOW_PYTHON = os.environ.get("DLP_TENSORFLOW_PYTHON")

# The data the lesson's text promises: 400 training points of the moons with their class.
DATA = textwrap.dedent("""
    from sklearn.datasets import make_moons
    x, y = make_moons(n_samples=500, noise=0.2, random_state=0)
    x = x.astype("float32")
    x_train, y_train, x_val, y_val = x[:400], y[:400], x[400:], y[400:]
""")


def tabs() -> dict[str, str]:
    text = LESSON.read_text()
    block = text.split("````tabs", 1)[1].split("````", 1)[0]
    parts = TAB.split(block)
    # ["", label, code, label, code, ...]
    return {label: code for label, code in zip(parts[1::2], parts[2::2], strict=True)}


def test_the_lesson_has_the_three_tabs():
    assert list(tabs()) == ["PyTorch", "Keras", "TensorFlow"]


def test_the_pytorch_tab_trains_the_354_parameter_model_it_describes():
    x, y = make_moons(n_samples=500, noise=0.2, random_state=0)
    x_train = torch.tensor(x[:400], dtype=torch.float32)
    y_train = torch.tensor(y[:400])
    namespace = {"x_train": x_train, "y_train": y_train}
    torch.manual_seed(0)
    exec(tabs()["PyTorch"], namespace)  # noqa: S102 - our own lesson's code
    model = namespace["model"]
    assert sum(p.numel() for p in model.parameters()) == 354
    assert len(namespace["loader"]) == 13  # "13 batches per epoch"
    with torch.no_grad():
        accuracy = (model(x_train).argmax(1) == y_train).float().mean().item()
    assert accuracy > 0.9


def run_with_tensorflow(code: str) -> dict:
    if not TENSORFLOW_PYTHON:
        pytest.skip("TensorFlow tabs: set DLP_TENSORFLOW_PYTHON to a Python with tensorflow")
    script = DATA + "import tensorflow as tf\ntf.keras.utils.set_random_seed(0)\n" + code
    script += textwrap.dedent("""
        import json
        accuracy = float((model(x_train).numpy().argmax(1) == y_train).mean())
        print("RESULT", json.dumps({"params": int(model.count_params()), "accuracy": accuracy}))
    """)
    done = subprocess.run([TENSORFLOW_PYTHON, "-c", script], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.mark.parametrize("label", ["Keras", "TensorFlow"])
def test_the_keras_and_tensorflow_tabs_train_the_same_model(label):
    result = run_with_tensorflow(tabs()[label])
    assert result["params"] == 354
    assert result["accuracy"] > 0.9
