"""The 2-D plane of a deployed model's page: every press classifies the point pressed,
once, with a mouse or a finger; drawing the page itself is not counted as predictions."""

import re
import time

import pytest

from deployments import deploy
from deployments.models import DeployedModel
from jobs import services
from jobs.models import JobStatus
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_live_lab import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MOONS = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "adam", "lr": 0.01, "batch_size": 32, "epochs": 20},
}
# Fractions of the plane's width and height, from its top left corner.
SPOTS = [(0.2, 0.3), (0.7, 0.6), (0.45, 0.85), (0.9, 0.1), (0.1, 0.9), (0.55, 0.4)]


@pytest.fixture
def moons_model(live_platform, user) -> DeployedModel:
    job = services.job_submit(user=user, config=MOONS)  # trained by the live worker
    deadline = time.monotonic() + 120
    while job.status not in (JobStatus.SUCCEEDED, JobStatus.FAILED) and \
            time.monotonic() < deadline:
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return deploy.model_deploy(user=user, job=job)


def axis_ranges(page) -> list:
    return page.evaluate("() => { const l = document.querySelector('.model-plot')._fullLayout;"
                         " return [l.xaxis.range, l.yaxis.range]; }")


def press_each_spot(page, press) -> list[tuple[float, float]]:
    """Press each spot, wait for its answer; the (x, y) each answer names."""
    page.wait_for_function("() => document.querySelector('.model-plot').data?.length === 4")
    plot = page.locator(".model-plot")
    plot.scroll_into_view_if_needed()
    box = page.locator(".model-plot .nsewdrag").bounding_box()
    ranges = axis_ranges(page)
    requests: list[str] = []
    page.on("request", lambda r: r.url.endswith("/predict/") and requests.append(r.url))
    named = []
    for n, (fx, fy) in enumerate(SPOTS, start=1):
        press(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_function(
            "([fx, fy]) => { const d = document.querySelector('.model-plot');"
            " const r = d._fullLayout.xaxis.range, s = d._fullLayout.yaxis.range;"
            " const x = d.data[3].x[0], y = d.data[3].y[0];"
            " return Math.abs(x - (r[0] + fx * (r[1] - r[0]))) < 0.05"
            "   && Math.abs(y - (s[1] - fy * (s[1] - s[0]))) < 0.05; }",
            arg=[fx, fy], timeout=10_000)
        page.wait_for_timeout(300)  # a second request, if any, would be sent by now
        # Quick presses were once taken for a double-click that reset the axes.
        assert axis_ranges(page) == ranges, "the axes moved: the same spot is another point"
        assert len(requests) == n, f"press {n} sent {len(requests) - n + 1} requests"
        text = page.locator(".model-answer").text_content()
        found = re.match(r"\((-?[\d.]+), (-?[\d.]+)\) → ", text)
        assert found, text
        named.append((float(found.group(1)), float(found.group(2))))
    return named


def test_every_click_classifies_its_point_and_page_views_count_nothing(
    live_platform, page, user, moons_model, screenshot
):
    log_in(page, live_platform.url, f"/models/{moons_model.pk}/")
    page.reload()  # a second view
    page.wait_for_function("() => document.querySelector('.model-plot').data?.length === 4")
    moons_model.refresh_from_db()
    assert moons_model.prediction_count == 0, "drawing the page counted as predictions"
    assert page.locator(".model-prediction-count").text_content() == "0"

    named = press_each_spot(page, lambda x, y: page.mouse.click(x, y))
    assert len(set(named)) == len(SPOTS)
    moons_model.refresh_from_db()
    assert (moons_model.prediction_count, moons_model.request_count) == (len(SPOTS), len(SPOTS))
    screenshot(page, "model-page-plane-desktop")


def test_a_tap_on_a_phone_classifies_once(live_platform, browser, user, moons_model):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        log_in(page, live_platform.url, f"/models/{moons_model.pk}/")
        press_each_spot(page, lambda x, y: page.touchscreen.tap(x, y))
        page.screenshot(path=str(SCREENSHOTS / "model-page-plane-phone.png"), full_page=True)
    finally:
        context.close()
    assert not errors
    moons_model.refresh_from_db()
    assert moons_model.prediction_count == len(SPOTS)
