"""Pages for a learner's deployed models: the list, and one model with its "try it" panel."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from deployments import deploy, exports, serving
from engine import parse_config
from engine.catalog import DIGIT_DATASETS
from engine.datasets import load_dataset
from jobs import presentation

MAX_TRAINING_POINTS = 600
REGION_GRID = 30  # decision regions drawn from a 30x30 grid of predictions
REGION_PAD = 0.5  # in the data's units, around the training points
EXPLAIN_METHODS = (
    ("saliency", "Saliency"),
    ("integrated_gradients", "Integrated gradients"),
    ("kernel_shap", "KernelSHAP"),
    ("lime", "LIME"),
)
RESULT_METRICS = ("val_accuracy", "val_loss", "train_accuracy", "train_loss", "test_accuracy",
                  "n_params", "epochs_completed", "weights_epoch")


@login_required
def my_models(request):
    models = list(deploy.deployed_models_of(user=request.user))
    for deployed in models:
        deployed.summary = presentation.config_summary(deployed.job.config)
    return render(request, "deployments/model_list.html", {"models": models})


@login_required
def model_detail(request, model_id: int):
    deployed = deploy.deployed_model_for(user=request.user, model_id=model_id)
    if deployed is None:
        raise Http404("No such model.")
    job, dataset = deployed.job, deployed.job.config["data"]["name"]
    metrics = [(key, presentation.METRIC_LABELS[key], job.result[key])
               for key in RESULT_METRICS if key in job.result]
    page_data = {
        "id": deployed.pk,
        "dataset": dataset,
        "kind": job.config["model"]["kind"],
        "window": job.config["data"].get("window"),
        "predictUrl": f"/api/v1/models/{deployed.pk}/predict/",
        "explainUrl": f"/api/v1/models/{deployed.pk}/explain/",
        "digits": dataset in DIGIT_DATASETS,
        "points": _training_points(deployed) if dataset in serving.POINT_DATASETS else None,
    }
    return render(request, "deployments/model_detail.html", {
        "deployed": deployed,
        "job": job,
        "summary": presentation.config_summary(job.config),
        "metrics": metrics,
        "page_data": page_data,
        "explain_methods": EXPLAIN_METHODS,
        "onnx_available": exports.onnx_export_available(),
    })


def _training_points(deployed) -> dict:
    """Up to MAX_TRAINING_POINTS training points in the dataset's own coordinates, and the
    model's decision regions around them."""
    data = load_dataset(parse_config(deployed.job.config).data)
    # Back to the dataset's own coordinates with the statistics of this very draw.
    shift, scale = data.normalization.shift, data.normalization.scale
    x = data.x_train[:MAX_TRAINING_POINTS].double().numpy() * scale + shift
    points = {"x": x[:, 0].tolist(), "y": x[:, 1].tolist(),
              "label": data.y_train[:MAX_TRAINING_POINTS].tolist(), "classes": data.classes}
    points["regions"] = _decision_regions(deployed, points)
    return points


def _decision_regions(deployed, points: dict) -> dict:
    """The predicted class index on a REGION_GRID x REGION_GRID grid over the points (with a
    margin of REGION_PAD), predicted here rather than through the API: drawing the page is
    not a use of the model, so it must not count as predictions."""
    lows = [min(points[axis]) - REGION_PAD for axis in ("x", "y")]
    highs = [max(points[axis]) + REGION_PAD for axis in ("x", "y")]
    xs, ys = (
        [low + (high - low) * i / (REGION_GRID - 1) for i in range(REGION_GRID)]
        for low, high in zip(lows, highs, strict=True)
    )
    grid = [[x, y] for y in ys for x in xs]
    predicted = deploy.predict(deployed, grid, record=False)["predictions"]
    index = {name: i for i, name in enumerate(points["classes"])}
    z = [[index[predicted[row * REGION_GRID + col]["class"]] for col in range(REGION_GRID)]
         for row in range(REGION_GRID)]
    return {"x": xs, "y": ys, "z": z}
