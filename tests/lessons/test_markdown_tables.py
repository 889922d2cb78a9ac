"""Tables, display formulas and code blocks in lessons scroll inside their own box on a
narrow screen, and a keyboard can scroll them."""

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
