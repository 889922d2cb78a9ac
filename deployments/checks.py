"""A prediction request's inputs checked and turned into one tensor, and the model's outputs
checked before they are sent: what predict and explain share.

Inputs come as a learner sees them (2-D points in the dataset's own coordinates, digit
pixels 0..16, 28x28 shapes in [0, 1], series values, text); anything that does not fit is
a BadInputs naming the expected shape, never a 500.
"""

from dataclasses import dataclass

import numpy as np
import torch

from engine.catalog import TEXT_ALPHABET

MAX_BATCH = 1000


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


@dataclass(frozen=True)
class InputSpec:
    """What one input must look like, and how a batch becomes a tensor."""

    description: str
    shape: tuple[int, ...]  # of one input, as nested lists
    low: float | None = None
    high: float | None = None
    text: bool = False


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
