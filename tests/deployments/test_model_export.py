"""The exports take raw inputs, as the API does, and give the API's outputs."""

import io

import numpy as np
import pytest
import torch

POINTS = [[-1.0, 0.5], [0.0, 0.0], [1.5, -0.4], [2.0, 1.0], [0.3, 0.9]]


def api_probabilities(api, deployed: dict, inputs: list) -> np.ndarray:
    predictions = api.post(deployed["urls"]["predict"], {"inputs": inputs},
                           format="json").json()["predictions"]
    return np.array([list(p["probabilities"].values()) for p in predictions])


def download(api, url: str) -> bytes:
    response = api.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith("attachment")
    return response.content


def digit_batch() -> list:
    return np.random.default_rng(0).integers(0, 17, (6, 64)).tolist()


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["moons", "digits"])
def test_torchscript_gives_the_apis_outputs(api, request, which):
    deployed = request.getfixturevalue(f"{which}_model")
    inputs = POINTS if which == "moons" else digit_batch()
    scripted = torch.jit.load(io.BytesIO(download(api, deployed["urls"]["torchscript"])))
    with torch.no_grad():
        got = scripted(torch.tensor(inputs, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, api_probabilities(api, deployed, inputs), atol=1e-5)


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["moons", "digits"])
def test_onnx_gives_the_apis_outputs(api, request, which):
    pytest.importorskip("onnx")
    onnxruntime = pytest.importorskip("onnxruntime")
    deployed = request.getfixturevalue(f"{which}_model")
    inputs = POINTS if which == "moons" else digit_batch()
    session = onnxruntime.InferenceSession(download(api, deployed["urls"]["onnx"]),
                                           providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"inputs": np.array(inputs, dtype=np.float64)})
    np.testing.assert_allclose(got, api_probabilities(api, deployed, inputs), atol=1e-4)
