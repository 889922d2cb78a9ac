"""A deployed model made ready to serve: the engine's input normalization and the trained
model as one module, `Served`, so the TorchScript and ONNX exports take the same raw inputs
and give the same outputs as the API.

Loaded models stay in an in-process LRU cache keyed by (deployment, stored file): a
request never reads the file once its model is warm.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from deployments.checks import InputSpec
from deployments.models import DeployedModel
from engine import parse_config
from engine.catalog import DATASET_CLASSES, DIGIT_DATASETS, is_classification
from engine.models import build_model
from jobs import artifacts

CACHE_CAPACITY = 32
# The 2-D point clouds a learner predicts on by clicking a plane: the model page draws them.
POINT_DATASETS = ("moons", "circles", "spiral", "xor", "gaussians")


class NotDeployable(Exception):
    """The job has no model that can serve predictions (409)."""


class Served(nn.Module):
    """Raw inputs -> the engine's preprocessing -> the trained model -> probabilities (or,
    for a series, the forecast in the series' own units)."""

    shift: torch.Tensor  # buffers (float64), so they travel with the module into exports
    scale: torch.Tensor

    def __init__(self, model: nn.Module, preprocessing: dict, *, classifies: bool,
                 windows: bool, text: bool) -> None:
        super().__init__()
        self.model = model
        shift = preprocessing.get("shift", [0.0])
        scale = preprocessing.get("scale", [1.0])
        self.register_buffer("shift", torch.tensor(shift, dtype=torch.float64))
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float64))
        self.classifies, self.windows, self.text = classifies, windows, text

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.text:
            # In float64 then float32, as the engine standardizes.
            x = ((x.double() - self.shift) / self.scale).float()
            if self.windows:
                x = x.unsqueeze(-1)
        out = self.model(x)
        if self.classifies:
            return torch.softmax(out, dim=-1)
        return (out.double() * self.scale + self.shift).float()


@dataclass
class Loaded:
    served: Served
    spec: InputSpec
    classes: list[str]
    dataset: str


def load_served(deployed: DeployedModel) -> Loaded:
    """Build the job's model from its stored file (the slow part the cache saves)."""
    with deployed.job.model.file.open("rb") as stored:
        saved = artifacts.deserialize(stored.read())
    config = parse_config(saved["config"])
    model = build_model(config.model, config.data)
    model.load_state_dict(saved["state_dict"])
    model.eval()
    dataset = config.data.name
    served = Served(
        model, deployed.preprocessing,
        classifies=is_classification(config.model.kind, dataset),
        windows=dataset == "series", text=dataset == "text",
    ).eval()
    return Loaded(served=served, spec=input_spec(dataset, config.data.window),
                  classes=list(DATASET_CLASSES[dataset]), dataset=dataset)


def input_spec(dataset: str, window: int) -> InputSpec:
    if dataset in POINT_DATASETS:
        return InputSpec("a point [x, y] in the dataset's own coordinates", (2,))
    if dataset in DIGIT_DATASETS:
        return InputSpec("64 pixel values 0..16 (an 8x8 image, row by row)", (64,), 0, 16)
    if dataset == "shapes":
        return InputSpec("a 28x28 image: 28 rows of 28 values in [0, 1]", (28, 28), 0, 1)
    if dataset == "series":
        return InputSpec(f"a window of {window} consecutive series values", (window,))
    if dataset == "text":
        return InputSpec(f"a string of {window} characters", (window,), text=True)
    raise NotDeployable(f"No predictions for the {dataset} dataset.")


class ModelCache:
    """An LRU of loaded models. Loads happen under the lock, so two requests for a cold
    model load it once; a load of these small models takes milliseconds."""

    def __init__(self, capacity: int = CACHE_CAPACITY) -> None:
        self.capacity = capacity
        self.loads = 0
        self._items: OrderedDict[tuple, Loaded] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, load: Callable[[], Loaded]) -> Loaded:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            loaded = load()
            self.loads += 1
            self._items[key] = loaded
            if len(self._items) > self.capacity:
                self._items.popitem(last=False)
            return loaded

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


model_cache = ModelCache()


def loaded_model(deployed: DeployedModel) -> Loaded:
    stored = deployed.job.model
    key = (deployed.pk, stored.pk, stored.file.name)
    return model_cache.get(key, lambda: load_served(deployed))
