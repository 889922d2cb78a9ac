"""A deployed digits model's page: draw a digit on the canvas, see the prediction appear."""

import pytest

from deployments import deploy
from deployments.models import DeployedModel
from jobs import services
from jobs.models import JobStatus
from tests.browser.test_live_lab import log_in
from training_worker import runner

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DIGITS = {
    "model": {"kind": "mlp", "hidden": [64], "activation": "relu"},
    "data": {"name": "digits", "n_samples": 1797, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 15},
}


def test_drawing_a_digit_shows_its_prediction(live_platform, page, screenshot, user):
    # Trained in this process: the file lands in the media root the server reads too. Never
    # queued, so the live platform's worker cannot race this process for it.
    job = services.job_create_unqueued(owner=user, config=DIGITS)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    deployed = deploy.model_deploy(user=user, job=job, name="My digits")

    log_in(page, live_platform.url, f"/models/{deployed.pk}/")
    canvas = page.locator(".model-canvas")
    box = canvas.bounding_box()
    # A "1": one stroke down the middle of the canvas.
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x, box["y"] + box["height"] * (0.15 + 0.07 * step))
    page.mouse.up()

    # Predictions follow the drawing stroke by stroke: wait for the one of the whole stroke.
    page.wait_for_function(
        "() => document.querySelector('.model-answer').textContent.startsWith('Prediction: 1')",
        timeout=15_000)
    answer = page.locator(".model-answer").text_content()
    bars = page.evaluate("() => document.querySelector('.model-plot').data[0].y")
    assert len(bars) == 10 and abs(sum(bars) - 1) < 1e-4
    # The 8x8 image the model saw has ink in its middle columns only.
    ink = page.evaluate(
        "() => Array.from(document.querySelector('.model-canvas-small').getContext('2d')"
        ".getImageData(0, 0, 8, 8).data).filter((_, i) => i % 4 === 0)")
    columns = [sum(ink[row * 8 + col] for row in range(8)) for col in range(8)]
    assert columns[0] == columns[7] == 0 and max(columns[3], columns[4]) > 0
    assert answer.split()[1] == "1", answer  # a clear stroke down the middle reads as a 1
    # Why: one attribution heatmap per method, each explaining the predicted class.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.model-explain-map')]"
        ".every((figure) => figure.dataset.explainedClass)", timeout=20_000)
    maps = page.evaluate(
        "() => [...document.querySelectorAll('.model-explain-map')].map((figure) => ({"
        "method: figure.dataset.method, cls: figure.dataset.explainedClass,"
        "z: figure.querySelector('.model-explain-plot').data[0].z}))")
    assert [m["method"] for m in maps] == [
        "saliency", "integrated_gradients", "kernel_shap", "lime"]
    for explained in maps:
        assert explained["cls"] == "1"
        assert len(explained["z"]) == 8 and max(abs(v) for row in explained["z"] for v in row) > 0
    screenshot(page, "model_page_digits")

    deployed.refresh_from_db()
    assert deployed.prediction_count >= 1
    assert DeployedModel.objects.get(pk=deployed.pk).last_latency_ms > 0


def test_clicking_the_plane_classifies_the_point(live_platform, page, screenshot, user):
    config = {
        "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
        "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
        "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 20},
    }
    job = services.job_create_unqueued(owner=user, config=config)  # never queued: see above
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    deployed = deploy.model_deploy(user=user, job=job)

    log_in(page, live_platform.url, f"/models/{deployed.pk}/")
    page.wait_for_function("() => document.querySelector('.model-plot').data?.length === 4")
    # The decision regions (a 30x30 grid predicted in one request) and both classes' points.
    regions = page.evaluate("() => document.querySelector('.model-plot').data[0].z.flat()")
    assert set(regions) == {0, 1}
    drag = page.locator(".model-plot .nsewdrag").bounding_box()
    page.mouse.click(drag["x"] + drag["width"] * 0.3, drag["y"] + drag["height"] * 0.3)
    page.wait_for_function(
        "() => document.querySelector('.model-answer').textContent.includes('→')")
    answer = page.locator(".model-answer").text_content()
    assert "moon" in answer
    screenshot(page, "model_page_moons")
