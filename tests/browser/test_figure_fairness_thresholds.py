"""The ethical-AI lesson's figure in Chromium: a threshold per group, each group's selection
rate, TPR, FPR and PPV recomputed here with scipy's logistic distribution as the sliders move,
and which fairness criteria hold. It fits a desktop and a phone screen without a console
error."""

import pytest
from django.core.management import call_command

from tests.browser.figure_page import open_figure, shoot_both_sizes, shown
from tests.lessons.claims.test_claims_ethics_thresholds import holds, rates

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON = "ethical-ai"


@pytest.fixture
def base_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url


def expected(threshold_a: float, threshold_b: float, base_rate_b: float = 0.3) -> str:
    def describe(r: dict[str, float]) -> str:
        return (f"selected {shown(r['selected'])}, TPR {shown(r['tpr'])}, FPR {shown(r['fpr'])}, "
                f"PPV {shown(r['ppv'])}")

    a, b = rates(threshold_a, 0.5), rates(threshold_b, base_rate_b)
    return f"Group A: {describe(a)}. Group B: {describe(b)}."


def verdicts(threshold_a: float, threshold_b: float, base_rate_b: float = 0.3) -> list[str]:
    held = holds(rates(threshold_a, 0.5), rates(threshold_b, base_rate_b))
    return [f"{name} {'holds' if ok else 'fails'}" for name, ok in held.items()]


def check(root, *settings: float) -> None:
    assert root.locator(".figure-readout").inner_text() == expected(*settings)
    shown_verdicts = root.locator(".fairness-verdicts").inner_text().lower()
    for verdict in verdicts(*settings):
        assert verdict in shown_verdicts, (verdict, shown_verdicts)


def test_each_threshold_moves_its_groups_rates_and_the_verdicts(base_url, page):
    root, console_errors = open_figure(page, base_url, LESSON, "fairness-thresholds")
    check(root, 0.5, 0.5)
    assert "equalized odds holds" in root.locator(".fairness-verdicts").inner_text()

    b = root.get_by_role("slider", name="group B threshold", exact=True)
    b.focus()
    for _ in range(8):  # 0.5 − 8 · 0.01: the lesson's 0.42, equal hiring rates
        page.keyboard.press("ArrowLeft")
    check(root, 0.5, 0.42)
    assert "Demographic parity holds" in root.locator(".fairness-verdicts").inner_text()
    b.fill("0.6")
    check(root, 0.5, 0.6)
    root.get_by_role("slider", name="group A threshold", exact=True).fill("0.3")
    check(root, 0.3, 0.6)
    root.get_by_role("slider", name="group B base rate", exact=True).fill("0.5")
    root.get_by_role("slider", name="group A threshold", exact=True).fill("0.6")
    check(root, 0.6, 0.6, 0.5)
    assert all(v.endswith("holds") for v in verdicts(0.6, 0.6, 0.5))  # equal base rates: all
    assert not console_errors


def test_the_figure_fits_a_desktop_and_a_phone(base_url, browser, screenshot):
    shoot_both_sizes(browser, screenshot, base_url, LESSON, "fairness-thresholds")
