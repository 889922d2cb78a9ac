"""The optimizers lesson's figure in Chromium: four optimizers on a ravine and a saddle, side by
side; the losses it shows are those of torch.optim's own SGD, momentum, RMSprop and Adam run on
the same surfaces (tests/lessons/claims/test_claims_optimizers.py), as its sliders move."""

import pytest
from django.core.management import call_command

from tests.lessons.claims.test_claims_optimizers import SURFACES, final_loss, torch_path

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

URL = "/courses/foundations/optimizers/"
LABELS = {"sgd": "SGD", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}


@pytest.fixture
def lesson_url(live_platform):
    call_command("load_lessons", verbosity=0)
    return live_platform.url + URL


def shown(x: float) -> str:
    """A number as the figures print it (common.js fmt): 3 decimals, no trailing zeros, a real
    minus sign; from 10⁵ on, exponent notation with 2 decimals."""
    if abs(x) >= 1e5:
        mantissa, exponent = f"{x:.2e}".split("e")
        return f"{mantissa}e{exponent[0]}{int(exponent[1:])}".replace("-", "−")
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text.replace("-", "−")


def expected_readout(surface: str, *, lr: float, beta: float, steps: int) -> str:
    loss_of, start = SURFACES[surface]
    losses = ", ".join(
        f"{label} {shown(final_loss(name, surface, lr=lr, beta=beta, steps=steps))}"
        for name, label in LABELS.items())
    return f"Loss after {steps} steps (start {shown(loss_of(start))}): {losses}."


def open_figure(page, url: str):
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.goto(url)
    root = page.locator('.figure[data-figure="optimizer-paths"]')
    root.locator('[data-surface="saddle"] .figure-readout').wait_for()
    return root, console_errors


def readouts(root) -> dict[str, str]:
    return {surface: root.locator(f'[data-surface="{surface}"] .figure-readout').inner_text()
            for surface in SURFACES}


def test_the_figure_shows_torchs_losses_as_the_sliders_move(lesson_url, page, screenshot):
    root, console_errors = open_figure(page, lesson_url)
    settings = {"lr": 0.05, "beta": 0.9, "steps": 50}
    assert readouts(root) == {s: expected_readout(s, **settings) for s in SURFACES}
    assert "Adam 1.532" in readouts(root)["ravine"]  # as the lesson says

    rate = root.get_by_role("slider", name="learning rate η", exact=True)
    rate.focus()
    for _ in range(12):  # 0.05 + 12 · 0.005: past plain SGD's limit on the ravine
        page.keyboard.press("ArrowRight")
    settings["lr"] = 0.11
    assert readouts(root) == {s: expected_readout(s, **settings) for s in SURFACES}
    assert "e+8" in readouts(root)["ravine"].split("momentum")[0]  # SGD exploded
    screenshot(page, "figure-optimizer-paths")

    root.get_by_role("slider", name="momentum β (Adam's β₁)", exact=True).fill("0")
    root.get_by_role("slider", name="steps", exact=True).fill("30")
    settings.update(beta=0.0, steps=30)
    assert readouts(root) == {s: expected_readout(s, **settings) for s in SURFACES}
    ravine = readouts(root)["ravine"]
    sgd = ravine.split("SGD ")[1].split(",")[0]
    assert f"momentum {sgd}," in ravine  # with β = 0, momentum is plain SGD
    root.screenshot(path=str(screenshot(page, "figure-optimizer-paths-page").with_name(
        "figure-optimizer-paths-close.png")))
    assert not console_errors


def test_the_figures_paths_are_torchs_point_by_point(lesson_url, page):
    open_figure(page, lesson_url)
    for surface in SURFACES:
        for name in LABELS:
            settings = {"lr": 0.03, "beta": 0.8, "steps": 40}
            got = page.evaluate(
                "([name, surface, s]) =>"
                " window.dlFigures['optimizer-paths'].path(name, surface, s)",
                [name, surface, settings])
            expected = torch_path(name, surface, **settings)
            assert len(got) == 41
            assert got == [pytest.approx(point, rel=1e-9, abs=1e-12) for point in expected], (
                surface, name)


def test_the_two_panels_sit_side_by_side_on_a_desktop_and_stack_on_a_phone(
    lesson_url, browser, screenshot
):
    for width, height, side_by_side in [(1280, 800, True), (390, 844, False)]:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        try:
            root, console_errors = open_figure(page, lesson_url)
            root.scroll_into_view_if_needed()
            ravine = root.locator('[data-surface="ravine"]').bounding_box()
            saddle = root.locator('[data-surface="saddle"]').bounding_box()
            assert (abs(ravine["y"] - saddle["y"]) < 1) == side_by_side, (width, ravine, saddle)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{width}px: the page scrolls sideways by {overflow}px"
            box = root.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
            root.screenshot(path=str(screenshot(page, f"lesson-optimizers-{width}").with_name(
                f"figure-optimizer-paths-{width}.png")))
            assert not console_errors
        finally:
            context.close()
