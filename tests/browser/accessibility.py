"""axe-core in the browser tests: a page's WCAG 2.1 A and AA violations, and whether it
scrolls sideways on a phone.

axe-core is vendored for the tests only (tests/browser/vendor/README.md) and injected into
the page under test, never served by the platform.
"""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """WCAG 2.1 A/AA violations of the page as it is now."""
    if not page.evaluate("() => Boolean(window.axe)"):
        # Evaluated through the browser's debugging protocol, which the page's CSP does not
        # govern: a <script> tag (add_script_tag) is inline script, which our CSP refuses.
        page.evaluate(AXE_SOURCE + "\n;undefined")
    return page.evaluate(_RUN_AXE, WCAG_21_AA)


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )


def sideways_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0: nothing to scroll).

    Measured against the viewport the test asked for, not `window.innerWidth`: an emulated
    phone widens its layout viewport to fit a too-wide page, so innerWidth hides the overflow.
    """
    width = page.viewport_size["width"]
    return page.evaluate(
        "(width) => Math.max(0, document.documentElement.scrollWidth - width)", width)
