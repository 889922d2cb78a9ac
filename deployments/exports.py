"""A deployed model as a file to run elsewhere: TorchScript, or ONNX when the optional
`onnx` package is installed. Both hold the served module, normalization included, so they
take raw inputs as the API does."""

import io

import numpy as np
import torch

from deployments.models import DeployedModel
from deployments.serving import Loaded, loaded_model


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
