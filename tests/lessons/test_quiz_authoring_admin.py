"""One admin page writes a quiz: its questions with their choices, in the order the author
sets; only content authors may, and a question's choices are checked as the loader does."""

import re
from html import unescape

import pytest

from lessons.models import Choice, Question, QuestionKind, Quiz
from tests.lessons.admin_forms import AUTHOR, INSTRUCTOR, form_data, staff_with_roles

pytestmark = pytest.mark.django_db

FORM = "quiz_form"


@pytest.fixture
def author(db):
    return staff_with_roles("author", AUTHOR)


def quiz_page(client, quiz) -> str:
    response = client.get(f"/admin/lessons/quiz/{quiz.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def new_question(index: int, *, kind: str, prompt: str, choices: list[tuple[str, bool]],
                 order: int) -> dict:
    """The fields the page's "Add another question" (and its choices) would post."""
    prefix = f"questions-{index}"
    data = {
        f"{prefix}-id": "", f"{prefix}-order": str(order), f"{prefix}-kind": kind,
        f"{prefix}-prompt": prompt, f"{prefix}-explanation": "", f"{prefix}-answer": "",
        f"{prefix}-tolerance": "0",
        f"{prefix}-choices-TOTAL_FORMS": str(len(choices)),
        f"{prefix}-choices-INITIAL_FORMS": "0",
        f"{prefix}-choices-MIN_NUM_FORMS": "0", f"{prefix}-choices-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for j, (text, correct) in enumerate(choices):
        data.update({f"{prefix}-choices-{j}-id": "", f"{prefix}-choices-{j}-order": str(j),
                     f"{prefix}-choices-{j}-text": text})
        if correct:
            data[f"{prefix}-choices-{j}-is_correct"] = "on"
    return data


def post(client, quiz, data):
    return client.post(f"/admin/lessons/quiz/{quiz.pk}/change/", data)


def test_the_quiz_page_shows_every_question_with_its_choices(client, author, quiz):
    client.force_login(author)
    html = quiz_page(client, quiz)
    for question in quiz.questions.all():
        assert question.prompt in html
        for choice in question.choices.all():
            assert f'value="{choice.text}"' in html
    assert html.count("djn-drag-handler") >= 5  # questions and choices can be dragged


def test_one_page_saves_a_new_question_with_its_choices(client, author, quiz):
    client.force_login(author)
    data = form_data(quiz_page(client, quiz), FORM, **{"questions-TOTAL_FORMS": "4"})
    data.update(new_question(3, kind="single", prompt="Which loss for classes?", order=4,
                             choices=[("Cross-entropy", True), ("Mean squared error", False)]))
    response = post(client, quiz, data)
    assert response.status_code == 302, unescape(response.content.decode())[-3000:]
    question = Question.objects.get(prompt="Which loss for classes?")
    assert question.quiz == quiz and question.kind == QuestionKind.SINGLE
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("Cross-entropy", True), ("Mean squared error", False)]
    assert question.choices.first().text_html  # rendered on save, as every Choice


def test_typed_numbers_reorder_questions_and_choices(client, author, quiz):
    client.force_login(author)
    first, second, third = quiz.questions.all()
    data = form_data(quiz_page(client, quiz), FORM, **{
        "questions-0-order": "3", "questions-1-order": "2", "questions-2-order": "1",
        # The multiple-choice question's choices a, b, c become c, a, b.
        "questions-1-choices-0-order": "2", "questions-1-choices-1-order": "3",
        "questions-1-choices-2-order": "1",
    })
    assert post(client, quiz, data).status_code == 302
    assert list(Quiz.objects.get(pk=quiz.pk).questions.all()) == [third, second, first]
    assert [c.text for c in second.choices.all()] == ["c", "a", "b"]


def test_a_single_choice_question_needs_exactly_one_correct_choice(client, author, quiz):
    client.force_login(author)
    single = quiz.questions.get(kind=QuestionKind.SINGLE)
    data = form_data(quiz_page(client, quiz), FORM, **{"questions-0-choices-1-is_correct": "on"})
    response = post(client, quiz, data)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "needs exactly one correct choice (has 2)" in html
    assert single.choices.filter(is_correct=True).count() == 1


def test_a_numeric_question_without_an_answer_is_an_error_beside_the_answer(client, author,
                                                                              quiz):
    client.force_login(author)
    data = form_data(quiz_page(client, quiz), FORM, **{"questions-2-answer": ""})
    response = post(client, quiz, data)
    assert response.status_code == 200
    html = response.content.decode()
    beside = re.search(r'<ul class="errorlist" id="id_questions-2-answer_error">(.*?)</ul>', html)
    assert beside and "A numeric question needs an answer." in beside.group(1)
    assert quiz.questions.get(kind=QuestionKind.NUMERIC).answer == 13


def test_removing_a_choice_on_the_quiz_page(client, author, quiz):
    client.force_login(author)
    data = form_data(quiz_page(client, quiz), FORM, **{"questions-1-choices-2-DELETE": "on"})
    assert post(client, quiz, data).status_code == 302
    assert [c.text for c in quiz.questions.get(kind="multiple").choices.all()] == ["a", "b"]


def test_the_lesson_page_leads_to_its_quiz_page(client, author, quiz):
    client.force_login(author)
    html = client.get(f"/admin/lessons/lesson/{quiz.lesson.pk}/change/").content.decode()
    assert f'href="/admin/lessons/quiz/{quiz.pk}/change/"' in html
    assert f'href="/admin/lessons/quiz/{quiz.pk}/preview/"' in html


def test_a_class_instructor_who_is_no_author_cannot_edit_quizzes(client, quiz):
    instructor = staff_with_roles("instructor", INSTRUCTOR)
    client.force_login(instructor)
    assert client.get(f"/admin/lessons/quiz/{quiz.pk}/change/").status_code == 403
    assert client.get(f"/admin/lessons/quiz/{quiz.pk}/preview/").status_code == 403
    assert client.get("/admin/lessons/lab/add/").status_code == 403
    response = client.post(f"/admin/lessons/quiz/{quiz.pk}/change/", {"title": "Hijacked"})
    assert response.status_code == 403
    assert Quiz.objects.get(pk=quiz.pk).title == "Quiz"
    assert Choice.objects.count() == 5


def test_changing_a_questions_kind_checks_its_choices_for_the_new_kind(client, author, quiz):
    client.force_login(author)
    data = form_data(quiz_page(client, quiz), FORM, **{
        "questions-0-kind": "multiple", "questions-0-choices-1-is_correct": "on"})
    assert post(client, quiz, data).status_code == 302
    question = quiz.questions.get(prompt="One?")
    assert question.kind == QuestionKind.MULTIPLE
    assert question.choices.filter(is_correct=True).count() == 2


def test_a_plain_inline_on_the_nested_quiz_page_is_named_by_the_checks(monkeypatch):
    from django.contrib import admin

    from lessons.quiz_admin import QuestionInline, QuizAdmin

    class PlainInline(admin.StackedInline):
        model = Question

    monkeypatch.setattr(QuizAdmin, "inlines", [QuestionInline, PlainInline])
    errors = QuizAdmin(Quiz, admin.site).check()
    assert [e.id for e in errors] == ["lessons.E001"] and "PlainInline" in errors[0].msg
    monkeypatch.setattr(QuizAdmin, "inlines", [QuestionInline])
    assert QuizAdmin(Quiz, admin.site).check() == []
