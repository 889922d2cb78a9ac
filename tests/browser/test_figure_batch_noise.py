"""The minibatch lesson's batch-noise figure in Chromium: for each batch size it shows the
spread σ/√B · √((n − B)/(n − 1)) of a minibatch's gradient, and the spread it measured over
its own draws, which numpy recomputes from the figure's 400 per-example gradients."""

import math

import numpy as np
import pytest

from tests.browser.figure_page import check_phone_width, load_lessons, open_figure, shown, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON, FIGURE = "sgd-minibatch-batch", "batch-noise"


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def expected_start(gradients: np.ndarray, batch: int) -> str:
    n = len(gradients)
    sigma = gradients.std()  # over all n, as the population the batches are drawn from
    spread = sigma / math.sqrt(batch) * math.sqrt((n - batch) / (n - 1))
    steps = math.ceil(n / batch)
    return (f"B = {batch} ({steps} step{'' if steps == 1 else 's'} per epoch): spread of the "
            f"minibatch gradient σ/√B · √((n − B)/(n − 1)) = {shown(spread)}; measured over 300 "
            f"minibatches: ")


def test_the_spread_shrinks_as_the_formula_says(base_url, page, screenshot):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    gradients = np.array(page.evaluate('() => window.dlFigures["batch-noise"].GRADIENTS'))
    assert len(gradients) == 400  # the lab's n_train
    readout = root.locator(".figure-readout")

    def measured() -> float:
        return float(readout.get_attribute("data-measured"))

    def spread(batch: int) -> float:
        return gradients.std() / math.sqrt(batch) * math.sqrt((400 - batch) / 399)

    assert readout.inner_text().startswith(expected_start(gradients, 32))
    assert f"One example's σ = {shown(gradients.std())}" in readout.inner_text()
    assert f"full-batch gradient {shown(gradients.mean())}." in readout.inner_text()
    # 300 draws estimate a standard deviation to within about 4% (1/√(2·300)): 15% is 3.5 of that.
    assert measured() == pytest.approx(spread(32), rel=0.15)
    snap(screenshot, page, root, "figure-batch-noise")

    batch = root.get_by_role("slider", name="batch size B", exact=True)
    batch.fill("1")
    assert readout.inner_text().startswith(expected_start(gradients, 1))
    assert measured() == pytest.approx(gradients.std(), rel=0.15)
    batch.focus()
    for _ in range(3):  # one example a press: B = 4, half of B = 1's spread
        page.keyboard.press("ArrowRight")
    assert readout.inner_text().startswith(expected_start(gradients, 4))
    assert measured() == pytest.approx(spread(4), rel=0.15)
    batch.fill("128")
    assert readout.inner_text().startswith(expected_start(gradients, 128))
    assert measured() == pytest.approx(spread(128), rel=0.15)
    batch.fill("400")  # the full batch: every draw is the whole set, so no spread at all
    assert readout.inner_text().startswith(expected_start(gradients, 400))
    assert "= 0; measured over 300 minibatches: 0." in readout.inner_text()
    snap(screenshot, page, root, "figure-batch-noise-full-batch")
    assert not console_errors


def test_the_figure_fits_a_phone_screen(base_url, browser, screenshot):
    check_phone_width(browser, screenshot, base_url, LESSON, FIGURE)
