"""Explaining a deployed model's predictions through the API: attributions of the model the
learner trained, on raw inputs, in the one error shape when something does not fit."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from deployments import deploy, serving
from tests.errors import error_fields, error_message


@pytest.fixture
def digits_model(api, train, digits_config) -> dict:
    job = train(digits_config)
    response = api.post(f"/api/v1/jobs/{job.pk}/deploy/", {}, format="json")
    assert response.status_code == 201
    return response.json()


def a_digit(label: int) -> list[float]:
    digits = load_digits()
    return digits.data[list(digits.target).index(label)].tolist()


@pytest.mark.django_db
def test_integrated_gradients_add_up_to_the_change_of_the_logit(api, digits_model):
    image = a_digit(3)
    response = api.post(digits_model["urls"]["explain"],
                        {"inputs": [image], "method": "integrated_gradients"}, format="json")
    assert response.status_code == 200, response.json()
    (explained,) = response.json()["explanations"]
    predicted = api.post(digits_model["urls"]["predict"], {"inputs": [image]}, format="json")
    assert explained["class"] == predicted.json()["predictions"][0]["class"]
    # Completeness, on the deployed model itself: the attributions sum to the logit of the
    # class at the image minus at the zero (black) image.
    model = serving.loaded_model(deploy.deployed_model_for(
        user=digits_model_owner(digits_model), model_id=digits_model["id"])).served.model
    index = int(explained["class"])
    with torch.no_grad():
        pair = np.stack([np.array(image) / 16, np.zeros(64)])
        logits = model(torch.tensor(pair, dtype=torch.float32))
    change = float(logits[0, index] - logits[1, index])
    assert sum(explained["attributions"]) == pytest.approx(change, rel=0.05, abs=0.05)
    assert abs(explained["convergence_delta"]) < 0.05 * max(1.0, abs(change))
    heat = np.array(explained["heatmap"])
    assert heat.shape == (8, 8) and np.abs(heat).max() == pytest.approx(1.0)


def digits_model_owner(digits_model):
    from deployments.models import DeployedModel

    return DeployedModel.objects.get(pk=digits_model["id"]).owner


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["saliency", "kernel_shap", "lime"])
def test_every_method_explains_a_batch_with_one_map_per_input(api, digits_model, method):
    response = api.post(digits_model["urls"]["explain"], {
        "inputs": [a_digit(0), a_digit(7)], "method": method, "target": "7",
    }, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["method"] == method
    assert [item["class"] for item in body["explanations"]] == ["7", "7"]
    for item in body["explanations"]:
        assert len(item["attributions"]) == 64 and np.array(item["heatmap"]).shape == (8, 8)
    # KernelSHAP and LIME sample with a fixed seed: the same request, the same answer.
    again = api.post(digits_model["urls"]["explain"], {
        "inputs": [a_digit(0), a_digit(7)], "method": method, "target": "7",
    }, format="json").json()
    assert again["explanations"] == body["explanations"]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field", "says"), [
    ({"inputs": [[0] * 63]}, "inputs", "got 63 values, not 64"),
    ({"inputs": [[0] * 64] * 21}, "inputs", "At most 20 inputs"),
    ({"inputs": [[0] * 64], "method": "gradcam"}, "method", "not a valid choice"),
    ({"inputs": [[0] * 64], "target": "eleven"}, "target", "one of the model's classes"),
])
def test_bad_requests_are_400_naming_the_field(api, digits_model, body, field, says):
    response = api.post(digits_model["urls"]["explain"], body, format="json")
    assert response.status_code == 400
    assert says in error_fields(response)[field]


@pytest.mark.django_db
def test_a_forecaster_cannot_be_explained(api, train):
    job = train({
        "model": {"kind": "rnn", "cell": "gru", "hidden_size": 8},
        "data": {"name": "series", "n_samples": 200, "window": 8, "seed": 0},
        "optim": {"name": "adam", "lr": 0.01, "epochs": 1},
    })
    deployed = api.post(f"/api/v1/jobs/{job.pk}/deploy/", {}, format="json").json()
    response = api.post(deployed["urls"]["explain"], {"inputs": [[0.0] * 8]}, format="json")
    assert response.status_code == 409
    assert "classifiers" in error_message(response)
