"""Lessons read with a keyboard and a screen reader: tables, display formulas and code blocks
scroll inside their own focusable box on a narrow screen; inline formulas have a text."""

from lessons.markdown import render_markdown

TABLE = """
| epochs | train loss | validation loss |
|---|---|---|
| 10 | 0.31 | 0.35 |
"""


def test_a_table_is_wrapped_in_a_keyboard_scrollable_region():
    html = render_markdown(TABLE)
    start = html.index('<div class="table-scroll" role="region" aria-label="Table" tabindex="0">')
    assert start < html.index("<table>") < html.index("</table></div>")


def test_an_authors_own_wrapper_markup_is_still_sanitized_away():
    html = render_markdown('<div class="table-scroll" onclick="x()">hi</div>' + TABLE)
    assert "onclick" not in html
    assert html.count('class="table-scroll"') == 1  # ours, around the table only


def test_display_formulas_and_code_blocks_take_the_focus():
    html = render_markdown("$$a^2 + b^2 = c^2$$\n\n```python\nprint(1)\n```\n\nInline $x$.")
    assert '<div class="math-scroll" tabindex="0"><math' in html
    assert html.count('class="math-scroll"') == 1  # not the inline formula
    assert '<pre tabindex="0"><code class="language-python">' in html


def test_an_inline_formula_has_a_spoken_text():
    html = render_markdown("Its shape is $3 \\times 4$, then $W_1 x + b$.")
    assert 'display="inline" aria-label="3 × 4">' in html
    assert 'display="inline" aria-label="W sub 1 x + b">' in html
    assert 'aria-label="y equals w x">' in render_markdown("$y = w x$")


def test_an_authors_label_text_is_escaped():
    html = render_markdown('$x" onmouseover="alert(1)$')
    assert "onmouseover=" not in html and "&quot;" not in html


def test_a_long_inline_formula_takes_the_focus_a_short_one_does_not():
    """A browser cannot break a line inside a formula: on a phone a long inline one scrolls
    within itself (static/css/site.css), so a keyboard must be able to reach it."""
    html = render_markdown(
        "So $h_2 = \\tanh(0.5 \\cdot 0 + 0.8 \\cdot 0.462) = \\tanh(0.370) \\approx 0.354$, "
        "with $x_i^2$.")
    assert html.count('tabindex="0"') == 1
    long_formula = html[:html.index("</math>")]
    assert long_formula.startswith("<p>So <math") and 'tabindex="0">' in long_formula
