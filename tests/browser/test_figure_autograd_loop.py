"""The frameworks lesson's autograd-loop figure in Chromium: each button makes one call of
PyTorch's training loop, and what the figure then shows (the loss, w, b and their .grad, or the
error) is what the same calls give in torch (tests/lessons/claims/test_claims_frameworks_autograd.py
replays them). It fits a desktop and a phone screen without a console error."""

import pytest

from tests.browser.figure_page import load_lessons, open_figure, shoot_both_sizes, shown
from tests.lessons.claims.test_claims_frameworks_autograd import GRAD_FNS, SEQUENCES, replay

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LESSON = "deep-learning-frameworks"
FIGURE = "autograd-loop"
BUTTONS = {
    "forward": "loss = (w * x + b - y) ** 2",
    "backward": "loss.backward()",
    "step": "optimizer.step()",
    "zeroGrad": "optimizer.zero_grad()",
}


@pytest.fixture
def base_url(live_platform):
    return load_lessons(live_platform)


def grad(value) -> str:
    return "None" if value is None else shown(value)


def expected(calls: list[str]) -> str:
    """The readout after the calls that did not fail (a failed call changes nothing)."""
    state = replay(calls)
    if "error" in state:
        state = replay(calls[:-1])
    # The loss shown is the last forward pass's; "freed" once backward() went through it.
    forwards = [i for i, c in enumerate(calls) if c == "forward"]
    if not forwards:
        graph, loss = "no graph yet", "–"
    else:
        after = calls[forwards[-1] + 1:]
        graph = "graph freed" if "backward" in after else "graph recorded"
        loss = shown(replay(calls[:forwards[-1] + 1])["loss"])
    return (f"w = {shown(state['w'])}, b = {shown(state['b'])}; w.grad = {grad(state['wGrad'])}, "
            f"b.grad = {grad(state['bGrad'])}; loss = {loss} ({graph}).")


def test_each_call_does_what_pytorch_does(base_url, page):
    root, console_errors = open_figure(page, base_url, LESSON, FIGURE)
    readout = root.locator(".figure-readout")
    said = root.locator(".autograd-said")
    assert readout.inner_text() == expected([])
    # backward() before any forward pass: Python's NameError, shown as an error, no change.
    root.get_by_role("button", name=BUTTONS["backward"], exact=True).click()
    assert said.inner_text().startswith("NameError: name 'loss' is not defined")
    assert "autograd-error" in said.get_attribute("class")
    assert readout.inner_text() == expected([])
    # Each row names the grad_fn torch records for its operation.
    rows = root.locator("table tbody tr")
    assert [rows.nth(i).locator("small").first.inner_text() for i in range(4)] == GRAD_FNS
    made: list[str] = []
    for call in ["forward", "backward", "step", "forward", "backward"]:
        root.get_by_role("button", name=BUTTONS[call], exact=True).click()
        made.append(call)
        assert readout.inner_text() == expected(made), made
    # The lesson's numbers: w.grad −8 after the first backward(), −12 after the second.
    assert "w.grad = −12, b.grad = −6" in readout.inner_text()
    # The graph was freed: a second backward() is PyTorch's RuntimeError, and changes nothing.
    root.get_by_role("button", name=BUTTONS["backward"], exact=True).click()
    assert said.inner_text().startswith(
        "RuntimeError: Trying to backward through the graph a second time")
    assert readout.inner_text() == expected(made)
    # From the keyboard: zero_grad() sets the gradients to None.
    root.get_by_role("button", name=BUTTONS["zeroGrad"], exact=True).focus()
    page.keyboard.press("Enter")
    made.append("zeroGrad")
    assert readout.inner_text() == expected(made)
    assert "w.grad = None" in readout.inner_text()
    # The table shows each operation's local derivative and what backward() passed back.
    root.get_by_role("button", name=BUTTONS["forward"], exact=True).click()
    root.get_by_role("button", name=BUTTONS["backward"], exact=True).click()
    made += ["forward", "backward"]
    assert readout.inner_text() == expected(made)
    rows = root.locator("table tbody tr")
    passed = replay(made)["wGrad"]  # zero_grad() before: this backward()'s own ∂loss/∂w
    assert rows.nth(0).inner_text().endswith(f"passed back: ∂loss/∂w = {shown(passed)}")
    assert "∂loss/∂d = 2d = " in rows.nth(3).inner_text()
    root.get_by_role("button", name=BUTTONS["backward"], exact=True).click()  # freed: an error
    assert "autograd-error" in said.get_attribute("class")
    root.get_by_role("button", name="Start again", exact=True).click()
    assert readout.inner_text() == expected([])
    assert said.inner_text() == "Start with the forward pass, then call backward()."
    assert "autograd-error" not in said.get_attribute("class")  # the hint is not shown as one
    assert not console_errors


REPLAY = """(calls) => {
    const s = window.dlFigures["autograd-loop"].replay(calls);
    return {w: s.w, b: s.b, wGrad: s.wGrad, bGrad: s.bGrad,
            loss: s.graph ? s.graph.loss : null, error: s.error ?? null};
}"""


def test_the_pure_replay_matches_torch(base_url, page):
    open_figure(page, base_url, LESSON, FIGURE)
    for calls in SEQUENCES:
        got = page.evaluate(REPLAY, calls)
        want = replay(calls)
        for key in ("w", "b", "wGrad", "bGrad", "loss"):
            if want[key] is None:
                assert got[key] is None, (calls, key)
            else:
                assert got[key] == pytest.approx(want[key], abs=1e-6), (calls, key)
        assert got["error"] == want.get("error"), calls


def test_the_figure_fits_a_desktop_and_a_phone(base_url, browser, screenshot):
    shoot_both_sizes(browser, screenshot, base_url, LESSON, FIGURE)
