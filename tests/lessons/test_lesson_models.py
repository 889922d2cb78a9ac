"""Invariants the database enforces, and what models compute on save."""

import pytest
from django.db import IntegrityError, transaction

from lessons.models import (
    Attempt,
    Choice,
    Course,
    Lesson,
    LessonProgress,
    Module,
    Question,
    QuestionKind,
    Quiz,
)


def raises_integrity(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_slugs_are_unique(lesson):
    module = lesson.module
    raises_integrity(lambda: Course.objects.create(title="x", slug=module.course.slug))
    raises_integrity(lambda: Module.objects.create(course=module.course, title="x", slug="basics"))
    raises_integrity(lambda: Lesson.objects.create(module=module, title="x", slug=lesson.slug))


def test_same_module_slug_in_another_course_is_fine(lesson):
    other = Course.objects.create(title="Other", slug="other")
    Module.objects.create(course=other, title="Basics", slug="basics")


def test_lesson_status_must_be_known(lesson):
    raises_integrity(lambda: Lesson.objects.filter(pk=lesson.pk).update(status="archived"))


def test_numeric_question_needs_an_answer(quiz):
    raises_integrity(
        lambda: Question.objects.create(quiz=quiz, kind=QuestionKind.NUMERIC, prompt="?")
    )


def test_question_kind_and_tolerance(quiz):
    raises_integrity(lambda: Question.objects.create(quiz=quiz, kind="essay", prompt="?"))
    raises_integrity(
        lambda: Question.objects.create(
            quiz=quiz, kind=QuestionKind.NUMERIC, prompt="?", answer=1, tolerance=-1
        )
    )


def test_pass_mark_is_a_percent(lesson):
    raises_integrity(lambda: Quiz.objects.create(lesson=lesson, pass_mark=101))


def test_one_quiz_per_lesson(quiz):
    raises_integrity(lambda: Quiz.objects.create(lesson=quiz.lesson))


def test_attempt_score_at_most_max(quiz, learner):
    raises_integrity(
        lambda: Attempt.objects.create(
            user=learner, quiz=quiz, answers={}, results={}, score=4, max_score=3
        )
    )


def test_progress_unique_per_user_and_lesson_and_score_is_a_percent(lesson, learner):
    LessonProgress.objects.create(user=learner, lesson=lesson)
    raises_integrity(lambda: LessonProgress.objects.create(user=learner, lesson=lesson))
    raises_integrity(
        lambda: LessonProgress.objects.filter(user=learner).update(best_score=100.5)
    )


def test_rendered_html_is_stored_on_save(quiz, lab):
    question = quiz.questions.first()
    question.prompt = "What is $x_1$?"
    question.explanation = "**Because**"
    question.save()
    assert "<math" in question.prompt_html and "<strong>" in question.explanation_html
    choice = Choice.objects.create(question=question, text="$\\frac{1}{2}$")
    assert choice.text_html.startswith("<math") and "<p>" not in choice.text_html
    assert "<math" in lab.instructions_html


def test_urls(lesson):
    assert lesson.get_absolute_url() == "/courses/foundations/neurons/"
    assert lesson.module.course.get_absolute_url() == "/courses/foundations/"
