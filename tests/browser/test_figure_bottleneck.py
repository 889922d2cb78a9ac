"""The autoencoder lesson's bottleneck figure in Chromium: a one-number code along a direction,
its reconstruction error, which numpy recomputes here, and the lowest error along the first
principal direction that numpy's eigendecomposition finds (a linear autoencoder is PCA)."""

import math

import numpy as np
import pytest

from tests.browser.figure_page import check_phone_width, load_lessons, open_figure, shown, snap
from tests.lessons.claims.test_claims_lesson_figures import bottleneck_points

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON, FIGURE = "autoencoders", "bottleneck"


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def error_along(points: np.ndarray, degrees: float) -> float:
    """Mean squared error per coordinate of encoding c = u·x and decoding x̂ = c·u."""
    u = np.array([math.cos(math.radians(degrees)), math.sin(math.radians(degrees))])
    rebuilt = np.outer(points @ u, u)
    return float(((points - rebuilt) ** 2).mean())


def test_the_error_is_lowest_along_the_first_principal_direction(base_url, page, screenshot):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    points = np.array(page.evaluate("() => window.dlFigures.bottleneck.POINTS"))
    # The lesson's claims module quotes numbers about these very points.
    assert points == pytest.approx(bottleneck_points())
    variances, directions = np.linalg.eigh(np.cov(points.T, bias=True))
    principal = math.degrees(math.atan2(directions[1, 1], directions[0, 1])) % 180
    degrees = f"{principal:.1f}".removesuffix(".0")
    tail = (f"Lowest, {shown(variances[0] / 2)}, along the first principal direction "
            f"{degrees}°; highest, {shown(variances[1] / 2)}, at right angles to it.")
    readout = root.locator(".figure-readout")

    def expect(degrees: int) -> None:
        assert readout.inner_text() == (
            f"Code direction {degrees}°: reconstruction error "
            f"{shown(error_along(points, degrees))} (mean squared error per coordinate). {tail}")

    expect(0)
    angle = root.get_by_role("slider", name="code direction (degrees)", exact=True)
    angle.fill("90")
    expect(90)
    angle.focus()
    page.keyboard.press("ArrowLeft")
    expect(89)
    root.get_by_role("button", name="Go to the first principal direction").click()
    expect(round(principal))  # 32°, within half a degree of 31.6°
    best = error_along(points, round(principal))
    assert best == pytest.approx(variances[0] / 2, rel=1e-3)
    assert all(best <= error_along(points, d) + 1e-9 for d in range(180))
    snap(screenshot, page, root, "figure-bottleneck")
    angle.fill(str(round(principal) + 90))
    expect(round(principal) + 90)
    assert error_along(points, round(principal) + 90) == pytest.approx(variances[1] / 2, rel=1e-3)
    assert not console_errors


def test_the_figure_fits_a_phone_screen(base_url, browser, screenshot):
    check_phone_width(browser, screenshot, base_url, LESSON, FIGURE)
