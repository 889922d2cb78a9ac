"""The interpretability lesson's figure in Chromium: integrated gradients of
f(x₁, x₂) = x₁x₂ + x₁ against the gradient × (x − baseline), recomputed here (by a midpoint sum
along the path, not the figure's closed form) as the sliders move; completeness holds for the
first only. It fits a desktop and a phone screen without a console error."""

import pytest
from django.core.management import call_command

from tests.browser.figure_page import expected_vector, open_figure, shoot_both_sizes, shown

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON = "model-interpretability"


@pytest.fixture
def base_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url


def model(x1: float, x2: float) -> float:
    return x1 * x2 + x1


def gradient(x1: float, x2: float) -> tuple[float, float]:
    return x2 + 1, x1


def integrated_gradients(x, b, steps: int = 2000) -> list[float]:
    """(x_i − b_i) times the gradient averaged along the path, by the midpoint rule."""
    points = [[bi + (k + 0.5) / steps * (xi - bi) for xi, bi in zip(x, b, strict=True)]
              for k in range(steps)]
    mean = [sum(gradient(*p)[i] for p in points) / steps for i in range(2)]
    return [(x[i] - b[i]) * mean[i] for i in range(2)]


def expected(x, b) -> str:
    ig = integrated_gradients(x, b)
    shortcut = [(x[i] - b[i]) * gradient(*x)[i] for i in range(2)]
    return (f"f(x) = {shown(model(*x))}, f(baseline) = {shown(model(*b))}, "
            f"difference {shown(model(*x) - model(*b))}. "
            f"Integrated gradients {expected_vector(ig)}, sum {shown(sum(ig))}. "
            f"Gradient × (x − baseline) {expected_vector(shortcut)}, sum {shown(sum(shortcut))}.")


def test_integrated_gradients_add_up_to_the_change_and_the_shortcut_does_not(base_url, page):
    root, console_errors = open_figure(page, base_url, LESSON, "attribution")
    readout = root.locator(".figure-readout")
    assert readout.inner_text() == expected([1.5, 1], [0, 0])
    assert "Integrated gradients (2.25, 0.75), sum 3." in readout.inner_text()  # the lesson's

    x2 = root.get_by_role("slider", name="input x₂", exact=True)
    x2.focus()
    page.keyboard.press("ArrowLeft")  # one step of 0.1
    assert readout.inner_text() == expected([1.5, 0.9], [0, 0])

    root.get_by_role("slider", name="baseline b₁", exact=True).fill("-1")
    root.get_by_role("slider", name="baseline b₂", exact=True).fill("0.5")
    assert readout.inner_text() == expected([1.5, 0.9], [-1, 0.5])
    root.get_by_role("slider", name="input x₁", exact=True).fill("-1")  # x₁ = b₁: nothing
    assert readout.inner_text() == expected([-1, 0.9], [-1, 0.5])
    assert "Integrated gradients (0, " in readout.inner_text()
    assert not console_errors


def test_the_pure_functions_keep_completeness(base_url, page):
    open_figure(page, base_url, LESSON, "attribution")
    cases = [([0.3, -1.7], [1.2, 0.4]), ([2, 2], [-2, -2])]
    for x, b in cases:
        got = page.evaluate("([x, b]) => window.dlFigures.attribution.integratedGradients(x, b)",
                            [x, b])
        assert got == pytest.approx(integrated_gradients(x, b), abs=1e-9)
        assert sum(got) == pytest.approx(model(*x) - model(*b), abs=1e-12)


def test_the_figure_fits_a_desktop_and_a_phone(base_url, browser, screenshot):
    shoot_both_sizes(browser, screenshot, base_url, LESSON, "attribution")
