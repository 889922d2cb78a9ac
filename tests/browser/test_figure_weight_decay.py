"""The regularization lesson's weight-decay figure in Chromium: a two-weight quadratic data loss
plus (λ/2)‖w‖²; the test recomputes the regularized minimum (the closed form, checked against
gradient descent in tests/lessons/claims/test_claims_regularization_figure.py) as λ moves."""

import pytest
from django.core.management import call_command

from tests.browser.figure_page import open_figure_at, shown
from tests.lessons.claims.test_claims_regularization_figure import (
    WEIGHT_DECAY_BEST,
    WEIGHT_DECAY_CURVATURE,
    regularized_minimum,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URL = "/courses/foundations/regularization/"
SHOTS = "figure-weight-decay"


@pytest.fixture
def lesson_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url + URL


def expected_readout(lam: float) -> str:
    w = regularized_minimum(lam)
    kept = [wk / best for wk, best in zip(w, WEIGHT_DECAY_BEST, strict=True)]
    data_loss = sum(0.5 * c * (wk - best) ** 2 for c, wk, best in
                    zip(WEIGHT_DECAY_CURVATURE, w, WEIGHT_DECAY_BEST, strict=True))
    penalty = lam / 2 * sum(wk**2 for wk in w)

    def vector(values):
        return "(" + ", ".join(shown(v) for v in values) + ")"

    return (f"λ = {shown(lam)}: w = {vector(w)}, kept {vector(kept)} of the data's best "
            f"{vector(WEIGHT_DECAY_BEST)}; data loss = {shown(data_loss)}; "
            f"penalty = {shown(penalty)}")


def readout(root) -> str:
    return root.locator(".figure-readout").inner_text()


def test_the_minimum_shrinks_towards_zero_as_lambda_grows(lesson_url, page, screenshot):
    root, console_errors = open_figure_at(page, lesson_url, "weight-decay")
    # The lesson: at λ = 0.2, w = (2.73, 2), 91% and half of the data's best.
    assert readout(root) == expected_readout(0.2)
    assert "w = (2.727, 2), kept (0.909, 0.5)" in readout(root)
    strength = root.get_by_role("slider", name="L2 strength λ", exact=True)
    strength.fill("0")
    assert readout(root) == expected_readout(0)
    assert "w = (3, 4)" in readout(root)
    strength.focus()
    page.keyboard.press("ArrowRight")  # one step of 0.05
    assert readout(root) == expected_readout(0.05)
    norms = []
    for lam in (0.5, 1, 2.5, 5):
        strength.fill(str(lam))
        assert readout(root) == expected_readout(lam)
        norms.append(sum(w**2 for w in regularized_minimum(lam)))
    assert norms == sorted(norms, reverse=True)  # the minimum moves towards 0
    root.scroll_into_view_if_needed()
    strength.fill("0.2")
    root.screenshot(path=str(screenshot(page, SHOTS).with_name(f"{SHOTS}-close.png")))
    assert not console_errors


def test_the_figure_fits_a_phone(lesson_url, browser, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        root, console_errors = open_figure_at(page, lesson_url, "weight-decay")
        root.scroll_into_view_if_needed()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        root.screenshot(path=str(screenshot(page, f"{SHOTS}-phone").with_name(
            f"{SHOTS}-phone-close.png")))
        assert not console_errors
    finally:
        context.close()
