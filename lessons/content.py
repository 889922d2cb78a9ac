"""Lesson content as files: read and validate them, without touching the database.

    content/<course-slug>/course.yaml                        the course and its modules
    content/<course-slug>/<module-slug>/<NN>-<lesson>.md     one lesson: YAML front matter + body

Every problem is reported as "<file>: <field>: <reason>" and all of them are collected, so an
author fixes a whole batch in one go. `lessons.loader` writes what this module returns.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from lessons.challenge_rules import validate_challenge
from lessons.content_fields import Problems, check_keys, text_field
from lessons.labs import normalize_preset, validate_tunable
from lessons.models import ChallengeOp, LessonStatus, QuestionKind
from lessons.prediction_content import read_predictions

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?(.*)\Z", re.DOTALL | re.MULTILINE
)
_LESSON_FILE = re.compile(r"^(\d+)-([-a-zA-Z0-9_]+)\.md$")

COURSE_KEYS = {"title", "slug", "summary", "order", "is_published", "modules"}
MODULE_KEYS = {"slug", "title", "order"}
LESSON_KEYS = {"title", "slug", "summary", "order", "status", "labs", "quiz"}
LAB_KEYS = {
    "title", "slug", "order", "instructions", "preset_config", "tunable", "challenge",
    "predictions",
}
CHALLENGE_KEYS = {"goal", "also", "max_params", "bounds"}
GOAL_KEYS = {"metric", "op", "value"}
QUIZ_KEYS = {"title", "pass_mark", "questions"}
QUESTION_KEYS = {"kind", "prompt", "explanation", "choices", "answer", "tolerance"}
CHOICE_KEYS = {"text", "correct"}


class ContentError(Exception):
    """The content does not validate; `.problems` lists every "<file>: <field>: <reason>"."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LessonSpec:
    path: str
    module_slug: str
    data: dict  # normalized: every field present, lab presets normalized by the engine
    body: str


@dataclass
class CourseSpec:
    path: str
    data: dict  # normalized course fields with "modules": [{slug, title, order}, ...]
    lessons: list[LessonSpec] = field(default_factory=list)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _present(items) -> list:
    return [item for item in items if item is not None]


def _slug(problems, path, where, value) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        problems.add(path, where, f"must be a slug of letters, digits, - and _ (got {value!r})")
        return ""
    return value


def _order(problems, path, where, value, default: int) -> int:
    if value is None:
        return default
    if not _is_int(value) or value < 0:
        problems.add(path, where, "must be a whole number ≥ 0")
        return default
    return value


def _read_course(problems, course_dir: Path, rel: str) -> dict | None:
    try:
        data = yaml.safe_load((course_dir / "course.yaml").read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.add(rel, "", f"not valid YAML: {exc}")
        return None
    if not isinstance(data, dict):
        problems.add(rel, "", "must be a YAML mapping")
        return None
    check_keys(problems, rel, "", data, COURSE_KEYS)
    slug = data.get("slug", course_dir.name)
    if slug != course_dir.name:
        problems.add(rel, "slug", f"must match the directory name {course_dir.name!r}")
    course = {
        "slug": _slug(problems, rel, "slug", slug),
        "title": text_field(problems, rel, "", data, "title"),
        "summary": text_field(problems, rel, "", data, "summary", required=False),
        "order": _order(problems, rel, "order", data.get("order"), 0),
        "is_published": data.get("is_published", True),
        "modules": [],
    }
    if not isinstance(course["is_published"], bool):
        problems.add(rel, "is_published", "must be true or false")
    modules = data.get("modules")
    if not isinstance(modules, list) or not modules:
        problems.add(rel, "modules", "must be a non-empty list")
        return course
    for i, module in enumerate(modules):
        where = f"modules[{i}]."
        if not isinstance(module, dict):
            problems.add(rel, f"modules[{i}]", "must be a mapping with slug and title")
            continue
        check_keys(problems, rel, where, module, MODULE_KEYS)
        course["modules"].append(
            {
                "slug": _slug(problems, rel, f"{where}slug", module.get("slug")),
                "title": text_field(problems, rel, where, module, "title"),
                "order": _order(problems, rel, f"{where}order", module.get("order"), i + 1),
            }
        )
    slugs = [m["slug"] for m in course["modules"]]
    for dup in sorted({s for s in slugs if s and slugs.count(s) > 1}):
        problems.add(rel, "modules", f"slug {dup!r} is used twice")
    return course


def _read_lab(problems, rel: str, i: int, lab: Any) -> dict | None:
    where = f"labs[{i}]."
    if not isinstance(lab, dict):
        problems.add(rel, f"labs[{i}]", "must be a mapping")
        return None
    check_keys(problems, rel, where, lab, LAB_KEYS)
    spec: dict[str, object] = {
        "title": text_field(problems, rel, where, lab, "title"),
        "slug": _slug(problems, rel, f"{where}slug", lab.get("slug")),
        "order": _order(problems, rel, f"{where}order", lab.get("order"), i + 1),
        "instructions": text_field(problems, rel, where, lab, "instructions", required=False),
        "preset_config": {},
        "tunable": lab.get("tunable") or {},
        "challenge": None,
        "predictions": [],
    }
    if "preset_config" not in lab:
        problems.add(rel, f"{where}preset_config", "is required")
        return spec
    preset, errors = normalize_preset(lab["preset_config"])
    for config_path, reason in errors.items():
        problems.add(rel, f"{where}preset_config.{config_path}", reason)
    if errors:
        return spec
    spec["preset_config"] = preset
    for config_path, reason in validate_tunable(spec["tunable"], preset).items():
        problems.add(rel, f"{where}tunable.{config_path}", reason)
    if lab.get("challenge") is not None:
        spec["challenge"] = _read_challenge(problems, rel, f"{where}challenge", lab["challenge"],
                                            spec)
    if lab.get("predictions") is not None:
        spec["predictions"] = read_predictions(problems, rel, f"{where}predictions",
                                               lab["predictions"], spec)
    return spec


def _read_challenge(problems, rel: str, where: str, data: Any, lab: dict) -> dict | None:
    """`challenge: {goal: {metric, op, value}, also: {metric, op, value}, max_params,
    bounds}` under a lab (`also`, a second condition the run must meet, is optional)."""
    if not isinstance(data, dict) or not isinstance(data.get("goal"), dict):
        problems.add(rel, where, "must be a mapping with goal: {metric, op, value}")
        return None
    check_keys(problems, rel, f"{where}.", data, CHALLENGE_KEYS)
    metric, op, target = _condition(problems, rel, f"{where}.goal", data["goal"])
    also = data.get("also")
    if also is not None and not isinstance(also, dict):
        problems.add(rel, f"{where}.also", "must be a mapping {metric, op, value}")
    also_metric, also_op, also_target = (
        _condition(problems, rel, f"{where}.also", also) if isinstance(also, dict)
        else ("", ChallengeOp.AT_LEAST.value, None))
    spec = {
        "metric": metric, "op": op, "target": target,
        "max_params": data.get("max_params"),
        "bounds": data.get("bounds") or {},
        "also_metric": also_metric or "", "also_op": also_op, "also_target": also_target,
    }
    max_params = spec["max_params"]
    if max_params is not None and (not _is_int(max_params) or max_params < 1):
        problems.add(rel, f"{where}.max_params", "must be a whole number ≥ 1")
    rules = SimpleNamespace(preset_config=lab["preset_config"], tunable=lab["tunable"])
    names = {"metric": "goal.metric", "target": "goal.value", "bounds": "bounds",
             "also_metric": "also.metric", "also_target": "also.value"}
    found = validate_challenge(
        metric=spec["metric"], target=spec["target"], bounds=spec["bounds"], lab=rules,
        also_metric=spec["also_metric"], also_target=spec["also_target"],
    )
    for key, reason in found.items():
        problems.add(rel, f"{where}.{names[key]}", reason)
    return spec


def _condition(problems, rel: str, where: str, data: dict) -> tuple:
    """(metric, op, target) of a `{metric, op, value}` mapping, its keys and op checked."""
    check_keys(problems, rel, f"{where}.", data, GOAL_KEYS)
    op = data.get("op", ChallengeOp.AT_LEAST.value)
    if op not in ChallengeOp.values:
        problems.add(rel, f"{where}.op", f"must be one of {', '.join(ChallengeOp.values)}")
    value = data.get("value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = float(value)
    return data.get("metric"), op, value


def _read_question(problems, rel: str, i: int, q: Any) -> dict | None:
    where = f"quiz.questions[{i}]."
    if not isinstance(q, dict):
        problems.add(rel, f"quiz.questions[{i}]", "must be a mapping")
        return None
    check_keys(problems, rel, where, q, QUESTION_KEYS)
    kind = q.get("kind")
    if kind not in QuestionKind.values:
        problems.add(rel, f"{where}kind", f"must be one of {', '.join(QuestionKind.values)}")
    spec = {
        "order": i + 1,
        "kind": kind,
        "prompt": text_field(problems, rel, where, q, "prompt"),
        "explanation": text_field(problems, rel, where, q, "explanation", required=False),
        "answer": None,
        "tolerance": 0.0,
        "choices": [],
    }
    if kind == QuestionKind.NUMERIC:
        if not _is_number(q.get("answer")):
            problems.add(rel, f"{where}answer", "a numeric question needs a number as answer")
        else:
            spec["answer"] = float(q["answer"])
        tolerance = q.get("tolerance", 0)
        if not _is_number(tolerance) or tolerance < 0:
            problems.add(rel, f"{where}tolerance", "must be a number ≥ 0")
        else:
            spec["tolerance"] = float(tolerance)
        if q.get("choices"):
            problems.add(rel, f"{where}choices", "a numeric question has no choices")
        return spec
    for key in ("answer", "tolerance"):
        if key in q:
            problems.add(rel, f"{where}{key}", "only numeric questions have one")
    choices = q.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        problems.add(rel, f"{where}choices", "needs a list of at least 2 choices")
        return spec
    for j, choice in enumerate(choices):
        cwhere = f"{where}choices[{j}]"
        if not isinstance(choice, dict):
            problems.add(rel, cwhere, "must be a mapping with text (and correct: true)")
            continue
        check_keys(problems, rel, f"{cwhere}.", choice, CHOICE_KEYS)
        correct = choice.get("correct", False)
        if not isinstance(correct, bool):
            problems.add(rel, f"{cwhere}.correct", "must be true or false")
        text = text_field(problems, rel, f"{cwhere}.", choice, "text")
        spec["choices"].append({"order": j + 1, "text": text, "is_correct": correct is True})
    n_correct = sum(c["is_correct"] for c in spec["choices"])
    if kind == QuestionKind.SINGLE and n_correct != 1:
        problems.add(
            rel,
            f"{where}choices",
            f"a single-choice question needs exactly one correct choice (has {n_correct})",
        )
    if kind == QuestionKind.MULTIPLE and n_correct < 1:
        problems.add(
            rel, f"{where}choices", "a multiple-choice question needs at least one correct choice"
        )
    return spec


def _read_quiz(problems, rel: str, quiz: Any) -> dict | None:
    if quiz is None:
        return None
    if not isinstance(quiz, dict):
        problems.add(rel, "quiz", "must be a mapping with pass_mark and questions")
        return None
    check_keys(problems, rel, "quiz.", quiz, QUIZ_KEYS)
    pass_mark = quiz.get("pass_mark", 60)
    if not _is_int(pass_mark) or not 0 <= pass_mark <= 100:
        problems.add(rel, "quiz.pass_mark", "must be a whole percent from 0 to 100")
    questions = quiz.get("questions")
    if not isinstance(questions, list) or not questions:
        problems.add(rel, "quiz.questions", "must be a non-empty list")
        questions = []
    return {
        "title": text_field(problems, rel, "quiz.", quiz, "title", required=False)
        or "Check your understanding",
        "pass_mark": pass_mark,
        "questions": _present(_read_question(problems, rel, i, q) for i, q in enumerate(questions)),
    }


def _read_lesson(problems, file: Path, rel: str, module_slug: str) -> LessonSpec | None:
    match = _LESSON_FILE.match(file.name)
    if not match:
        problems.add(rel, "", "lesson files are named <NN>-<lesson-slug>.md")
        return None
    m = _FRONT_MATTER.match(file.read_text(encoding="utf-8"))
    if not m:
        problems.add(rel, "", "must start with YAML front matter between --- lines")
        return None
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        problems.add(rel, "front matter", f"not valid YAML: {exc}")
        return None
    if not isinstance(meta, dict):
        problems.add(rel, "front matter", "must be a YAML mapping")
        return None
    check_keys(problems, rel, "", meta, LESSON_KEYS)
    status = meta.get("status", LessonStatus.PUBLISHED)
    if status not in LessonStatus.values:
        problems.add(rel, "status", f"must be one of {', '.join(LessonStatus.values)}")
    labs = meta.get("labs") or []
    if not isinstance(labs, list):
        problems.add(rel, "labs", "must be a list")
        labs = []
    data = {
        "title": text_field(problems, rel, "", meta, "title"),
        "slug": _slug(problems, rel, "slug", meta.get("slug", match.group(2))),
        "summary": text_field(problems, rel, "", meta, "summary", required=False),
        "order": _order(problems, rel, "order", meta.get("order"), int(match.group(1))),
        "status": status,
        "labs": _present(_read_lab(problems, rel, i, lab) for i, lab in enumerate(labs)),
        "quiz": _read_quiz(problems, rel, meta.get("quiz")),
    }
    lab_slugs = [lab["slug"] for lab in data["labs"]]
    for dup in sorted({s for s in lab_slugs if s and lab_slugs.count(s) > 1}):
        problems.add(rel, "labs", f"slug {dup!r} is used twice")
    return LessonSpec(path=rel, module_slug=module_slug, data=data, body=m.group(2).strip() + "\n")


def read_content(root: Path) -> list[CourseSpec]:
    """Read and validate every course under `root`; raise ContentError listing all problems."""
    root = Path(root)
    problems = Problems()
    if not root.is_dir():
        raise ContentError([f"{root}: not a directory"])
    courses: list[CourseSpec] = []
    for course_dir in sorted(p for p in root.iterdir() if (p / "course.yaml").is_file()):
        rel = str((course_dir / "course.yaml").relative_to(root.parent))
        course = _read_course(problems, course_dir, rel)
        if course is None:
            continue
        spec = CourseSpec(path=rel, data=course)
        known = {m["slug"] for m in course["modules"]}
        for sub in sorted(p for p in course_dir.iterdir() if p.is_dir()):
            files = sorted(sub.glob("*.md"))
            if files and sub.name not in known:
                problems.add(
                    str(sub.relative_to(root.parent)),
                    "",
                    f"module {sub.name!r} is not listed in course.yaml",
                )
                continue
            for file in files:
                lesson_rel = str(file.relative_to(root.parent))
                lesson = _read_lesson(problems, file, lesson_rel, sub.name)
                if lesson is not None:
                    spec.lessons.append(lesson)
        courses.append(spec)
    if not courses and not problems.items:
        problems.add(str(root), "", "no <course>/course.yaml found")
    seen: dict[str, str] = {}
    for course in courses:
        for lesson in course.lessons:
            slug = lesson.data["slug"]
            if slug and slug in seen:
                problems.add(lesson.path, "slug", f"{slug!r} is already used by {seen[slug]}")
            seen.setdefault(slug, lesson.path)
    if problems.items:
        raise ContentError(problems.items)
    return courses
