"""The real-world-applications lesson's iou-boxes figure in Chromium: moving and resizing the
predicted box changes the overlap, the union and the IoU, recomputed here
(tests/lessons/claims/test_claims_practical_figures.py), and the hit or miss at 0.5. It fits a
desktop and a phone screen without a console error."""

import pytest

from tests.browser.figure_page import load_lessons, open_figure, shoot_both_sizes, shown
from tests.lessons.claims.test_claims_practical_figures import TRUE_BOX, iou, square

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON = "real-world-applications"
FIGURE = "iou-boxes"


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def expected(x: float, y: float, side: float) -> str:
    box = square(x, y, side)
    value = iou(box, TRUE_BOX)
    overlap = (max(0, min(box[2], 6) - max(box[0], 2)) * max(0, min(box[3], 6) - max(box[1], 2)))
    corners = ", ".join(shown(v) for v in box[:2]), ", ".join(shown(v) for v in box[2:])
    return (f"predicted ({corners[0]})–({corners[1]}): overlap {shown(overlap)}, "
            f"union {shown(side * side)} + 16 − {shown(overlap)} = "
            f"{shown(side * side + 16 - overlap)}; "
            f"IoU = {shown(value)}, {'a hit' if value >= 0.5 else 'a miss'} at the usual 0.5.")


def test_moving_the_box_moves_the_iou(base_url, page):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    readout = root.locator(".figure-readout")
    assert readout.inner_text() == expected(0, 0, 4)
    assert "IoU = 0.143, a miss" in readout.inner_text()  # the lesson's worked example
    x = root.get_by_role("slider", name="predicted box: left x", exact=True)
    y = root.get_by_role("slider", name="predicted box: bottom y", exact=True)
    side = root.get_by_role("slider", name="predicted box: side", exact=True)
    x.fill("2")
    y.fill("2")
    assert "IoU = 1, a hit" in readout.inner_text()
    x.fill("3.3")
    assert readout.inner_text() == expected(3.3, 2, 4)
    assert "IoU = 0.509, a hit" in readout.inner_text()
    x.focus()
    page.keyboard.press("ArrowRight")  # one step of 0.1
    assert readout.inner_text() == expected(3.4, 2, 4)
    assert "IoU = 0.481, a miss" in readout.inner_text()
    x.fill("1")
    y.fill("1")
    side.fill("5.7")
    assert readout.inner_text() == expected(1, 1, 5.7)
    assert "IoU = 0.492, a miss" in readout.inner_text()
    x.fill("6")  # no overlap at all
    assert readout.inner_text() == expected(6, 1, 5.7)
    assert not console_errors


def test_the_pure_function_matches(base_url, page):
    open_figure(page, base_url, LESSON, FIGURE)
    boxes = [[0, 0, 4, 4], [1, 1, 5, 5], [2.5, 0.5, 7, 3], [6, 6, 8, 8], [0, 0, 8, 8]]
    got = page.evaluate(
        "(boxes) => boxes.map((b) => window.dlFigures['iou-boxes'].iou(b, [2, 2, 6, 6]).iou)",
        boxes)
    assert got == pytest.approx([iou(tuple(b), TRUE_BOX) for b in boxes], abs=1e-12)
    assert got[1] == pytest.approx(9 / 23)  # shifted one unit both ways: overlap 9 of 23


ORANGE_ON_THE_GRIDS_EDGE = """(root) => {
    // The predicted box's dashed orange stroke along the grid's right edge (x = 8), above
    // y = 6: pixels there are orange only if a box edge is drawn at 8.
    const canvas = root.querySelector("canvas"), ratio = window.devicePixelRatio || 1;
    const side = canvas.width / ratio, pad = 18, unit = (side - 2 * pad) / 8;
    const ctx = canvas.getContext("2d");
    const x = Math.round((pad + 8 * unit) * ratio), y0 = Math.round((pad + 0.1 * unit) * ratio);
    const data = ctx.getImageData(x - 1, y0, 3, Math.round(1.8 * unit * ratio)).data;
    let orange = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i] > 180 && data[i + 1] > 80 && data[i + 1] < 160 && data[i + 2] < 90) orange++;
    }
    return orange;
}"""


def test_a_box_past_the_grid_is_cut_not_squeezed(base_url, page):
    """Left 6, bottom 6, side 8 ends at 14: no edge of it is drawn at the grid's edge, 8; a box
    that does end at 8 (left and bottom 4, side 4) draws one there."""
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    x = root.get_by_role("slider", name="predicted box: left x", exact=True)
    y = root.get_by_role("slider", name="predicted box: bottom y", exact=True)
    side = root.get_by_role("slider", name="predicted box: side", exact=True)
    x.fill("4")
    y.fill("4")
    assert root.evaluate(ORANGE_ON_THE_GRIDS_EDGE) > 0
    x.fill("6")
    y.fill("6")
    side.fill("8")
    assert readout_text(root).startswith("predicted (6, 6)–(14, 14)")
    assert root.evaluate(ORANGE_ON_THE_GRIDS_EDGE) == 0
    assert not console_errors


def readout_text(root) -> str:
    return root.locator(".figure-readout").inner_text()


def test_the_figure_fits_a_desktop_and_a_phone(base_url, browser, screenshot):
    shoot_both_sizes(browser, screenshot, base_url, LESSON, FIGURE)
