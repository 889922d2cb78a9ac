"""Explaining a deployed classifier's predictions: which input features each rests on.

The inputs come raw, as for predict; they are preprocessed as training did, and the
attributions (engine/attribution.py) are of the model's logit for the predicted class, or
for a class the caller names. An image's attributions come back as a heatmap too.
"""

import time

import numpy as np
import torch

from deployments import checks, serving
from deployments.models import DeployedModel
from engine.attribution import attribute, heatmap
from engine.catalog import IMAGE_SHAPES

# KernelSHAP and LIME fit one surrogate model per input (~20 ms each on a digit).
MAX_EXPLAINED_INPUTS = 20


class BadTarget(ValueError):
    """The class to explain is not one of the model's."""


class NotExplainable(Exception):
    """The model is not one whose inputs can be attributed (a forecaster, a text model)."""


def explain(deployed: DeployedModel, inputs: object, method: str,
            target: str | None = None) -> dict:
    """{"method", "explanations": [{"class", "probability", "attributions", "heatmap"}]}.

    Raises checks.BadInputs for inputs that do not fit (naming the expected shape),
    checks.NonFiniteOutputs when the model or the attribution overflows on them, BadTarget
    for an unknown target class, and NotExplainable for models that are not classifiers
    of numbers.
    """
    started = time.perf_counter()
    loaded = serving.loaded_model(deployed)
    if not loaded.served.classifies or loaded.spec.text:
        raise NotExplainable(
            "Attributions are for classifiers of points, tables and images; this model "
            f"({loaded.dataset}) is not one."
        )
    if isinstance(inputs, list) and len(inputs) > MAX_EXPLAINED_INPUTS:
        raise checks.BadInputs(
            f"At most {MAX_EXPLAINED_INPUTS} inputs per explanation (got {len(inputs)})."
        )
    raw = checks.as_batch(inputs, loaded.spec)
    model_inputs = _as_model_inputs(loaded, raw)
    image_shape = IMAGE_SHAPES.get(loaded.dataset)
    attribution = attribute(loaded.served.model, model_inputs, method,
                            target=_target_index(target, loaded.classes),
                            image_shape=image_shape)
    with torch.inference_mode():
        probabilities = loaded.served(raw)
    checks.check_finite_outputs(probabilities)
    checks.check_finite_outputs(attribution.values)
    if attribution.convergence_delta is not None:
        checks.check_finite_outputs(np.asarray(attribution.convergence_delta).reshape(-1, 1))
    explanations = []
    for index, (row, target_index) in enumerate(
        zip(attribution.values, attribution.target, strict=True)
    ):
        explained = {
            "class": loaded.classes[target_index],
            "probability": float(probabilities[index, target_index]),
            "attributions": row.tolist(),
            "heatmap": heatmap(row, image_shape) if image_shape else None,
        }
        if attribution.convergence_delta is not None:
            explained["convergence_delta"] = attribution.convergence_delta[index]
        explanations.append(explained)
    # Not counted with the predictions: their counters and latency describe serving.
    return {"method": method, "explanations": explanations,
            "seconds": round(time.perf_counter() - started, 4)}


def _as_model_inputs(loaded: serving.Loaded, raw: torch.Tensor) -> torch.Tensor:
    """What the model itself reads: the raw inputs after the training-time preprocessing."""
    served = loaded.served
    return ((raw.double() - served.shift) / served.scale).float()


def _target_index(target: str | None, classes: list[str]) -> int | None:
    if target is None:
        return None
    if target not in classes:
        raise BadTarget(
            f"target must be one of the model's classes ({', '.join(classes)}), or null for "
            f"the predicted class (got {target!r})."
        )
    return classes.index(target)
