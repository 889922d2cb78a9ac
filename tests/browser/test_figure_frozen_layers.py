"""The transfer-learning lesson's frozen-layers figure in Chromium: freezing the first blocks
of the labs' CNN (as the engine builds it, blocks from engine/transfer.py) and of ResNet-18,
with the trainable and frozen counts recomputed here from the models' own parameters."""

import pytest

from engine import parse_config
from engine.models import build_model
from engine.transfer import hidden_blocks
from tests.browser.figure_page import check_phone_width, load_lessons, open_figure, snap
from tests.lessons.claims.support import PRESETS
from tests.lessons.claims.test_claims_lesson_figures import resnet18_block_params

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON, FIGURE = "transfer-learning", "frozen-layers"


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def lab_blocks() -> tuple[list[int], int]:
    config = parse_config(PRESETS["transfer-frozen"])
    model = build_model(config.model, config.data)
    blocks = [sum(p.numel() for m in block for p in m.parameters())
              for block in hidden_blocks(model)]
    return blocks, sum(p.numel() for p in model.parameters())


def grouped(n: int) -> str:
    return f"{n:,}".replace(",", "\u2009")


def expected(label: str, blocks: list[int], total: int, frozen: int) -> str:
    frozen_params = sum(blocks[:frozen])
    share = 100 * (total - frozen_params) / total
    digits = 3 if share < 0.1 else 2 if share < 10 else 1
    percent = f"{share:.{digits}f}".rstrip("0").rstrip(".")
    return (f"{label[0].upper()}{label[1:]}, {frozen} of {len(blocks)} blocks frozen: "
            f"{grouped(total - frozen_params)} of {grouped(total)} parameters trainable "
            f"({percent}%), {grouped(frozen_params)} frozen.")


def test_freezing_blocks_moves_the_trainable_count(base_url, page, screenshot):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    readout = root.locator(".figure-readout")
    blocks, total = lab_blocks()
    # Opens as the feature-extraction lab: both blocks frozen, 645 of 5541 trainable.
    assert readout.inner_text() == expected("the labs' CNN", blocks, total, 2)
    assert "645 of 5\u2009541" in readout.inner_text()
    assert root.locator("li").all_inner_texts()[0].endswith("frozen, reused as it is")
    frozen = root.get_by_role("slider", name="blocks frozen", exact=True)
    frozen.focus()
    page.keyboard.press("ArrowLeft")  # the first block frozen, as the `freeze: 1` lab
    assert readout.inner_text() == expected("the labs' CNN", blocks, total, 1)
    assert "(96.5%)" in readout.inner_text()
    assert root.locator("li").all_inner_texts()[1].endswith("reused, fine-tuned")
    snap(screenshot, page, root, "figure-frozen-layers")
    frozen.fill("0")
    assert readout.inner_text() == expected("the labs' CNN", blocks, total, 0)

    resnet = resnet18_block_params()
    root.get_by_role("radio", name="ResNet-18", exact=True).check()
    head = 512 * 3 + 3
    assert readout.inner_text() == expected("ResNet-18", resnet, sum(resnet) + head, 0)
    frozen.fill("5")
    assert readout.inner_text() == expected("ResNet-18", resnet, sum(resnet) + head, 5)
    assert "(0.014%)" in readout.inner_text()  # the lesson's share with only the head training
    frozen.fill("4")
    assert "(75.1%)" in readout.inner_text()  # layer4 unfrozen: the lesson's 75%
    frozen.fill("3")
    assert readout.inner_text() == expected("ResNet-18", resnet, sum(resnet) + head, 3)
    assert "(93.9%)" in readout.inner_text()
    snap(screenshot, page, root, "figure-frozen-layers-resnet18")
    root.get_by_role("radio", name="the labs' CNN", exact=True).check()
    assert readout.inner_text() == expected("the labs' CNN", blocks, total, 2)  # 3 capped at 2
    assert not console_errors


def test_the_figure_fits_a_phone_screen(base_url, browser, screenshot):
    check_phone_width(browser, screenshot, base_url, LESSON, FIGURE)
