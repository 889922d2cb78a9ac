"""A prediction through the API equals the stored model's own output on the engine's view
of the same inputs: the API applies exactly the engine's preprocessing to raw inputs."""

import numpy as np
import pytest
import torch

from deployments.models import DeployedModel
from engine import datasets, parse_config
from engine.datasets import load_dataset
from engine.models import build_model
from jobs.artifacts import deserialize
from jobs.models import TrainingJob


def raw_and_engine_validation_set(config: dict, monkeypatch) -> tuple[np.ndarray, torch.Tensor]:
    """The validation inputs before the engine's preprocessing (caught on their way into
    `datasets._finish`) and after it (what load_dataset hands the model)."""
    seen = raw_split(config, monkeypatch)
    return seen["x_val"], seen["data"].x_val


def raw_split(config: dict, monkeypatch) -> dict:
    """{"x_train", "x_val"} as drawn, before standardization, and the "data" built of them."""
    seen = {}
    finish = datasets._finish

    def spy(cfg, x_train, y_train, x_val, *rest):
        seen["x_train"] = np.array(x_train, dtype=np.float64)
        seen["x_val"] = np.array(x_val, dtype=np.float64)
        return finish(cfg, x_train, y_train, x_val, *rest)

    monkeypatch.setattr(datasets, "_finish", spy)
    seen["data"] = load_dataset(parse_config(config).data)
    monkeypatch.undo()
    return seen


def own_probabilities(job: TrainingJob, x: torch.Tensor) -> np.ndarray:
    """The stored weights, loaded by hand, on inputs the engine already preprocessed."""
    with job.model.file.open("rb") as stored:
        saved = deserialize(stored.read())
    config = parse_config(saved["config"])
    model = build_model(config.model, config.data)
    model.load_state_dict(saved["state_dict"])
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(x), dim=1).numpy()


def api_probabilities(api, deployed: dict, inputs: list) -> tuple[np.ndarray, list[str]]:
    response = api.post(deployed["urls"]["predict"], {"inputs": inputs}, format="json")
    assert response.status_code == 200, response.content
    predictions = response.json()["predictions"]
    classes = list(predictions[0]["probabilities"])
    probabilities = np.array([[p["probabilities"][c] for c in classes] for p in predictions])
    assert [p["class"] for p in predictions] == [classes[i] for i in probabilities.argmax(1)]
    return probabilities, classes


@pytest.mark.django_db
def test_moons_prediction_on_raw_points_equals_the_model_on_standardized_ones(
    api, moons_model, monkeypatch
):
    job = TrainingJob.objects.get(pk=moons_model["job"])
    raw, engine_view = raw_and_engine_validation_set(job.config, monkeypatch)
    # The raw points really are in the dataset's own coordinates, not standardized ones.
    assert not np.allclose(raw, engine_view.numpy(), atol=0.05)

    got, classes = api_probabilities(api, moons_model, raw.tolist())
    assert classes == ["upper moon", "lower moon"]
    np.testing.assert_allclose(got, own_probabilities(job, engine_view), atol=1e-5)


@pytest.mark.django_db
def test_a_deployment_serves_behind_its_raw_training_sets_own_statistics(
    moons_model, monkeypatch
):
    """The statistics come stored with the run's model, not from a second draw of the data;
    they equal, to the last bit, the mean and std of the raw training set (what deploying
    computed by drawing it again before issue 12), so every prediction is as it was."""
    deployed = DeployedModel.objects.select_related("job__model").get(pk=moons_model["id"])
    raw = raw_split(deployed.job.config, monkeypatch)["x_train"]  # moons_config: no cap
    expected = {"shift": raw.mean(axis=0).tolist(), "scale": raw.std(axis=0).tolist()}
    assert deployed.preprocessing == deployed.job.model.normalization == expected


@pytest.mark.django_db
def test_a_cross_validated_model_is_served_behind_its_kept_folds_statistics(
    api, train, moons_config, monkeypatch
):
    config = {**moons_config, "eval": {"cv_folds": 3},
              "optim": {**moons_config["optim"], "epochs": 5}}
    job = train(config)
    response = api.post(f"/api/v1/jobs/{job.pk}/deploy/", {}, format="json")
    assert response.status_code == 201, response.content
    kept = max(job.result["cv"]["folds"], key=lambda fold: fold["val_accuracy"])["fold"]
    raw_vals = []
    finish = datasets._finish

    def spy(cfg, x_train, y_train, x_val, *rest):
        raw_vals.append(np.array(x_val, dtype=np.float64))
        return finish(cfg, x_train, y_train, x_val, *rest)

    monkeypatch.setattr(datasets, "_finish", spy)
    folds = datasets.load_folds(parse_config(config).data, 3)
    monkeypatch.undo()
    assert len({fold.normalization for fold in folds}) == 3  # the fold matters
    got, _ = api_probabilities(api, response.json(), raw_vals[kept - 1].tolist())
    np.testing.assert_allclose(got, own_probabilities(job, folds[kept - 1].x_val), atol=1e-5)


@pytest.mark.django_db
def test_digits_prediction_on_0_to_16_pixels_equals_the_model(api, digits_model, monkeypatch):
    job = TrainingJob.objects.get(pk=digits_model["job"])
    _, engine_view = raw_and_engine_validation_set(job.config, monkeypatch)
    pixels = (engine_view.double() * 16).round()  # the 0..16 integers of scikit-learn's set
    got, classes = api_probabilities(api, digits_model, pixels.tolist())
    assert classes == [str(d) for d in range(10)]
    np.testing.assert_allclose(got, own_probabilities(job, engine_view), atol=1e-5)
    # The model is a real one: it gets most validation digits right.
    labels = load_dataset(parse_config(job.config).data).y_val.numpy()
    assert (got.argmax(1) == labels).mean() > 0.8


@pytest.mark.django_db
def test_predictions_are_counted_with_their_latency(api, moons_model):
    for batch in ([[0.0, 0.5]], [[1.0, -0.5], [2.0, 0.0], [-1.0, 1.0]]):
        assert api.post(moons_model["urls"]["predict"], {"inputs": batch},
                        format="json").status_code == 200
    deployed = DeployedModel.objects.get(pk=moons_model["id"])
    assert (deployed.request_count, deployed.prediction_count) == (2, 4)
    assert deployed.last_latency_ms > 0 and deployed.mean_latency_ms > 0
    assert deployed.last_predicted_at is not None
    body = api.get(moons_model["urls"]["self"]).json()
    assert body["prediction_count"] == 4 and body["mean_latency_ms"] > 0


@pytest.mark.django_db
def test_the_model_file_is_read_once_not_per_request(api, moons_model, monkeypatch):
    from deployments import serving
    from jobs import artifacts

    reads = []
    real = artifacts.deserialize
    monkeypatch.setattr(artifacts, "deserialize", lambda data: reads.append(1) or real(data))
    loads_before = serving.model_cache.loads
    for _ in range(3):
        response = api.post(moons_model["urls"]["predict"], {"inputs": [[0.1, 0.2]]},
                            format="json")
        assert response.status_code == 200
    assert len(reads) == 1
    assert serving.model_cache.loads - loads_before == 1


def test_the_cache_evicts_the_least_recently_used_model():
    from deployments.serving import ModelCache

    cache = ModelCache(capacity=2)
    for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" arrives
        cache.get((key,), lambda key=key: key)
    assert cache.loads == 3
    cache.get(("a",), lambda: pytest.fail("a was evicted"))
    cache.get(("b",), lambda: "b again")
    assert cache.loads == 4


def test_threads_asking_for_a_cold_model_load_it_once():
    import threading
    import time

    from deployments.serving import ModelCache

    cache = ModelCache()
    results = []

    def slow_load():
        time.sleep(0.05)
        return object()

    threads = [threading.Thread(target=lambda: results.append(cache.get(("m",), slow_load)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.loads == 1 and len({id(r) for r in results}) == 1
