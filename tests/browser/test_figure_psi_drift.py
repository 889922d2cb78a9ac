"""The deploying-models lesson's psi-drift figure in Chromium: shifting the inputs (data drift)
moves the bins' shares and the PSI; moving the true boundary (concept drift) moves only the
accuracy. The numbers are recomputed with scipy
(tests/lessons/claims/test_claims_practical_figures.py) as the sliders move.
It fits a desktop and a phone screen without a console error."""

import pytest
from scipy.stats import norm

from tests.browser.figure_page import load_lessons, open_figure, shoot_both_sizes, shown
from tests.lessons.claims.test_claims_practical_figures import accuracy, bin_shares, psi, verdict

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON = "deploying-models"
FIGURE = "psi-drift"


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def expected(shift: float, boundary: float) -> str:
    a = bin_shares(shift)
    value = psi(a)
    return (f"production bin shares a = ({', '.join(shown(v) for v in a)}) against "
            f"e = (0.25, 0.25, 0.25, 0.25); PSI = {shown(value)} ({verdict(value)}); "
            f"the model's accuracy {shown(accuracy(shift, boundary))} "
            f"(in training {shown(accuracy(0, 0))}).")


def test_data_drift_moves_the_psi_and_concept_drift_the_accuracy(base_url, page):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    readout = root.locator(".figure-readout")
    assert readout.inner_text() == expected(0, 0)
    shift = root.get_by_role("slider", name="input shift μ (data drift)", exact=True)
    boundary = root.get_by_role("slider", name="true boundary c (concept drift)", exact=True)
    shift.fill("0.5")
    assert readout.inner_text() == expected(0.5, 0)
    assert "PSI = 0.211 (moderate)" in readout.inner_text()
    shift.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")  # steps of 0.1, to μ = 1
    assert readout.inner_text() == expected(1, 0)
    assert "PSI = 0.804 (large); the model's accuracy 0.917" in readout.inner_text()
    shift.fill("-2")
    assert readout.inner_text() == expected(-2, 0)
    shift.fill("0")
    boundary.fill("0.5")
    assert readout.inner_text() == expected(0, 0.5)
    assert "PSI = 0 (small); the model's accuracy 0.8 " in readout.inner_text()
    boundary.fill("1")
    shift.fill("1.5")
    assert readout.inner_text() == expected(1.5, 1)
    assert not console_errors


def test_the_pure_functions_match_scipy(base_url, page):
    open_figure(page, base_url, LESSON, FIGURE)
    got = page.evaluate("""() => {
        const f = window.dlFigures["psi-drift"];
        const zs = [-8, -4, -2.5, -1, -0.3, 0, 0.7, 2, 3.5, 6];
        return {cdf: zs.map(f.normalCdf), shares: f.binShares(0.7), psi: f.psi(f.binShares(-1.3)),
                acc: f.accuracy(0.3, -0.4)};
    }""")
    zs = [-8, -4, -2.5, -1, -0.3, 0, 0.7, 2, 3.5, 6]
    assert got["cdf"] == pytest.approx(norm.cdf(zs).tolist(), abs=1e-9)
    assert got["shares"] == pytest.approx(bin_shares(0.7), abs=1e-9)
    assert got["psi"] == pytest.approx(psi(bin_shares(-1.3)), rel=1e-8)
    assert got["acc"] == pytest.approx(accuracy(0.3, -0.4), abs=1e-7)


def test_the_figure_fits_a_desktop_and_a_phone(base_url, browser, screenshot):
    shoot_both_sizes(browser, screenshot, base_url, LESSON, FIGURE)
