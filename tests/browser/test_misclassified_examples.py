"""Clicking a confusion-matrix cell shows the validation digits behind it."""

import pytest

from jobs import services
from jobs.models import JobEvent
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_compare_runs import wait_until_done
from tests.browser.test_live_run_page import open_run

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DIGITS = {
    "model": {"kind": "mlp", "hidden": [8], "activation": "relu"},
    "data": {"name": "digits", "n_samples": 400, "val_fraction": 0.3, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 3},
}


def test_clicking_a_cell_shows_its_misclassified_digits(live_platform, page, user):
    job = services.job_submit(user=user, config=DIGITS)
    wait_until_done([job], timeout=60)
    open_run(page, live_platform, job)
    last_seq = type(job).objects.get(pk=job.pk).last_seq
    page.wait_for_function("(n) => window.liveRun.lastSeq === n && !window.liveRun.frameRequested",
                           arg=last_seq)
    matrix = JobEvent.objects.filter(job=job, type="confusion_matrix").last().payload["matrix"]
    n = len(matrix)
    true, predicted = max(((t, p) for t in range(n) for p in range(n) if t != p),
                          key=lambda cell: matrix[cell[0]][cell[1]])
    assert matrix[true][predicted] > 0

    # The heatmap's cells split its plot area evenly; rows run top to bottom (true 0 first).
    area = page.locator(".run-cm .nsewdrag").first.bounding_box()
    page.mouse.click(area["x"] + (predicted + 0.5) * area["width"] / n,
                     area["y"] + (true + 0.5) * area["height"] / n)

    panel = page.locator(".run-panel-misclassified")
    panel.locator("canvas").wait_for()
    expected = min(4, matrix[true][predicted])
    assert f"True {true}, predicted {predicted}: {expected} example" in panel.inner_text()
    panel.screenshot(path=str(SCREENSHOTS / "misclassified-digits.png"))
