"""One-line setup for lessons tests: a course with a lesson, a quiz of every kind, users."""

import copy

import pytest

from lessons.models import (
    Choice,
    Course,
    Lab,
    Lesson,
    LessonStatus,
    Module,
    Question,
    QuestionKind,
    Quiz,
)

PRESET = {
    "model": {"kind": "mlp", "hidden": [16, 16], "activation": "relu"},
    "data": {"name": "moons", "n_samples": 500, "noise": 0.2, "val_fraction": 0.2, "seed": 0},
    "optim": {"name": "sgd", "lr": 0.1, "batch_size": 32, "epochs": 20, "momentum": 0.9},
}


@pytest.fixture
def preset() -> dict:
    return copy.deepcopy(PRESET)


@pytest.fixture
def make_lesson(db):
    """make_lesson(slug=..., status=..., course_published=..., course_slug=..., order=...)."""

    def make(
        slug="neurons",
        *,
        status=LessonStatus.PUBLISHED,
        course_slug="foundations",
        course_published=True,
        module_slug="basics",
        order=1,
        body="Hello $x_i$",
    ) -> Lesson:
        course, _ = Course.objects.get_or_create(
            slug=course_slug,
            defaults={"title": course_slug.title(), "is_published": course_published},
        )
        module, _ = Module.objects.get_or_create(
            course=course, slug=module_slug, defaults={"title": module_slug.title()}
        )
        return Lesson.objects.create(
            module=module, title=slug.title(), slug=slug, status=status, order=order, body=body
        )

    return make


@pytest.fixture
def lesson(make_lesson) -> Lesson:
    return make_lesson()


@pytest.fixture
def quiz(lesson) -> Quiz:
    """Three questions, one of each kind; pass mark 60% (2 of 3 right passes)."""
    quiz = Quiz.objects.create(lesson=lesson, title="Quiz", pass_mark=60)
    single = Question.objects.create(quiz=quiz, order=1, kind=QuestionKind.SINGLE, prompt="One?")
    Choice.objects.create(question=single, order=1, text="right", is_correct=True)
    Choice.objects.create(question=single, order=2, text="wrong")
    multiple = Question.objects.create(
        quiz=quiz, order=2, kind=QuestionKind.MULTIPLE, prompt="Many?", explanation="Because."
    )
    Choice.objects.create(question=multiple, order=1, text="a", is_correct=True)
    Choice.objects.create(question=multiple, order=2, text="b", is_correct=True)
    Choice.objects.create(question=multiple, order=3, text="c")
    Question.objects.create(
        quiz=quiz, order=3, kind=QuestionKind.NUMERIC, prompt="How many?", answer=13, tolerance=0.5
    )
    return quiz


def right_answers(quiz: Quiz) -> dict:
    answers = {}
    for q in quiz.questions.all():
        correct = [c.id for c in q.choices.all() if c.is_correct]
        if q.kind == QuestionKind.NUMERIC:
            answers[str(q.id)] = str(q.answer)
        elif q.kind == QuestionKind.SINGLE:
            answers[str(q.id)] = correct[0]
        else:
            answers[str(q.id)] = correct
    return answers


def wrong_answers(quiz: Quiz) -> dict:
    answers = {}
    for q in quiz.questions.all():
        wrong = [c.id for c in q.choices.all() if not c.is_correct]
        if q.kind == QuestionKind.NUMERIC:
            answers[str(q.id)] = str(q.answer + q.tolerance + 1)
        elif q.kind == QuestionKind.SINGLE:
            answers[str(q.id)] = wrong[0]
        else:
            answers[str(q.id)] = wrong or [c.id for c in q.choices.all()][:1]
    return answers


@pytest.fixture
def answers_for():
    """answers_for(quiz, right=True) → a complete, valid answers dict."""
    return lambda quiz, right=True: right_answers(quiz) if right else wrong_answers(quiz)


@pytest.fixture
def lab(lesson, preset) -> Lab:
    lab = Lab(
        lesson=lesson,
        title="Batch size",
        slug="batch-size",
        instructions="Try $\\eta$.",
        preset_config=preset,
        tunable={
            "optim.lr": {"min": 0.0001, "max": 1},
            "optim.batch_size": {"choices": [1, 32, "full"]},
            "model.hidden": {"max_layers": 3, "max_units": 32},
        },
    )
    lab.full_clean()
    lab.save()
    return lab


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("learner", password="pw-learner-123")


@pytest.fixture
def staff(django_user_model):
    """An instructor: staff, not superuser (accounts.instructors grants the permissions)."""
    return django_user_model.objects.create_user(
        "teacher", password="pw-teacher-123", is_staff=True
    )
