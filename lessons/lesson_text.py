"""A lesson as one readable text, so its database rows and a lesson file can be diffed.

Both sides go through the same shape (the normalized front matter `lessons.content` makes,
plus the body) and the same writer: a YAML front matter in the order an author writes it,
multi-line text as literal blocks, then the Markdown body. The diff an instructor reads
then shows only what really differs, line by line, as in the lesson file.
"""

import difflib

import yaml

from lessons.models import Lab, Lesson, Question, QuestionKind, Quiz


class _LessonDumper(yaml.SafeDumper):
    pass


def _text_block(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LessonDumper.add_representer(str, _text_block)


def lesson_data_from_rows(lesson: Lesson) -> dict:
    """The lesson's rows in the shape `lessons.content` gives a file's front matter."""
    data = {
        "title": lesson.title,
        "slug": lesson.slug,
        "summary": lesson.summary,
        "order": lesson.order,
        "status": lesson.status,
        "labs": [
            {"title": lab.title, "slug": lab.slug, "order": lab.order,
             "instructions": lab.instructions, "preset_config": lab.preset_config,
             "tunable": lab.tunable}
            for lab in Lab.objects.filter(lesson=lesson).order_by("order", "id")
        ],
        "quiz": None,
    }  # fmt: skip
    quiz = Quiz.objects.filter(lesson=lesson).first()
    if quiz is not None:
        questions = Question.objects.filter(quiz=quiz).order_by("order", "id")
        data["quiz"] = {
            "title": quiz.title,
            "pass_mark": quiz.pass_mark,
            "questions": [
                {"order": q.order, "kind": q.kind, "prompt": q.prompt,
                 "explanation": q.explanation, "answer": q.answer, "tolerance": q.tolerance,
                 "choices": [{"order": c.order, "text": c.text, "is_correct": c.is_correct}
                             for c in q.choices.order_by("order", "id")]}
                for q in questions.prefetch_related("choices")
            ],
        }  # fmt: skip
    return data


def _question_as_written(q: dict) -> dict:
    written = {"kind": q["kind"], "prompt": q["prompt"]}
    if q["kind"] == QuestionKind.NUMERIC:
        written |= {"answer": q["answer"], "tolerance": q["tolerance"]}
    else:
        written["choices"] = [
            {"text": c["text"], **({"correct": True} if c["is_correct"] else {})}
            for c in q["choices"]
        ]
    if q["explanation"]:
        written["explanation"] = q["explanation"]
    return written


def _keys_sorted(value):
    # A JSON column gives its keys back in the database's order (PostgreSQL's jsonb sorts
    # them by length), not the file's: sort both sides alike.
    if isinstance(value, dict):
        return {key: _keys_sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_keys_sorted(item) for item in value]
    return value


def lesson_document(data: dict, body: str, *, module_slug: str) -> str:
    """The lesson as a file would say it: front matter (with its module), then the body."""
    front = {
        "module": module_slug,
        **{key: data[key] for key in ("title", "slug", "summary", "order", "status")},
        "labs": [
            {**lab, "preset_config": _keys_sorted(lab["preset_config"]),
             "tunable": _keys_sorted(lab["tunable"])}
            for lab in data["labs"]
        ],
    }  # fmt: skip
    if data["quiz"] is not None:
        quiz = data["quiz"]
        front["quiz"] = {
            "title": quiz["title"],
            "pass_mark": quiz["pass_mark"],
            "questions": [_question_as_written(q) for q in quiz["questions"]],
        }
    header = yaml.dump(
        front, Dumper=_LessonDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return f"---\n{header}---\n{body.rstrip()}\n"


def lesson_diff(lesson: Lesson, data: dict, body: str, *, module_slug: str, path: str) -> str:
    """A unified diff from the lesson as its rows are now to the file's version."""
    current = lesson_document(
        lesson_data_from_rows(lesson), lesson.body, module_slug=lesson.module.slug
    )
    incoming = lesson_document(data, body, module_slug=module_slug)
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            incoming.splitlines(keepends=True),
            fromfile="the lesson as edited in the admin",
            tofile=path,
        )
    )
