"""Every number a lesson prints is checked by a claims test, or said not to be a measurement.

A learner cannot tell a measured number from a remembered one, so each number in a lesson's
prose must be accounted for by one of:

1. a CLAIMS value of one of the lesson's own labs: an entry of a module-level list whose name
   ends in ``CLAIMS`` in ``tests/lessons/claims/test_claims_<module>.py``, shaped either
   ``(lab_slug, changes, field, quoted, tolerance)`` (the quoted value covers) or
   ``(lab_slug, changes, {field: quoted or [quoted, ...]})`` (every quoted value covers); the
   values in ``changes`` (the settings the text tells the learner to use) cover too;
2. a value of the lesson's lab presets or tunable bounds, as written in the lesson file;
3. ``NOT_MEASURED = {"<lesson-slug>": {"1958": "a date", ...}}`` in any claims module, with a
   reason (dates, formula constants, hand-worked arithmetic of the lesson's own examples);
4. ``CHECKED_BY = {"<lesson-slug>": {"12.56": "<test function>"}}`` in a claims module: that
   module's test function must exist and assert the number, i.e. the number's value (or that
   value times or divided by 100: "4.5 points" is 0.045) must be a numeric literal in its code
   (its docstring does not count), or in a module-level constant or helper function it uses.

What counts as a number in the prose (the lesson's title and summary, the body, the labs'
titles and instructions, the quiz prompts, choices and explanations, and the same of the labs'
predict-then-run questions):

- math (``$...$``, ``$$...$$``) and code (fenced blocks, figures, `inline`) are cut out the
  way the page renderer cuts them (``lessons.markdown``); so are link targets and URLs;
- a number is a run of digits with an optional decimal part and exponent (``0.0003``,
  ``1e-4``); digit groups joined by a space, a thin space or a comma make one number
  (``17 154`` is 17154); a ``%`` after it divides it by 100, so ``87%``, ``87.0%`` and ``0.87``
  are the same value and match each other at the printed precision (``86.5%`` is 0.865 and
  is not matched by a claim of 0.87);
- every number of a phrase stands alone: "7 of 8 seeds" needs 7 and 8, "45/8 of 100" needs
  45, 8 and 100, "6 per digit" needs 6;
- signs are ignored (the words usually carry them: "falls by 0.2");
- not numbers: digits glued to a letter before them (L2, F1, conv1, x₂ written as x2),
  superscripts (0.25⁵ is 0.25), ordinals (1st, 2nd, 3rd, 4th), 2D/3D, and the markers of an
  ordered list ("1. Press Train").

An entry of NOT_MEASURED or CHECKED_BY whose number is no longer in the lesson, or whose lesson
does not exist, is reported as stale. Each lesson is its own test, so a failure names the
lesson and lists every uncovered number with the words around it.
"""

import ast
import importlib
import inspect
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from django.conf import settings

from lessons.content import _FRONT_MATTER, read_content
from lessons.markdown import _TOKEN as MARKDOWN_MATH_AND_CODE

CONTENT = Path(settings.BASE_DIR) / "content"
CLAIMS_PACKAGE = "tests.lessons.claims"
CLAIMS_DIR = Path(__file__).parent / "claims"

_LINK_TARGET = re.compile(r"\]\([^)]*\)|<?https?://\S+")
_LIST_MARKER = re.compile(r"^[ \t]*\d+[.)][ \t]", re.MULTILINE)
_GROUP = r"[ \u00a0\u2009\u202f,]"
_NUMBER = re.compile(
    r"(?<![\w.])"  # not glued to a name (L2, conv1) nor a version's tail (1.2.3)
    rf"(?P<digits>\d{{1,3}}(?:{_GROUP}\d{{3}})+(?![\d.])|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"(?P<percent>[ \u00a0]?%)?"
    r"(?!st\b|nd\b|rd\b|th\b|D\b|\d)"
)


@dataclass(frozen=True)
class PrintedNumber:
    text: str  # as printed, groups joined: "17154", "87%", "0.0003"
    value: Decimal  # "87%" -> 0.87
    where: str  # "body", "quiz 3 prompt", ...
    context: str  # the words around it, for the failure message


def to_decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return abs(Decimal(repr(value) if isinstance(value, float) else str(value)))
    except InvalidOperation:
        return None


def key_value(key: str) -> Decimal | None:
    """A registry key ("0.87", "87%", "17 154") as a value."""
    found = list(_NUMBER.finditer(key.strip()))
    return printed_value(found[0]) if len(found) == 1 else None


def printed_value(match: re.Match) -> Decimal:
    value = Decimal(re.sub(_GROUP, "", match["digits"]))
    return value / 100 if match["percent"] else value


def prose(text: str) -> str:
    """The text a learner reads as words: math, code, link targets and list markers cut out."""
    text = MARKDOWN_MATH_AND_CODE.sub(" ", text)
    text = _LINK_TARGET.sub(" ", text)
    return _LIST_MARKER.sub(" ", text)


def numbers_in(text: str, where: str) -> list[PrintedNumber]:
    text = prose(text)
    found = []
    for match in _NUMBER.finditer(text):
        digits = re.sub(_GROUP, "", match["digits"])
        around = " ".join(text[max(0, match.start() - 40): match.end() + 40].split())
        found.append(PrintedNumber(digits + ("%" if match["percent"] else ""),
                                   printed_value(match), where, around))
    return found


def numeric_leaves(value) -> list[Decimal]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in numeric_leaves(item)]
    if isinstance(value, list | tuple):
        return [n for item in value for n in numeric_leaves(item)]
    number = to_decimal(value) if isinstance(value, int | float) else None
    return [number] if number is not None else []


# -- the lessons ------------------------------------------------------------------------------

@dataclass
class LessonText:
    slug: str
    path: str
    labs: list[str]
    config_values: set[Decimal]
    numbers: list[PrintedNumber]


def read_lessons() -> list[LessonText]:
    lessons = []
    for course in read_content(CONTENT):
        for lesson in course.lessons:
            data = lesson.data
            raw = yaml.safe_load(
                _FRONT_MATTER.match((CONTENT.parent / lesson.path).read_text("utf-8")).group(1))
            config_values = {n for lab in raw.get("labs") or []
                             for part in ("preset_config", "tunable")
                             for n in numeric_leaves(lab.get(part) or {})}
            pieces = [(data["title"], "title"), (data["summary"], "summary"),
                      (lesson.body, "body")]
            for lab in data["labs"]:
                pieces += [(lab["title"], f"lab {lab['slug']} title"),
                           (lab["instructions"], f"lab {lab['slug']} instructions")]
                for i, q in enumerate(lab["predictions"], start=1):
                    where = f"lab {lab['slug']} prediction {i}"
                    pieces += [(q["prompt"], f"{where} prompt"),
                               (q["explanation"], f"{where} explanation")]
                    pieces += [(c["text"], f"{where} choice {j}")
                               for j, c in enumerate(q["choices"], start=1)]
            for i, q in enumerate((data["quiz"] or {}).get("questions", []), start=1):
                pieces += [(q["prompt"], f"quiz {i} prompt"),
                           (q["explanation"], f"quiz {i} explanation")]
                pieces += [(c["text"], f"quiz {i} choice {j}")
                           for j, c in enumerate(q["choices"], start=1)]
            lessons.append(LessonText(
                slug=data["slug"], path=lesson.path, labs=[lab["slug"] for lab in data["labs"]],
                config_values=config_values,
                numbers=[n for text, where in pieces for n in numbers_in(text, where)]))
    return lessons


LESSONS = read_lessons()


# -- the claims modules -----------------------------------------------------------------------

def claims_modules() -> list[ModuleType]:
    return [importlib.import_module(f"{CLAIMS_PACKAGE}.{path.stem}")
            for path in sorted(CLAIMS_DIR.glob("test_claims_*.py"))]


MODULES = claims_modules()


def claimed_values() -> tuple[dict[str, set[Decimal]], list[str]]:
    """{lab slug: values its claims quote or set}, and the entries of an unknown shape."""
    by_lab: dict[str, set[Decimal]] = {}
    unknown = []
    for module in MODULES:
        for name, entries in vars(module).items():
            if not name.endswith("CLAIMS") or not isinstance(entries, list):
                continue
            for entry in entries:
                shaped = (isinstance(entry, tuple) and len(entry) in (3, 5)
                          and isinstance(entry[0], str) and isinstance(entry[1], dict))
                if not shaped:
                    unknown.append(f"{module.__name__}.{name}: {entry!r}")
                    continue
                quoted = entry[3] if len(entry) == 5 else entry[2]
                by_lab.setdefault(entry[0], set()).update(
                    numeric_leaves(entry[1]) + numeric_leaves(quoted))
    return by_lab, unknown


CLAIMED, UNKNOWN_SHAPES = claimed_values()


def registry(name: str) -> dict[str, list[tuple[ModuleType, str, str]]]:
    """{lesson slug: [(module, number key, reason or test name)]} over all claims modules."""
    merged: dict[str, list] = {}
    for module in MODULES:
        for lesson_slug, entries in getattr(module, name, {}).items():
            merged.setdefault(lesson_slug, []).extend(
                (module, key, note) for key, note in entries.items())
    return merged


NOT_MEASURED = registry("NOT_MEASURED")
CHECKED_BY = registry("CHECKED_BY")


def _constants(node: ast.AST) -> set[Decimal]:
    body = getattr(node, "body", None)
    docstring = (body[0] if isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                 and isinstance(body[0].value, ast.Constant)
                 and isinstance(body[0].value.value, str) else None)
    return {to_decimal(n.value) for n in ast.walk(node)
            if isinstance(n, ast.Constant) and n is not getattr(docstring, "value", None)
            and isinstance(n.value, int | float) and not isinstance(n.value, bool)}


def asserted_constants(module: ModuleType, function_name: str) -> set[Decimal]:
    """The numeric literals of a test function, and of the module-level constants and helper
    functions it uses (followed through the module), docstrings left out."""
    tree = ast.parse(inspect.getsource(module))
    top_level: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            top_level[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    top_level[target.id] = node
    seen, todo, values = set(), [function_name], set()
    while todo:
        name = todo.pop()
        if name in seen or name not in top_level:
            continue
        seen.add(name)
        node = top_level[name]
        values |= _constants(node)
        todo += [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    return values


def _matches(number: PrintedNumber, values: set[Decimal]) -> bool:
    return number.value in values


def _key_matches(key: str, number: PrintedNumber) -> bool:
    return key.strip() == number.text or key_value(key) == number.value


# -- the tests --------------------------------------------------------------------------------

def test_every_claims_entry_has_a_known_shape():
    assert not UNKNOWN_SHAPES, "\n".join(UNKNOWN_SHAPES)


def test_the_registries_name_real_lessons():
    slugs = {lesson.slug for lesson in LESSONS}
    unknown = sorted((set(NOT_MEASURED) | set(CHECKED_BY)) - slugs)
    assert not unknown, f"NOT_MEASURED / CHECKED_BY name lessons that do not exist: {unknown}"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_every_number_in_the_lesson_is_covered(lesson):
    claimed = set().union(*(CLAIMED.get(lab, set()) for lab in lesson.labs))
    not_measured = NOT_MEASURED.get(lesson.slug, [])
    checked_by = CHECKED_BY.get(lesson.slug, [])
    problems = []
    for module, key, reason in not_measured:
        if key_value(key) is None:
            problems.append(f'NOT_MEASURED key {key!r} ({module.__name__}) is not one number')
        if not str(reason).strip():
            problems.append(f'NOT_MEASURED "{key}" ({module.__name__}) gives no reason')
    for module, key, test_name in checked_by:
        function = getattr(module, test_name, None)
        if key_value(key) is None:
            problems.append(f'CHECKED_BY key {key!r} ({module.__name__}) is not one number')
        elif not test_name.startswith("test_") or not callable(function):
            problems.append(f'CHECKED_BY "{key}": {module.__name__} has no test {test_name!r}')
        elif not {key_value(key), key_value(key) * 100, key_value(key) / 100} & (
                asserted_constants(module, test_name)):
            problems.append(f'CHECKED_BY "{key}": {module.__name__}.{test_name} has no literal '
                            f"{key_value(key)} in its code, so it does not assert the number")

    for number in lesson.numbers:
        covered = (_matches(number, claimed) or _matches(number, lesson.config_values)
                   or any(_key_matches(key, number) for _, key, _ in not_measured)
                   or any(_key_matches(key, number) for _, key, _ in checked_by))
        if not covered:
            problems.append(f'"{number.text}" in {number.where}: …{number.context}…')

    for name, entries in (("NOT_MEASURED", not_measured), ("CHECKED_BY", checked_by)):
        for module, key, _ in entries:
            if not any(_key_matches(key, number) for number in lesson.numbers):
                problems.append(f'stale {name} entry "{key}" ({module.__name__}): the lesson no '
                                "longer prints this number")
    assert not problems, (f"{lesson.path}: {len(problems)} numbers not covered by a claims test "
                          "(see this file's docstring):\n  " + "\n  ".join(problems))


@pytest.mark.parametrize(("text", "expected"), [
    ("beats scratch on 7 of 8 seeds", ["7", "8"]),
    ("6 per digit", ["6"]),
    ("a training loss of 0.0003.", ["0.0003"]),
    ("45/8 of 100", ["45", "8", "100"]),
    ("17 154 parameters, 87% then 86.5 %", ["17154", "87%", "86.5%"]),
    ("1,437 images; 0.90, 0.85; 1e-4", ["1437", "0.90", "0.85", "1e-4"]),
    ("L2, F1, conv1, the 1st and 2D; $0.25^5$ and `lr: 0.01` [x](/runs/12/)", []),
    ("1. Press **Train** and wait 3 epochs", ["3"]),
])
def test_the_numbers_found_in_prose(text, expected):
    assert [n.text for n in numbers_in(text, "body")] == expected


def test_a_percentage_and_a_fraction_are_the_same_value_at_the_printed_precision():
    values = {n.text: n.value for n in numbers_in("87%, 87.0%, 0.87 and 86.5%", "body")}
    assert values["87%"] == values["87.0%"] == values["0.87"] == Decimal("0.87")
    assert values["86.5%"] == Decimal("0.865") != Decimal("0.87")
