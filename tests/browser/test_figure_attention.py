"""The attention lesson's figure in Chromium: one query over three keys. The scores, softmax
weights and output it shows are recomputed here from the formula as its controls move, and it
fits a desktop and a phone screen without a console error."""

import math

import pytest
from django.core.management import call_command

from tests.browser.figure_page import expected_vector, open_figure, shoot_both_sizes

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON = "attention"
KEYS = [(1, 0), (0, 1), (-1, 0)]
VALUES = [(1, 0), (0, 1), (1, 1)]


@pytest.fixture
def base_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url


def attention(angle: float, length: float, scaled: bool = True) -> str:
    """The figure's readout, computed here: s_j = q·k_j / √d_k, w = softmax(s), Σ w_j v_j."""
    q = (length * math.cos(math.radians(angle)), length * math.sin(math.radians(angle)))
    divisor = math.sqrt(2) if scaled else 1
    scores = [(k[0] * q[0] + k[1] * q[1]) / divisor for k in KEYS]
    exps = [math.exp(s - max(scores)) for s in scores]
    weights = [e / sum(exps) for e in exps]
    output = [sum(w * v[i] for w, v in zip(weights, VALUES, strict=True)) for i in range(2)]
    return (f"q = {expected_vector(q)}; scores = {expected_vector(scores)}; "
            f"weights = {expected_vector(weights)}; output = {expected_vector(output)}")


def test_the_weights_follow_the_query_and_the_scale(base_url, page):
    root, console_errors = open_figure(page, base_url, LESSON, "attention")
    readout = root.locator(".figure-readout")
    assert readout.inner_text() == attention(0, 2)
    assert "weights = (0.768, 0.187, 0.045); output = (0.813, 0.232)" in readout.inner_text()

    direction = root.get_by_role("slider", name="query direction (°)", exact=True)
    direction.focus()
    page.keyboard.press("ArrowRight")  # one step of 5°
    assert readout.inner_text() == attention(5, 2)

    root.get_by_role("slider", name="query length", exact=True).fill("4")
    assert readout.inner_text() == attention(5, 4)
    direction.fill("0")
    assert "weights = (0.941, 0.056, 0.003)" in readout.inner_text()  # as the lesson says

    root.get_by_role("radio", name="not scaled", exact=True).check()
    assert readout.inner_text() == attention(0, 4, scaled=False)
    root.get_by_role("slider", name="query length", exact=True).fill("2")
    assert "weights = (0.867, 0.117, 0.016)" in readout.inner_text()

    root.get_by_role("radio", name="divided by √d_k = √2", exact=True).check()
    direction.fill("90")  # straight at k₂: k₁ and k₃ are both at right angles to the query
    assert readout.inner_text() == attention(90, 2)
    root.get_by_role("slider", name="query length", exact=True).fill("0")
    assert "weights = (0.333, 0.333, 0.333); output = (0.667, 0.667)" in readout.inner_text()
    assert not console_errors


def test_the_pure_functions_match_the_formula(base_url, page):
    open_figure(page, base_url, LESSON, "attention")
    got = page.evaluate("""() => {
        const f = window.dlFigures.attention;
        return [f.attend(f.query(30, 3)), f.attend([1, 3], {keys: [[1, 0], [0, 1]],
                values: [[1, 0], [0, 1]]})];
    }""")
    q = (3 * math.cos(math.radians(30)), 3 * math.sin(math.radians(30)))
    scores = [(k[0] * q[0] + k[1] * q[1]) / math.sqrt(2) for k in KEYS]
    weights = [math.exp(s) / sum(math.exp(t) for t in scores) for s in scores]
    assert got[0]["weights"] == pytest.approx(weights, rel=1e-12)
    assert sum(got[0]["weights"]) == pytest.approx(1, rel=1e-12)
    assert got[1]["weights"][1] == pytest.approx(1 / (1 + math.exp(-2 / math.sqrt(2))))  # quiz 1


def test_the_figure_fits_a_desktop_and_a_phone(base_url, browser, screenshot):
    shoot_both_sizes(browser, screenshot, base_url, LESSON, "attention")
