"""The one place lesson text becomes HTML: Markdown + LaTeX math (as MathML) + sanitizing.

Pipeline:
1. Cut math (`$...$`, `$$...$$`) out of the source and put opaque placeholders in its place,
   so Markdown never sees it (`a_i * b_j` must not turn into emphasis). Code spans and fenced
   code blocks are left alone: a `$` inside code is just a dollar. `\\$` is a literal dollar.
2. Render Markdown (fenced code, tables).
3. Put each formula back as MathML from latex2mathml; a formula that does not parse is shown
   as its source in `<code class="math-error">` instead of failing the page.
4. Sanitize the whole result with nh3 against an allowlist: whatever an author (or an attacker
   with a staff account) wrote, no script, event handler, style or javascript:/data: URL
   survives.

Two fenced blocks are not code but page widgets, rendered to inert markup that
`static/js/figures/index.js` brings to life (the page loads it only when one is present):

- ```` ```figure neuron ```` → `<div class="figure" data-figure="neuron"></div>`, for a name in
  FIGURES; any other name becomes a visible error box.
- ```` ```tabs ```` with `::: Label language` lines opening each tab → one code block per tab
  in `<div class="code-tabs">`; without JavaScript they simply show one after another.
"""

import html
import re

import markdown as md
import nh3
from latex2mathml.converter import convert as latex_to_mathml

_TOKEN = re.compile(
    r"(?P<fenced>^[ ]{0,3}(?P<fence>`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^[ ]{0,3}(?P=fence)[ \t]*$|\Z))"
    r"|(?P<code>(?P<ticks>`+)[\s\S]+?(?P=ticks))"
    r"|(?P<dollar>\\\$)"
    r"|\$\$(?P<display>[\s\S]+?)\$\$"
    # Inline math as pandoc reads it: `$` not followed by a space, closed by a `$` not preceded
    # by a space and not followed by a digit, so "costs $5 or $10" stays plain text.
    r"|\$(?![\s$])(?P<inline>(?:\\.|[^\\$\n])+?)(?<!\s)\$(?!\d)",
    re.MULTILINE,
)
_PLACEHOLDER = "MATHPH{}XQZ"
_FENCED = re.compile(
    r"^[ ]{0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)\n"
    r"(?P<body>[\s\S]*?)(?:^[ ]{0,3}(?P=fence)[ \t]*$|\Z)",
    re.MULTILINE,
)
_WIDGET_INFO = re.compile(r"^(?P<kind>figure|tabs)(?:[ \t]+(?P<arg>.*?))?[ \t]*$")
_WIDGET_PLACEHOLDER = "WIDGETPH{}XQZ"
_WIDGET_PLACEHOLDER_RE = re.compile(r"(?:<p>)?WIDGETPH(\d+)XQZ(?:</p>)?")
_TAB_HEADER = re.compile(r"^:::[ \t]*(?P<label>[^\n]*?)[ \t]*$", re.MULTILINE)

# The interactive figures `static/js/figures/index.js` can mount, by name.
FIGURES = (
    "neuron",
    "activations",
    "forward-pass",
    "gradient-descent",
    "convolution",
    "threshold",
    "init-histograms",
    "optimizer-paths",
    "softmax",
    "roc-point",
    "history-timeline",
    "backprop-graph",
    "batch-noise",
    "rnn-gradient",
    "gan-discriminator",
    "bottleneck",
    "frozen-layers",
    "group-share",
    "attention",
    "attribution",
    "fairness-thresholds",
    "holdout-spread",
    "receptive-field",
    "kl-gaussian",
    "positional-encoding",
    "search-coverage",
    "polynomial-fit",
    "batch-norm",
    "weight-decay",
    "autograd-loop",
    "psi-drift",
    "iou-boxes",
)
_PLACEHOLDER_RE = re.compile(r"MATHPH(\d+)XQZ")

_TEXT_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u",
    "s", "del", "ins", "mark", "small", "sub", "sup", "abbr", "blockquote", "q", "cite",
    "ul", "ol", "li", "dl", "dt", "dd", "code", "pre", "kbd", "samp", "var", "span", "div",
    "a", "img", "figure", "figcaption", "details", "summary",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
}  # fmt: skip
# Everything latex2mathml emits.
_MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mstyle", "mtable", "mtr", "mtd", "mover", "munder",
    "munderover", "menclose", "mpadded", "mphantom", "merror", "semantics",
}  # fmt: skip
_MATHML_ATTRS = {
    "display", "displaystyle", "scriptlevel", "mathvariant", "mathsize", "mathcolor",
    "mathbackground", "stretchy", "fence", "form", "separator", "lspace", "rspace",
    "minsize", "maxsize", "movablelimits", "largeop", "symmetric", "accent", "accentunder",
    "width", "height", "depth", "voffset", "linethickness", "notation", "columnalign",
    "columnlines", "columnspacing", "columnspan", "rowalign", "rowlines", "rowspacing",
    "rowspan", "frame", "xmlns",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "div": {"class", "data-figure", "data-tab", "role"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "code": {"class"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    **{tag: _MATHML_ATTRS for tag in _MATHML_TAGS},
    "math": _MATHML_ATTRS | {"aria-label"},  # the spoken text of inline formulas
}
_CODE_CLASS = re.compile(r"^(?:language-[\w+#.-]+|math-error)$")
_DIV_CLASS = {"figure", "figure-error", "code-tabs", "code-tab"}
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|/|\.{0,2}/|#|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)

_MARKDOWN_OPTIONS = {
    # superfences rather than Python-Markdown's own fenced_code: that one reads a fence only at
    # the top level, so a code block inside a list item (a lab's numbered steps) fell out of
    # its list as a line of inline code. Highlighting stays off: the sanitizer keeps only
    # `language-*` classes, and the page styles code blocks itself.
    "extensions": ["pymdownx.highlight", "pymdownx.superfences", "tables", "sane_lists"],
    "extension_configs": {
        "tables": {"use_align_attribute": True},
        "pymdownx.highlight": {"use_pygments": False},
    },
    "output_format": "html",
}


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "div":
        if attr == "class":
            return value if value in _DIV_CLASS else None
        if attr == "data-figure":
            return value if value in FIGURES else None
        if attr == "role":
            return value if value == "note" else None
        return value  # data-tab: a label, escaped like any attribute value
    if tag == "code" and attr == "class":
        return value if _CODE_CLASS.match(value) else None
    if tag == "img" and attr == "src" and value.lower().startswith("mailto:"):
        return None
    if attr in {"href", "src"} and not _SAFE_URL.match(value.strip()):
        return None
    return value


def sanitize_html(raw: str) -> str:
    """Keep only allowlisted tags, attributes and URL schemes (http, https, mailto, relative)."""
    return nh3.clean(
        raw,
        tags=_TEXT_TAGS | _MATHML_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# A minus (or plus) sign that starts a group or follows another operator, except a closing
# fence, is a sign, not a subtraction: mark it so browsers do not space it like "a − b".
_UNARY_SIGN = re.compile(
    r"(<(?:mrow|mtd|math)\b[^>]*>|<mo\b[^>]*>(?!&#x00029;|&#x0005D;|&#x0007D;|&#x0007C;|"
    r"&#x02309;|&#x0230B;|&#x00021;)[^<]*</mo>)<mo>(&#x02212;|&#x0002B;)</mo>"
)


_SPOKEN_SYMBOLS = {
    r"\times": " × ", r"\cdot": " · ", r"\leq": " ≤ ", r"\geq": " ≥ ", r"\le": " ≤ ",
    r"\ge": " ≥ ", r"\neq": " ≠ ", r"\approx": " ≈ ", r"\to": " → ", r"\pm": " ± ",
    r"\infty": "∞", r"\left": "", r"\right": "", r"\,": " ", r"\;": " ", r"\!": "",
}
_SPOKEN_COMMAND = re.compile(r"\\([A-Za-z]+)")
_UNSPOKEN = re.compile(r"[^\w\s+\-−<>()\[\]|,.·×±≤≥≠≈→∞/']")


def _spoken(latex: str) -> str:
    """A readable text of an inline formula, e.g. `W_1 x + b` → "W sub 1 x + b"."""
    text = latex
    for command in sorted(_SPOKEN_SYMBOLS, key=len, reverse=True):
        text = text.replace(command, _SPOKEN_SYMBOLS[command])
    text = _SPOKEN_COMMAND.sub(r" \1 ", text).replace("^", " to the power ").replace("_", " sub ")
    text = text.replace("=", " equals ")
    # Words, numbers and math signs only: no quotes, colons or markup reach the attribute.
    return " ".join(_UNSPOKEN.sub(" ", text).split())


def _formula_html(latex: str, *, display: bool) -> str:
    try:
        mathml = latex_to_mathml(latex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 — any parser failure: show the source, never a 500
        return f'<code class="math-error">{html.escape(latex)}</code>'
    mathml = _UNARY_SIGN.sub(r'\1<mo form="prefix">\2</mo>', mathml)
    if not display:
        # An inline formula can be all there is in a label (a quiz choice "$3 \times 4$"),
        # and a label needs a text name: MathML alone gives it none in accessibility checks.
        label = html.escape(_spoken(latex), quote=True)
        mathml = mathml.replace('display="inline">', f'display="inline" aria-label="{label}">', 1)
    return mathml


def _protect_math(text: str) -> tuple[str, list[str]]:
    formulas: list[str] = []

    def replace(m: re.Match) -> str:
        if m.group("fenced") or m.group("code"):
            return m.group(0)
        if m.group("dollar"):
            return "&#36;"
        display = m.group("display") is not None
        formulas.append(_formula_html(m.group("display" if display else "inline"), display=display))
        return _PLACEHOLDER.format(len(formulas) - 1)

    return _TOKEN.sub(replace, text), formulas


def _figure_html(name: str) -> str:
    if name in FIGURES:
        return f'<div class="figure" data-figure="{name}"></div>'
    return (
        '<div class="figure-error" role="note">Unknown figure '
        f"<code>{html.escape(name)}</code>: nothing to show here.</div>"
    )


def _tabs_html(body: str) -> str:
    """`::: PyTorch python` opens a tab; its lines up to the next header are its code."""
    headers = list(_TAB_HEADER.finditer(body))
    tabs = []
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(body)
        code = body[header.end() + 1 : end].strip("\n")
        label, _, language = header.group("label").partition(" ")
        label = label.replace("_", " ")
        lang = f' class="language-{html.escape(language.strip())}"' if language.strip() else ""
        tabs.append(
            f'<div class="code-tab" data-tab="{html.escape(label)}">'
            f"<h4>{html.escape(label)}</h4><pre><code{lang}>{html.escape(code)}\n</code></pre></div>"
        )
    if not tabs:
        return '<div class="figure-error" role="note">A tabs block needs ::: Label lines.</div>'
    return f'<div class="code-tabs">{"".join(tabs)}</div>'


def _protect_widgets(text: str) -> tuple[str, list[str]]:
    widgets: list[str] = []

    def replace(m: re.Match) -> str:
        info = _WIDGET_INFO.match(m.group("info"))
        if info is None:  # an ordinary code block, which may itself show a widget's source
            return m.group(0)
        if info.group("kind") == "figure":
            widgets.append(_figure_html(info.group("arg") or ""))
        else:
            widgets.append(_tabs_html(m.group("body")))
        return "\n" + _WIDGET_PLACEHOLDER.format(len(widgets) - 1) + "\n"

    return _FENCED.sub(replace, text), widgets


def render_markdown(text: str) -> str:
    """Markdown with `$...$`/`$$...$$` math → sanitized HTML, safe to mark_safe in a template."""
    if not text:
        return ""
    source, widgets = _protect_widgets(text)
    source, formulas = _protect_math(source)
    # A fresh instance per call: md.Markdown keeps state and is not thread-safe.
    body = md.Markdown(**_MARKDOWN_OPTIONS).convert(source)
    body = _PLACEHOLDER_RE.sub(
        lambda m: formulas[int(m.group(1))] if int(m.group(1)) < len(formulas) else "", body
    )
    body = _WIDGET_PLACEHOLDER_RE.sub(
        lambda m: widgets[int(m.group(1))] if int(m.group(1)) < len(widgets) else "", body
    )
    return _keyboard_scrollable(sanitize_html(body))


# Our own markup, added after sanitizing: what may be wider than a phone (a table, a display
# formula, a long inline formula, a code block) scrolls inside its own box instead of
# widening the page, and can take the focus, so a keyboard can scroll it too (WCAG 2.1.1).
_TABLE_OPEN = re.compile(r"<table\b")
_TABLE_SCROLL = '<div class="table-scroll" role="region" aria-label="Table" tabindex="0">'
_DISPLAY_MATH = re.compile(r'<math\b[^>]*\bdisplay="block"[^>]*>.*?</math>', re.DOTALL)
_INLINE_MATH = re.compile(r'<math\b(?P<attrs>[^>]*\bdisplay="inline"[^>]*)>(?P<body>.*?)</math>',
                          re.DOTALL)
_TAG_OR_ENTITY = re.compile(r"<[^>]*>|&#?\w+;")
# An inline formula of this many symbols or more may be wider than a phone's 360 px column
# (a browser cannot break a line inside a formula): the stylesheet lets any inline formula
# scroll within itself, and these take the focus. Shorter ones are not tab stops.
_LONG_INLINE_SYMBOLS = 20
_PRE_OPEN = re.compile(r"<pre\b")


def _focusable_if_long(match: re.Match) -> str:
    symbols = len(re.sub(r"\s", "", _TAG_OR_ENTITY.sub("x", match.group("body"))))
    if symbols < _LONG_INLINE_SYMBOLS:
        return match.group(0)
    return f'<math{match.group("attrs")} tabindex="0">{match.group("body")}</math>'


def _keyboard_scrollable(html: str) -> str:
    html = _TABLE_OPEN.sub(lambda m: _TABLE_SCROLL + m.group(0), html)
    html = html.replace("</table>", "</table></div>")
    html = _DISPLAY_MATH.sub(
        lambda m: f'<div class="math-scroll" tabindex="0">{m.group(0)}</div>', html)
    html = _INLINE_MATH.sub(_focusable_if_long, html)
    return _PRE_OPEN.sub('<pre tabindex="0"', html)


def has_widgets(body_html: str) -> bool:
    """Whether rendered lesson HTML holds a figure or code tabs (so the page needs their JS)."""
    return 'data-figure="' in body_html or 'class="code-tabs"' in body_html


def render_markdown_inline(text: str) -> str:
    """Like render_markdown for a one-line snippet (a quiz choice): without the <p> wrapper."""
    out = render_markdown(text)
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out
