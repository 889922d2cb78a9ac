"""The overfitting lesson's polynomial-fit figure in Chromium: for each degree, the training and
validation errors it shows are numpy's least-squares fit (np.polyfit) of the same points, read
from the figure's module; the training error falls with the degree, the validation error
falls, then climbs."""

import numpy as np
import pytest
from django.core.management import call_command

from tests.browser.figure_page import open_figure_at

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URL = "/courses/foundations/overfitting/"


def shown(x: float) -> str:
    """A number as the figures print it (common.js fmt): 3 decimals, no trailing zeros; from
    10⁵ on, exponent notation with 2 decimals."""
    if abs(x) >= 1e5:
        mantissa, exponent = f"{x:.2e}".split("e")
        return f"{mantissa}e{exponent[0]}{int(exponent[1:])}".replace("-", "−")
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text.replace("-", "−")


def errors(train: np.ndarray, validation: np.ndarray, degree: int) -> tuple[float, float]:
    coefficients = np.polyfit(train[:, 0], train[:, 1], degree)
    mse = [float(np.mean((np.polyval(coefficients, p[:, 0]) - p[:, 1]) ** 2))
           for p in (train, validation)]
    return mse[0], mse[1]


@pytest.fixture
def lesson_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url + URL


def test_the_figure_shows_numpys_least_squares_errors_as_the_degree_moves(
    lesson_url, page, screenshot
):
    root, console_errors = open_figure_at(page, lesson_url, "polynomial-fit")
    module = 'window.dlFigures["polynomial-fit"]'
    train = np.array(page.evaluate(f"() => {module}.TRAIN"))
    validation = np.array(page.evaluate(f"() => {module}.VALIDATION"))
    assert train.shape == (10, 2) and validation.shape == (20, 2)
    noise = page.evaluate(f"() => {module}.NOISE")
    # The points are the curve sin(2πx) plus noise of the stated size.
    residual = np.concatenate([train, validation])
    residual = residual[:, 1] - np.sin(2 * np.pi * residual[:, 0])
    assert 0.5 * noise < residual.std() < 1.5 * noise

    readout = root.locator(".figure-readout")
    degree = root.get_by_role("slider", name="polynomial degree", exact=True)
    measured = {}
    for d in range(10):
        degree.fill(str(d))
        train_error, validation_error = errors(train, validation, d)
        measured[d] = (train_error, validation_error)
        text = readout.inner_text()
        assert f"Degree {d} ({d + 1} coefficients, 10 training points)" in text
        assert f"training error {shown(train_error)}," in text, d
        assert f"validation error {shown(validation_error)} " in text, d
    # The shape the lesson describes: training error never rises with the degree and reaches
    # 0 at degree 9 (ten coefficients through ten points); the validation error is lowest at a
    # middle degree and largest at degree 9 among degrees 1 to 9.
    train_errors = [measured[d][0] for d in range(10)]
    assert all(b <= a + 1e-12 for a, b in zip(train_errors, train_errors[1:], strict=False))
    assert train_errors[9] < 1e-12
    validation_errors = [measured[d][1] for d in range(10)]
    best = int(np.argmin(validation_errors))
    assert best == 3
    assert validation_errors[9] == max(validation_errors[1:])
    assert validation_errors[9] > 5 * validation_errors[3]

    degree.fill("3")
    assert console_errors == []
    path = screenshot(page, "figure-polynomial-fit")
    root.screenshot(path=str(path.with_name("figure-polynomial-fit-close.png")))
    degree.fill("9")
    root.screenshot(path=str(path.with_name("figure-polynomial-fit-degree9-close.png")))


def test_polynomial_fit_fits_a_phone_screen(lesson_url, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    try:
        root, console_errors = open_figure_at(page, lesson_url, "polynomial-fit")
        root.scroll_into_view_if_needed()
        # The figure itself, not the page: an inline formula of the lesson's parameter count
        # is wider than a phone (a separate problem of the text, left alone here).
        overflow = root.evaluate("node => node.scrollWidth - node.clientWidth")
        assert overflow <= 0
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert console_errors == []
        root.screenshot(path=str(screenshot(page, "figure-polynomial-fit-phone")
                                 .with_name("figure-polynomial-fit-phone-close.png")))
    finally:
        context.close()
