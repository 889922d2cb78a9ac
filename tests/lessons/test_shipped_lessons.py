"""Every lesson shipped in content/ loads, renders, has a working quiz and valid labs."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from lessons.labs import check_lab_config
from lessons.loader import load_content
from lessons.models import Course, Lesson, QuestionKind
from lessons.services import attempt_submit
from training_worker.engine import parse_config

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "content"


@pytest.fixture
def shipped(db):
    report = load_content(CONTENT)
    assert not report.skipped and not report.warnings
    return list(Lesson.objects.select_related("module__course"))


def test_the_foundations_course_has_its_three_lessons(shipped):
    course = Course.objects.get(slug="foundations")
    assert course.title == "Deep Learning Foundations" and course.is_published
    modules = {m.slug: m.title for m in course.modules.all()}
    assert list(modules.values()) == [
        "Introduction to Deep Learning",
        "Fundamentals of Neural Networks",
        "Training Neural Networks",
    ]
    slugs = [lesson.slug for lesson in shipped if lesson.module.course_id == course.id]
    assert slugs == ["what-is-deep-learning", "artificial-neurons", "gradient-descent"]


def test_loading_twice_is_idempotent(shipped):
    report = load_content(CONTENT)
    assert (len(report.created), len(report.updated)) == (0, 0)
    assert len(report.unchanged) == len(shipped) + Course.objects.count()


def test_management_command_loads_on_a_fresh_database(capsys):
    call_command("load_lessons")
    assert " created, 0 updated, 0 unchanged, 0 skipped" in capsys.readouterr().out


def test_every_lesson_renders_with_math(client, shipped):
    for lesson in shipped:
        response = client.get(lesson.get_absolute_url())
        html = response.content.decode()
        assert response.status_code == 200, lesson.slug
        assert "<math" in html, lesson.slug
        assert "math-error" not in html, lesson.slug
        for lab in lesson.labs.all():
            assert f'id="lab-{lab.id}"' in html


def test_every_quiz_is_substantial_and_grades_right_and_wrong(shipped, learner, answers_for):
    for lesson in shipped:
        quiz = lesson.quiz
        questions = list(quiz.questions.all())
        assert len(questions) >= 5, lesson.slug
        assert {q.kind for q in questions} == set(QuestionKind.values), lesson.slug
        assert all(q.explanation.strip() for q in questions), lesson.slug
        for q in questions:
            assert "math-error" not in q.prompt_html + q.explanation_html, (lesson.slug, q.prompt)
        right = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
        assert right.score == right.max_score == len(questions), lesson.slug
        wrong = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, right=False))
        assert wrong.score < wrong.max_score, lesson.slug


def test_every_lab_preset_is_valid_and_allowed_by_its_own_lab(shipped):
    labs = [lab for lesson in shipped for lab in lesson.labs.all()]
    assert labs
    for lab in labs:
        assert parse_config(lab.preset_config).to_dict() == lab.preset_config, lab.slug
        assert check_lab_config(lab, lab.preset_config) == {}, lab.slug
        assert lab.tunable, lab.slug
        assert "math-error" not in lab.instructions_html


def test_gradient_descent_lab_offers_the_three_batch_regimes(shipped):
    lab = Lesson.objects.get(slug="gradient-descent").labs.get()
    assert lab.tunable["optim.batch_size"] == {"choices": [1, 32, "full"]}
    assert "optim.lr" in lab.tunable
