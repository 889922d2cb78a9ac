"""Pages for a learner's deployed models: the list, and one model with its "try it" panel."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from training_worker import deploy, presentation
from training_worker.engine.catalog import DIGIT_DATASETS

MAX_TRAINING_POINTS = 600
EXPLAIN_METHODS = (
    ("saliency", "Saliency"),
    ("integrated_gradients", "Integrated gradients"),
    ("kernel_shap", "KernelSHAP"),
    ("lime", "LIME"),
)
RESULT_METRICS = ("val_accuracy", "val_loss", "train_accuracy", "train_loss", "test_accuracy",
                  "n_params", "epochs_completed")


@login_required
def my_models(request):
    models = list(deploy.deployed_models_of(user=request.user))
    for deployed in models:
        deployed.summary = presentation.config_summary(deployed.job.config)
    return render(request, "training_worker/model_list.html", {"models": models})


@login_required
def model_detail(request, model_id: int):
    deployed = deploy.deployed_model_for(user=request.user, model_id=model_id)
    if deployed is None:
        raise Http404("No such model.")
    job, dataset = deployed.job, deployed.job.config["data"]["name"]
    metrics = [(key, job.result[key]) for key in RESULT_METRICS if key in job.result]
    page_data = {
        "id": deployed.pk,
        "dataset": dataset,
        "kind": job.config["model"]["kind"],
        "window": job.config["data"].get("window"),
        "predictUrl": f"/api/v1/models/{deployed.pk}/predict/",
        "explainUrl": f"/api/v1/models/{deployed.pk}/explain/",
        "digits": dataset in DIGIT_DATASETS,
        "points": _training_points(deployed) if dataset in deploy.STANDARDIZED_POINTS else None,
    }
    return render(request, "training_worker/model_detail.html", {
        "deployed": deployed,
        "job": job,
        "summary": presentation.config_summary(job.config),
        "metrics": metrics,
        "page_data": page_data,
        "explain_methods": EXPLAIN_METHODS,
        "onnx_available": deploy.onnx_export_available(),
    })


def _training_points(deployed) -> dict:
    """Up to MAX_TRAINING_POINTS training points in the dataset's own coordinates."""
    from training_worker.engine import load_dataset, parse_config

    data = load_dataset(parse_config(deployed.job.config).data)
    shift, scale = deployed.preprocessing["shift"], deployed.preprocessing["scale"]
    x = data.x_train[:MAX_TRAINING_POINTS].double().numpy() * scale + shift
    return {"x": x[:, 0].tolist(), "y": x[:, 1].tolist(),
            "label": data.y_train[:MAX_TRAINING_POINTS].tolist(), "classes": data.classes}
