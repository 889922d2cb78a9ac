"""render_markdown: Markdown + LaTeX → MathML, and nothing executable survives."""

import re

import pytest

from lessons.markdown import render_markdown, render_markdown_inline, sanitize_html

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<img src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "![x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)"><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "<style>body{display:none}</style>",
    '<div onclick="alert(1)" onmouseover="alert(1)">hover</div>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name="x"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<details open ontoggle=alert(1)>x</details>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "$x$<script>alert(1)</script>$y$",
    r"$\href{javascript:alert(1)}{x}$",
    "```\n</code></pre><script>alert(1)</script>\n```",
]

FORBIDDEN = re.compile(
    r"<\s*(script|style|iframe|object|embed|form|input|meta|base|link|svg)\b"
    r"|\son\w+\s*="
    r"|\sstyle\s*="
    r"|javascript:|vbscript:|data:",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_nothing_executable_survives(payload):
    html = render_markdown(payload)
    assert not FORBIDDEN.search(html), html


def test_xss_corpus_is_big_enough():
    assert len(XSS_PAYLOADS) >= 15


def test_safe_links_and_images_are_kept():
    html = render_markdown(
        "[a](https://example.com) [b](/courses/) [c](mailto:me@example.com) ![i](/static/x.png)"
    )
    assert 'href="https://example.com"' in html
    assert 'href="/courses/"' in html
    assert 'href="mailto:me@example.com"' in html
    assert 'src="/static/x.png"' in html
    assert 'rel="noopener noreferrer"' in html


def test_image_with_mailto_src_is_dropped():
    assert "mailto" not in render_markdown("![x](mailto:me@example.com)")


def test_inline_math_becomes_mathml():
    html = render_markdown(r"The fraction $\frac{a}{b}$ here.")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"' in html
    assert "<mfrac>" in html


def test_display_math_is_block():
    html = render_markdown("$$\\sum_{i=1}^{n} w_i x_i + b$$")
    assert 'display="block"' in html
    assert "<munderover>" in html or "<msubsup>" in html


def test_underscores_and_asterisks_in_math_are_not_emphasis():
    html = render_markdown(r"Take $a_i * b_j$ and $x_1 + y_1$ and $c_{k}$ please")
    assert "<em>" not in html and "<strong>" not in html
    assert html.count("<msub>") == 5
    assert "<mo>*</mo>" in html or "&#x0002A;" in html


def test_escaped_dollar_is_a_literal_dollar():
    html = render_markdown(r"It costs \$5 and \$10, not $x$.")
    assert "It costs $5 and $10" in html
    assert html.count("<math") == 1


def test_plain_prices_are_not_math():
    html = render_markdown("Between $5 and $10 per month.")
    assert "<math" not in html
    assert "$5 and $10" in html


def test_math_inside_code_is_left_alone():
    html = render_markdown("`$x_1$` and\n\n```python\ncost = '$a_b$'\n```\n")
    assert "<math" not in html
    assert "<code>$x_1$</code>" in html
    assert "cost = '$a_b$'" in html
    assert 'class="language-python"' in html


def test_latex_error_shows_source_instead_of_failing():
    html = render_markdown(r"Broken: $x^$ and $\begin{pmatrix}1$ and fine: $b$")
    assert '<code class="math-error">x^</code>' in html
    assert html.count('class="math-error"') == 2
    assert html.count("<math") == 1


def test_html_in_latex_error_is_escaped():
    html = render_markdown(r"$\sqrt{<script>alert(1)</script>$ and $<b>x^$")
    assert "<script" not in html


def test_tables_and_fenced_code():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert "<table>" in html and '<td align="left">1</td>' in html
    assert "style=" not in html


def test_matrices_render():
    html = render_markdown(r"$$W = \begin{pmatrix} 0.4 & -0.6 \\ 0.3 & 0.8 \end{pmatrix}$$")
    assert "<mtable>" in html and html.count("<mtd>") == 4


def test_inline_variant_drops_paragraph():
    assert render_markdown_inline("just *this*") == "just <em>this</em>"
    assert render_markdown_inline("") == ""


def test_sanitize_html_keeps_mathml_attributes():
    html = sanitize_html('<math display="block"><mo stretchy="false" onclick="x">(</mo></math>')
    assert 'display="block"' in html and 'stretchy="false"' in html and "onclick" not in html


def test_lesson_body_html_is_rendered_on_save(lesson):
    lesson.body = "New $\\frac{1}{2}$"
    lesson.save()
    lesson.refresh_from_db()
    assert "<mfrac>" in lesson.body_html


def test_signs_are_marked_as_prefix_but_subtraction_is_not():
    html = render_markdown(r"$(-1, 1) = -0.5 + x - 2 \cdot (-3) - (4) -5$")
    assert html.count('<mo form="prefix">−</mo>') == 3
    assert html.count("<mo>−</mo>") == 3


# --- figures and code tabs: fenced blocks that become inert widget markup -----------------


def test_figure_block_becomes_a_figure_div():
    html = render_markdown("Before\n\n```figure neuron\n```\n\nAfter $x$")
    assert '<div class="figure" data-figure="neuron"></div>' in html
    assert "<p>Before</p>" in html and "<math" in html


def test_unknown_figure_is_a_visible_error_box_not_a_script():
    html = render_markdown(
        "```figure <script>alert(1)</script>\n```\n\n"
        '```figure nope"><img src=x onerror=alert(1)>\n```'
    )
    assert html.count('class="figure-error"') == 2
    assert "data-figure" not in html
    assert "<script" not in html and "<img" not in html  # shown as escaped text, never markup
    assert "&lt;script&gt;" in html


def test_raw_html_cannot_forge_a_figure_or_smuggle_attributes():
    html = render_markdown(
        '<div class="figure" data-figure="evil" onclick="alert(1)" style="x">a</div>'
        '<div class="lab-train" data-figure="neuron" role="button">b</div>'
    )
    assert 'data-figure="evil"' not in html and "lab-train" not in html
    assert 'role="button"' not in html
    assert not FORBIDDEN.search(html), html


def test_tabs_block_renders_one_escaped_code_block_per_tab():
    source = (
        "````tabs\n::: PyTorch python\nx = 1 < 2  # $not math$\n"
        "::: Keras python\n</code></pre><script>alert(1)</script>\n````\n"
    )
    html = render_markdown(source)
    assert html.count('class="code-tab"') == 2
    assert 'data-tab="PyTorch"' in html and 'data-tab="Keras"' in html
    assert '<code class="language-python">x = 1 &lt; 2  # $not math$' in html
    assert "<math" not in html
    assert not FORBIDDEN.search(html), html


def test_figure_fence_inside_a_code_block_is_left_as_code():
    html = render_markdown("````markdown\n```figure neuron\n```\n````")
    assert "data-figure" not in html and "```figure neuron" in html


def test_a_code_block_inside_a_numbered_step_stays_in_its_step():
    html = render_markdown(
        "1. **Export.** Then run:\n\n    ```python\n    cost = '$a_b$' < 1\n    ```\n\n"
        "    It prints 1.\n\n2. **Call.** Next step.\n"
    )
    assert re.search(
        r"<li>\s*<p><strong>Export.</strong> Then run:</p>\s*<pre[^>]*><code class=\"language-"
        r"python\">cost = '\$a_b\$' &lt; 1</code></pre>\s*<p>It prints 1.</p>\s*</li>\s*<li>",
        html,
    ), html
