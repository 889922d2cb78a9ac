"""Migration 0004 on a database filled under the schema before question versions (0002)."""

import pytest

from tests.migration_steps import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("lessons", "0002_course_content_hashes")]
AFTER = [("lessons", "0004_first_question_versions")]


@pytest.fixture
def old_database():
    """Lessons migrated back to 0002 for the test, and forward to the latest after it."""
    apps = migrate(BEFORE)
    yield apps
    migrate(latest())


def fill(apps):
    """A quiz of two questions and an attempt at it, written with the 0002 models."""
    m = {name: apps.get_model("lessons", name) for name in
         ["Course", "Module", "Lesson", "Quiz", "Question", "Choice", "Attempt"]}  # fmt: skip
    user = apps.get_model("auth", "User").objects.create(username="old-learner")
    course = m["Course"].objects.create(title="C", slug="c")
    module = m["Module"].objects.create(course=course, title="M", slug="m")
    lesson = m["Lesson"].objects.create(module=module, title="L", slug="l", body="b")
    quiz = m["Quiz"].objects.create(lesson=lesson, pass_mark=50)
    single = m["Question"].objects.create(
        quiz=quiz, order=1, kind="single", prompt="Pick", prompt_html="<p>Pick</p>"
    )
    right = m["Choice"].objects.create(question=single, order=1, text="yes", is_correct=True)
    m["Choice"].objects.create(question=single, order=2, text="no")
    numeric = m["Question"].objects.create(
        quiz=quiz, order=2, kind="numeric", prompt="How many?", answer=13, tolerance=0.5
    )
    results = {
        str(single.id): {"correct": True, "given": right.id, "expected": [right.id]},
        str(numeric.id): {"correct": False, "given": 2.0, "expected": {"answer": 13}},
    }
    attempt = m["Attempt"].objects.create(
        user=user, quiz=quiz, answers={}, results=results, score=1, max_score=2
    )
    return {"attempt": attempt.id, "single": single.id, "numeric": numeric.id, "right": right.id}


def test_existing_attempts_point_at_the_first_version_of_each_question(old_database):
    ids = fill(old_database)
    apps = migrate(AFTER)
    Attempt = apps.get_model("lessons", "Attempt")
    QuestionVersion = apps.get_model("lessons", "QuestionVersion")

    assert QuestionVersion.objects.count() == 2
    attempt = Attempt.objects.get(pk=ids["attempt"])
    assert (attempt.score, attempt.max_score, attempt.pass_mark) == (1, 2, 50)
    versions = {v.question_key: v for v in attempt.question_versions.all()}
    assert set(versions) == {ids["single"], ids["numeric"]}
    single = versions[ids["single"]]
    assert (single.number, single.question_id, single.prompt) == (1, ids["single"], "Pick")
    assert single.prompt_html == "<p>Pick</p>"
    assert [(c["id"], c["text"], c["is_correct"]) for c in single.choices] == [
        (ids["right"], "yes", True), (ids["right"] + 1, "no", False)
    ]  # fmt: skip
    numeric = versions[ids["numeric"]]
    assert (numeric.kind, numeric.answer, numeric.tolerance, numeric.choices) == (
        "numeric", 13, 0.5, []
    )  # fmt: skip
    assert len(single.content_hash) == 64 and single.content_hash != numeric.content_hash


def test_the_next_attempt_reuses_the_migrated_version_of_an_unchanged_question(old_database):
    ids = fill(old_database)
    migrate(AFTER)
    # The current code's grading, on the migrated rows: nothing changed, so no new version.
    from lessons.models import Choice, QuestionVersion, Quiz
    from lessons.services import attempt_submit

    quiz = Quiz.objects.get()
    user = quiz.attempts.get().user
    right = Choice.objects.get(pk=ids["right"])
    attempt = attempt_submit(
        user=user, quiz=quiz, answers={str(ids["single"]): right.id, str(ids["numeric"]): "13"}
    )
    assert QuestionVersion.objects.count() == 2
    assert {v.number for v in attempt.question_versions.all()} == {1}
