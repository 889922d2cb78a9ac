"""`manage.py load_lessons`: idempotent, validating, and respectful of instructors' edits."""

import io
import textwrap

import pytest
from django.core.management import CommandError, call_command

from lessons.models import Course, Lab, Lesson, Module, Question

pytestmark = pytest.mark.django_db

COURSE_YAML = """\
title: Test Course
summary: A course.
order: 1
modules:
  - {slug: basics, title: Basics, order: 1}
"""

LESSON_MD = """\
---
title: Neurons
slug: neurons
summary: About neurons.
status: published
labs:
  - title: Try it
    slug: try-it
    instructions: Press $Train$.
    preset_config:
      model: {kind: mlp, hidden: [8]}
      data: {name: moons}
      optim: {name: sgd, lr: 0.1, epochs: 5}
    tunable:
      optim.lr: {min: 0.01, max: 1}
quiz:
  pass_mark: 50
  questions:
    - kind: single
      prompt: Pick one
      choices:
        - {text: right, correct: true}
        - {text: wrong}
    - kind: numeric
      prompt: How many?
      answer: 13
      explanation: Because $\\lceil 400/32 \\rceil = 13$.
---
Body with $x_i$.
"""


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    write(root, "test-course/course.yaml", COURSE_YAML)
    write(root, "test-course/basics/01-neurons.md", LESSON_MD)
    return root


def load(root, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("load_lessons", "--path", str(root), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_first_load_creates_everything(content):
    out, _ = load(content)
    assert "2 created, 0 updated, 0 unchanged, 0 skipped" in out
    lesson = Lesson.objects.get(slug="neurons")
    assert lesson.module.course.slug == "test-course" and lesson.order == 1
    assert "<math" in lesson.body_html
    lab = lesson.labs.get()
    assert lab.preset_config["optim"]["batch_size"] == 32  # normalized by the engine
    assert lesson.quiz.questions.count() == 2 and lesson.quiz.pass_mark == 50
    assert lesson.source_path == "content/test-course/basics/01-neurons.md"


def test_second_load_changes_nothing(content):
    load(content)
    out, err = load(content)
    assert "0 created, 0 updated, 2 unchanged, 0 skipped" in out
    assert err == ""


def test_changed_file_updates_in_place_keeping_ids(content):
    load(content)
    lab_id = Lab.objects.get().id
    question_ids = list(Question.objects.order_by("order").values_list("id", flat=True))
    changed = LESSON_MD.replace("Body with", "New body with")
    changed = changed.replace("Pick one", "Pick exactly one")
    write(content, "test-course/basics/01-neurons.md", changed)
    out, _ = load(content)
    assert "0 created, 1 updated, 1 unchanged" in out
    assert Lesson.objects.get().body.startswith("New body")
    assert Lab.objects.get().id == lab_id
    assert list(Question.objects.order_by("order").values_list("id", flat=True)) == question_ids
    assert Question.objects.get(order=1).prompt == "Pick exactly one"
    assert "0 updated, 2 unchanged" in load(content)[0]


def test_instructor_edit_is_not_overwritten_without_force(content):
    load(content)
    lesson = Lesson.objects.get()
    lesson.body = "Edited in the admin."
    lesson.save()
    write(content, "test-course/basics/01-neurons.md", LESSON_MD.replace("Body", "File body"))
    out, err = load(content)
    assert "1 skipped" in out
    assert "01-neurons.md: skipped: lesson 'neurons' was changed in the admin" in err
    assert Lesson.objects.get().body == "Edited in the admin."

    out, _ = load(content, "--force")
    assert "1 updated" in out
    assert Lesson.objects.get().body.startswith("File body")
    assert "2 unchanged" in load(content)[0]


def test_edit_of_a_quiz_question_counts_as_an_instructor_edit(content):
    load(content)
    question = Question.objects.get(order=2)
    question.answer = 14
    question.save()
    out, err = load(content)
    assert "1 skipped" in out and "changed in the admin" in err
    assert Question.objects.get(order=2).answer == 14


def test_course_edited_in_admin_is_kept(content):
    load(content)
    Course.objects.filter(slug="test-course").update(is_published=False)
    out, err = load(content)
    assert "course 'test-course' was changed in the admin" in err
    assert not Course.objects.get().is_published
    load(content, "--force")
    assert Course.objects.get().is_published


def test_lesson_created_in_admin_with_the_same_slug_is_kept(content, make_lesson):
    make_lesson("neurons", body="Mine")
    out, err = load(content)
    assert "skipped: lesson 'neurons'" in err
    assert Lesson.objects.get(slug="neurons").body == "Mine"


def test_new_module_in_course_yaml_is_added(content):
    load(content)
    write(content, "test-course/course.yaml",
          COURSE_YAML + "  - {slug: more, title: More, order: 2}\n")  # fmt: skip
    out, _ = load(content)
    assert "1 updated" in out
    assert set(Module.objects.values_list("slug", flat=True)) == {"basics", "more"}


BAD_LESSONS = [
    ("lr: 0.1", "lr: -1", "labs[0].preset_config.optim.lr: "),
    ("name: moons}", "name: mars}", "labs[0].preset_config.data.name: "),
    ("optim.lr: {min: 0.01, max: 1}", "optim.speed: {}",
     "labs[0].tunable.optim.speed: not a field"),
    ("        - {text: wrong}", "        - {text: wrong, correct: true}",
     "quiz.questions[0].choices: a single-choice question needs exactly one correct choice"),
    ("      answer: 13\n", "", "quiz.questions[1].answer: a numeric question needs a number"),
    ("kind: single", "kind: essay", "quiz.questions[0].kind: must be one of"),
    ("pass_mark: 50", "pass_mark: 150", "quiz.pass_mark: must be a whole percent"),
    ("summary: About neurons.", "sumary: About neurons.", "sumary: unknown field"),
    ("status: published", "status: live", "status: must be one of"),
    ("slug: neurons", "slug: Neurons & more", "slug: must be a slug"),
    ("title: Neurons\n", "title: [unclosed\n", "front matter: not valid YAML"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BAD_LESSONS)
def test_invalid_content_is_reported_with_file_and_field_and_nothing_is_written(
    content, old, new, message
):
    assert old in LESSON_MD
    write(content, "test-course/basics/01-neurons.md", LESSON_MD.replace(old, new))
    write(content, "test-course/basics/02-fine.md", LESSON_MD.replace("slug: neurons", "slug: fine")
          .replace("title: Neurons", "title: Fine"))  # fmt: skip
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("load_lessons", "--path", str(content), stdout=io.StringIO(), stderr=err)
    assert f"content/test-course/basics/01-neurons.md: {message}" in err.getvalue()
    assert not Lesson.objects.exists() and not Course.objects.exists()


def test_problems_in_course_yaml_and_layout(content):
    write(content, "test-course/course.yaml", "title: T\nmodules: []\n")
    write(content, "test-course/unlisted/01-x.md", LESSON_MD.replace("slug: neurons", "slug: x"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_lessons", "--path", str(content), stdout=io.StringIO(), stderr=err)
    assert "content/test-course/course.yaml: modules: must be a non-empty list" in err.getvalue()
    assert "module 'unlisted' is not listed in course.yaml" in err.getvalue()


def test_duplicate_lesson_slugs_and_bad_file_names(content):
    write(content, "test-course/basics/02-copy.md", LESSON_MD)
    write(content, "test-course/basics/notes.md", "just notes")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_lessons", "--path", str(content), stdout=io.StringIO(), stderr=err)
    assert "02-copy.md: slug: 'neurons' is already used by" in err.getvalue()
    assert "notes.md: lesson files are named <NN>-<lesson-slug>.md" in err.getvalue()


def test_missing_directory(tmp_path):
    with pytest.raises(CommandError):
        call_command("load_lessons", "--path", str(tmp_path / "nope"), stderr=io.StringIO())


def test_force_restores_an_edited_lesson_even_if_the_file_did_not_change(content):
    load(content)
    Lab.objects.update(title="Renamed in admin")
    assert "1 skipped" in load(content)[0]
    out, _ = load(content, "--force")
    assert "1 updated" in out
    assert Lab.objects.get().title == "Try it"


def test_loading_refreshes_stale_rendered_html_everywhere(content, make_lesson):
    load(content)
    admin_made = make_lesson("made-in-admin", course_slug="other", body="$x$")
    Lesson.objects.update(body_html="stale")
    Question.objects.update(prompt_html="stale")
    Lab.objects.update(instructions_html="stale")
    out, _ = load(content)
    assert "2 unchanged" in out and "Re-rendered the HTML of" in out
    assert "<math" in Lesson.objects.get(slug="neurons").body_html
    assert "<math" in Lesson.objects.get(pk=admin_made.pk).body_html
    assert not Question.objects.filter(prompt_html="stale").exists()
    assert "<math" in Lab.objects.get().instructions_html
    assert "Re-rendered" not in load(content)[0]
