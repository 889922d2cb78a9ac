"""The GAN lesson's gan-discriminator figure in Chromium: the best discriminator
D*(x) = p_data/(p_data + p_g) against a generator N(μ, σ²), and the value of the game
2·JSD − 2 ln 2, which scipy's quadrature recomputes here as the sliders move."""

import math

import pytest

from tests.browser.figure_page import check_phone_width, load_lessons, open_figure, shown, snap
from tests.lessons.claims.test_claims_lesson_figures import (
    best_discriminator_value,
    density,
    js_divergence,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON, FIGURE = "generative-adversarial-networks", "gan-discriminator"


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def expected(mean: float, std: float) -> str:
    def best(x: float) -> float:
        real, fake = density(x, 0, 1), density(x, mean, std)
        return real / (real + fake)

    value = best_discriminator_value(mean, std)  # V(D*, G) by quadrature, not by the JSD
    assert value == pytest.approx(2 * js_divergence(mean, std) - 2 * math.log(2), abs=1e-6)
    return (f"Generator N({shown(mean)}, {shown(std)}²): D*(0) = {shown(best(0))}, "
            f"D*({shown(mean)}) = {shown(best(mean))}; "
            f"JS divergence {shown(js_divergence(mean, std))} nats; "
            f"V(D*, G) = 2·JSD − 2 ln 2 = {shown(value)}, "
            f"so the best discriminator's loss is {shown(-value)}.")


def test_the_best_discriminator_and_the_game_value_follow_the_generator(
    base_url, page, screenshot
):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    readout = root.locator(".figure-readout")
    assert readout.inner_text() == expected(2, 1)
    assert "D*(0) = 0.881" in readout.inner_text() and "loss is 0.713" in readout.inner_text()
    snap(screenshot, page, root, "figure-gan-discriminator")

    mean = root.get_by_role("slider", name="generator mean μ", exact=True)
    mean.fill("0")
    assert readout.inner_text() == expected(0, 1)
    text = readout.inner_text()
    assert "JS divergence 0 nats" in text and "loss is 1.386" in text
    spread = root.get_by_role("slider", name="generator spread σ", exact=True)
    spread.fill("2")  # wider than the data: D*(μ) = D*(0) = 2/3, the generator's tails get < ½
    assert readout.inner_text() == expected(0, 2)
    mean.fill("4")
    spread.fill("1")
    assert readout.inner_text() == expected(4, 1)
    assert "loss is 0.121" in readout.inner_text()
    mean.focus()
    page.keyboard.press("ArrowLeft")  # one step of 0.1: μ = 3.9
    assert readout.inner_text() == expected(3.9, 1)
    snap(screenshot, page, root, "figure-gan-discriminator-far")
    assert not console_errors


def test_the_figure_fits_a_phone_screen(base_url, browser, screenshot):
    check_phone_width(browser, screenshot, base_url, LESSON, FIGURE)
