"""Corrections to lesson files reach a database already in use (`load_lessons`).

Unedited lessons update; a lesson edited in the admin is flagged with the difference, for an
instructor to accept or keep; learners' past attempts keep the questions they answered.
"""

import pytest
from django.core.exceptions import ValidationError

from lessons.loader import pending_update_accept, pending_update_keep
from lessons.models import Attempt, Lesson, Module, PendingLessonUpdate, Question
from lessons.services import attempt_submit
from tests.lessons.test_load_lessons import COURSE_YAML, LESSON_MD, load, write

pytestmark = pytest.mark.django_db

LESSON_FILE = "test-course/basics/01-neurons.md"
NEWER = LESSON_MD.replace("Body with", "Corrected body with").replace(
    "prompt: Pick one", "prompt: Pick the one that holds"
)


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    write(root, "test-course/course.yaml", COURSE_YAML)
    write(root, LESSON_FILE, LESSON_MD)
    return root


def edit_in_admin(body="Edited in the admin.") -> Lesson:
    lesson = Lesson.objects.get(slug="neurons")
    lesson.body = body
    lesson.save()
    return lesson


def pending() -> PendingLessonUpdate:
    return PendingLessonUpdate.objects.get(lesson__slug="neurons")


def test_an_unedited_lesson_takes_the_newer_file_and_old_attempts_keep_theirs(
    content, django_user_model, client
):
    load(content)  # the database as the older file left it, with a learner's attempt
    learner = django_user_model.objects.create_user("old-learner")
    quiz = Lesson.objects.get().quiz
    single, numeric = quiz.questions.order_by("order")
    right = single.choices.get(is_correct=True)
    attempt = attempt_submit(
        user=learner, quiz=quiz, answers={str(single.id): right.id, str(numeric.id): "13"}
    )

    write(content, LESSON_FILE, NEWER)
    out, err = load(content)
    assert "0 created, 1 updated, 1 unchanged, 0 skipped" in out and err == ""
    lesson = Lesson.objects.get()
    assert lesson.body.startswith("Corrected body")
    assert Question.objects.get(pk=single.pk).prompt == "Pick the one that holds"
    assert not PendingLessonUpdate.objects.exists()

    client.force_login(learner)
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "Pick the one that holds" in page
    past = client.get(f"{lesson.get_absolute_url()}?attempt={attempt.pk}").content.decode()
    assert "Pick one" in past and "Pick the one that holds" not in past
    assert Attempt.objects.get(pk=attempt.pk).score == 2


def test_an_edited_lesson_is_flagged_with_the_difference_not_overwritten(content):
    load(content)
    edit_in_admin()
    write(content, LESSON_FILE, NEWER)
    out, err = load(content)
    assert "1 skipped (1 with an update to review)" in out
    assert "lesson 'neurons' was changed in the admin and its file changed" in err
    assert Lesson.objects.get().body == "Edited in the admin."

    update = pending()
    assert update.source_path == "content/test-course/basics/01-neurons.md"
    assert update.body.startswith("Corrected body")
    diff = update.diff.splitlines()
    assert "-Edited in the admin." in diff and "+Corrected body with $x_i$." in diff
    assert "-    prompt: Pick one" in diff and "+    prompt: Pick the one that holds" in diff
    assert not any(line.startswith(("-  title:", "+  title:")) for line in diff)  # only changes

    load(content)  # the same file again: still one update waiting, no second one
    assert PendingLessonUpdate.objects.count() == 1


def test_an_edit_with_no_newer_file_is_not_flagged(content):
    load(content)
    edit_in_admin()
    out, err = load(content)
    assert "1 skipped" in out and "to review" not in out and "(use --force" in err
    assert not PendingLessonUpdate.objects.exists()


def test_accepting_takes_the_files_version(content):
    load(content)
    lesson = edit_in_admin()
    write(content, LESSON_FILE, NEWER)
    load(content)
    pending_update_accept(lesson=lesson)
    lesson = Lesson.objects.get()
    assert lesson.body.startswith("Corrected body") and "<math" in lesson.body_html
    assert lesson.quiz.questions.get(order=1).prompt == "Pick the one that holds"
    assert not PendingLessonUpdate.objects.exists()
    assert "0 updated, 2 unchanged, 0 skipped" in load(content)[0]  # as if loaded normally
    with pytest.raises(ValidationError, match="no file update waiting"):
        pending_update_accept(lesson=lesson)


def test_keeping_marks_the_file_seen_until_a_newer_one(content):
    load(content)
    lesson = edit_in_admin()
    write(content, LESSON_FILE, NEWER)
    load(content)
    pending_update_keep(lesson=lesson)
    assert Lesson.objects.get().body == "Edited in the admin."
    assert not PendingLessonUpdate.objects.exists()

    out, _ = load(content)  # the same file: it does not ask again
    assert "1 skipped" in out and "to review" not in out
    assert not PendingLessonUpdate.objects.exists()

    write(content, LESSON_FILE, NEWER.replace("Corrected body", "Twice corrected body"))
    assert "1 with an update to review" in load(content)[0]
    assert pending().body.startswith("Twice corrected body")
    with pytest.raises(ValidationError, match="no file update waiting"):
        pending_update_keep(lesson=Lesson.objects.create(module=lesson.module, slug="other"))


def test_force_overwrites_the_edit_and_clears_the_update(content):
    load(content)
    edit_in_admin()
    write(content, LESSON_FILE, NEWER)
    load(content)
    out, _ = load(content, "--force")
    assert "1 updated" in out
    assert Lesson.objects.get().body.startswith("Corrected body")
    assert not PendingLessonUpdate.objects.exists()


def test_a_file_reverted_to_what_was_loaded_withdraws_its_update(content):
    load(content)
    edit_in_admin()
    write(content, LESSON_FILE, NEWER)
    load(content)
    write(content, LESSON_FILE, LESSON_MD)
    load(content)
    assert not PendingLessonUpdate.objects.exists()
    assert Lesson.objects.get().body == "Edited in the admin."


def test_accepting_when_the_files_module_is_gone_is_a_clear_error(content):
    load(content)
    lesson = edit_in_admin()
    write(content, LESSON_FILE, NEWER)
    load(content)
    PendingLessonUpdate.objects.update(module_slug="removed")
    with pytest.raises(ValidationError, match="Module 'removed' of course 'test-course'"):
        pending_update_accept(lesson=lesson)
    assert Lesson.objects.get().body == "Edited in the admin."
    assert Module.objects.count() == 1
