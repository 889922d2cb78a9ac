"""Deployed models: deploying a succeeded job's model, and serving predictions from it.

A prediction takes inputs as a learner sees them (2-D points in the dataset's own
coordinates, digit pixels 0..16, 28x28 shapes in [0, 1], series values, text) and applies
exactly what the engine did before the model saw them (the normalization the run stored
with its trained model; nothing here draws the data again). That step and the model are one
module, `Served`, so the TorchScript and ONNX exports take the same raw inputs and give
the same outputs as the API.

Loaded models stay in an in-process LRU cache keyed by (deployment, stored file): a
request never reads the file once its model is warm.
"""

import io
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from torch import nn

from deployments.models import DeployedModel
from engine import parse_config
from engine.catalog import (
    DATASET_CLASSES,
    DIGIT_DATASETS,
    TEXT_ALPHABET,
    is_classification,
)
from engine.models import build_model
from jobs import artifacts
from jobs.models import JobStatus, TrainingJob

MAX_BATCH = 1000
CACHE_CAPACITY = 32
DEPLOYABLE_KINDS = ("mlp", "cnn", "rnn")


class NotDeployable(Exception):
    """The job has no model that can serve predictions (409)."""


class BadInputs(ValueError):
    """The request's inputs do not fit the model; the message names the expected shape."""


class NonFiniteOutputs(ValueError):
    """The model's output for some input is not a finite number (inf or NaN): inputs so far
    from the training data that the preprocessing or a layer overflowed float32."""


FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_finite_outputs(outputs: torch.Tensor | np.ndarray) -> None:
    """Raise NonFiniteOutputs naming the first input (row) whose outputs are not all finite
    (JSON has no NaN: such an answer could not even be sent)."""
    outputs = torch.as_tensor(outputs)
    finite_rows = torch.isfinite(outputs.reshape(len(outputs), -1)).all(dim=1)
    if not bool(finite_rows.all()):
        index = int((~finite_rows).nonzero()[0, 0])
        raise NonFiniteOutputs(
            f"inputs[{index}]: the model's output is not a finite number (its values are so "
            "far from the training data that the computation overflowed); send values "
            "closer to the data it was trained on."
        )


# --- who may see what ---------------------------------------------------------------


def deployed_models_of(*, user) -> QuerySet[DeployedModel]:
    if not user.is_authenticated:
        return DeployedModel.objects.none()
    return DeployedModel.objects.filter(owner=user).select_related("job", "owner")


def deployed_model_for(*, user, model_id: int) -> DeployedModel | None:
    """The deployment if it is this user's; None otherwise, so callers answer 404 either way."""
    return deployed_models_of(user=user).select_related("job__model").filter(pk=model_id).first()


# --- deploying ------------------------------------------------------------------------


def model_deploy(*, user, job: TrainingJob, name: str = "") -> DeployedModel:
    """Deploy the job's trained model; the caller has checked that the job is the user's."""
    stored = getattr(job, "model", None)
    if job.status != JobStatus.SUCCEEDED or stored is None:
        raise NotDeployable("Only a succeeded job with a stored model can be deployed.")
    kind, dataset = job.config["model"]["kind"], job.config["data"]["name"]
    if kind not in DEPLOYABLE_KINDS:
        raise NotDeployable(f"A {kind} model does not make predictions to serve.")
    if (job.config.get("eval") or {}).get("cv_folds") and dataset in STANDARDIZED_POINTS:
        # The stored model is the best fold's, standardized with that fold's statistics.
        raise NotDeployable("A cross-validated model of a 2-D dataset cannot be deployed yet.")
    if stored.normalization is None:
        raise NotDeployable("This model was stored without the normalization of its inputs "
                            "(its run is too old to recover it): train it again to deploy it.")
    with transaction.atomic():
        return DeployedModel.objects.create(
            owner=user, job=job, name=name or f"Run {job.pk} ({kind} on {dataset})",
            preprocessing=stored.normalization,
        )


STANDARDIZED_POINTS = ("moons", "circles", "spiral", "xor", "gaussians")


# --- the served module ----------------------------------------------------------------


class Served(nn.Module):
    """Raw inputs -> the engine's preprocessing -> the trained model -> probabilities (or,
    for a series, the forecast in the series' own units)."""

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


@dataclass(frozen=True)
class InputSpec:
    """What one input must look like, and how a batch becomes a tensor."""

    description: str
    shape: tuple[int, ...]  # of one input, as nested lists
    low: float | None = None
    high: float | None = None
    text: bool = False


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
    if dataset in STANDARDIZED_POINTS:
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


# --- the warm cache -------------------------------------------------------------------


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


# --- predicting -----------------------------------------------------------------------


def as_batch(inputs: object, spec: InputSpec) -> torch.Tensor:
    """The request's inputs as one tensor, or BadInputs naming the expected shape."""
    expected = f"expected a list of inputs, each {spec.description}"
    if not isinstance(inputs, list) or not inputs:
        raise BadInputs(f"'inputs' must be a non-empty list; {expected}.")
    if len(inputs) > MAX_BATCH:
        raise BadInputs(f"At most {MAX_BATCH} inputs per request (got {len(inputs)}).")
    if spec.text:
        return _text_batch(inputs, spec, expected)
    for index, item in enumerate(inputs):
        problem = _shape_problem(item, spec.shape)
        if problem:
            raise BadInputs(f"inputs[{index}]: {problem}; {expected}.")
    try:
        array = np.asarray(inputs, dtype=np.float64)
    except OverflowError:  # an integer beyond float64, which JSON allows
        raise BadInputs(f"Inputs must be finite numbers; {expected}.") from None
    if not np.isfinite(array).all():
        raise BadInputs(f"Inputs must be finite numbers; {expected}.")
    beyond = np.argwhere(np.abs(array) > FLOAT32_MAX)
    if beyond.size:
        # The model computes in float32: such a value would become inf, and its output NaN.
        where = "".join(f"[{int(i)}]" for i in beyond[0])
        raise BadInputs(f"inputs{where}: {array[tuple(beyond[0])]:g} is beyond the model's "
                        f"float32 range (±{FLOAT32_MAX:.4g}); {expected}.")
    if spec.low is not None and (array.min() < spec.low or array.max() > spec.high):
        raise BadInputs(f"Values must lie in [{spec.low:g}, {spec.high:g}]; {expected}.")
    return torch.from_numpy(array.reshape(len(inputs), -1) if len(spec.shape) > 1 else array)


def _shape_problem(item: object, shape: tuple[int, ...]) -> str:
    if not isinstance(item, list):
        return f"got {type(item).__name__}, not a list"
    if len(item) != shape[0]:
        return f"got {len(item)} values, not {shape[0]}"
    for value in item:
        if len(shape) > 1:
            problem = _shape_problem(value, shape[1:])
            if problem:
                return problem
        elif isinstance(value, bool) or not isinstance(value, int | float):
            return f"got {type(value).__name__} {value!r}, not a number"
    return ""


def _text_batch(inputs: list, spec: InputSpec, expected: str) -> torch.Tensor:
    index = {char: position for position, char in enumerate(TEXT_ALPHABET)}
    rows = []
    for position, item in enumerate(inputs):
        if not isinstance(item, str) or len(item) != spec.shape[0]:
            raise BadInputs(f"inputs[{position}]: {expected}.")
        unknown = sorted(set(item.lower()) - set(index))
        if unknown:
            raise BadInputs(f"inputs[{position}]: characters {unknown} are not in the "
                            f"alphabet {TEXT_ALPHABET!r}.")
        rows.append([index[char] for char in item.lower()])
    return torch.tensor(rows, dtype=torch.int64)


def predict(deployed: DeployedModel, inputs: object, *, record: bool = True) -> dict:
    """{"predictions": [...]} for a batch of raw inputs; counts them and their latency
    unless `record` is False (the model page's own drawing of its decision regions is not
    a use of the model)."""
    started = time.perf_counter()
    loaded = loaded_model(deployed)
    batch = as_batch(inputs, loaded.spec)
    with torch.inference_mode():
        outputs = loaded.served(batch)
    check_finite_outputs(outputs)
    if loaded.served.classifies:
        predictions = [_classified(row, loaded.classes) for row in outputs.tolist()]
    else:
        predictions = [{"value": value} for value in outputs.tolist()]
    if record:
        record_predictions(deployed, len(predictions), (time.perf_counter() - started) * 1000)
    return {"predictions": predictions}


def _classified(probabilities: list[float], classes: list[str]) -> dict:
    best = max(range(len(probabilities)), key=probabilities.__getitem__)
    return {"class": classes[best], "probabilities": dict(zip(classes, probabilities, strict=True))}


def record_predictions(deployed: DeployedModel, n: int, latency_ms: float) -> None:
    """One UPDATE per request: counters moved in the database, never read-modify-write."""
    DeployedModel.objects.filter(pk=deployed.pk).update(
        request_count=F("request_count") + 1,
        prediction_count=F("prediction_count") + n,
        total_latency_ms=F("total_latency_ms") + latency_ms,
        last_latency_ms=latency_ms,
        last_predicted_at=timezone.now(),
    )


# --- exports --------------------------------------------------------------------------


def example_input(loaded: Loaded) -> torch.Tensor:
    if loaded.spec.text:
        return torch.zeros((2, loaded.spec.shape[0]), dtype=torch.int64)
    n_values = int(np.prod(loaded.spec.shape))
    return torch.full((2, n_values), 0.5, dtype=torch.float64)


def torchscript_bytes(deployed: DeployedModel) -> bytes:
    """The served module (preprocessing included) traced to TorchScript."""
    loaded = loaded_model(deployed)
    with torch.no_grad():
        traced = torch.jit.trace(loaded.served, example_input(loaded), check_trace=False)
    buffer = io.BytesIO()
    torch.jit.save(traced, buffer)
    return buffer.getvalue()


def onnx_export_available() -> bool:
    """Whether this server can export ONNX: torch's exporter needs the optional `onnx`
    package, which the README's install (requirements/run.txt) leaves out. Pages and API
    links offer the ONNX download only when it can work."""
    try:
        import onnx  # noqa: F401  (optional: imported only to see whether it is installed)
    except ImportError:
        return False
    return True


def onnx_bytes(deployed: DeployedModel) -> bytes:
    """The served module as ONNX (needs the `onnx` package); raises ImportError without it."""
    import onnx  # noqa: F401  (optional, left out of run.txt; torch's exporter needs it)

    loaded = loaded_model(deployed)
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            loaded.served, (example_input(loaded),), buffer, input_names=["inputs"],
            output_names=["outputs"], dynamo=False,
            dynamic_axes={"inputs": {0: "batch"}, "outputs": {0: "batch"}},
        )
    return buffer.getvalue()
