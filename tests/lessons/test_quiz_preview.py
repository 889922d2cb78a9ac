"""The admin's quiz preview: the quiz as learners see it, drawn with their own template,
answerable and graded, and nothing recorded."""

import pytest
from django.urls import reverse

from lessons.models import Attempt, LessonProgress, QuestionVersion
from tests.lessons.admin_forms import AUTHOR, staff_with_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db):
    return staff_with_roles("author", AUTHOR)


def url(quiz) -> str:
    return f"/admin/lessons/quiz/{quiz.pk}/preview/"


def nothing_recorded() -> bool:
    return not (Attempt.objects.exists() or LessonProgress.objects.exists()
                or QuestionVersion.objects.exists())


def test_the_preview_draws_the_quiz_with_the_learners_template(client, author, quiz):
    client.force_login(author)
    response = client.get(url(quiz))
    assert response.status_code == 200
    assert "lessons/_quiz.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'class="card quiz"' in html and "3 questions · pass mark 60%" in html
    for question in quiz.questions.all():
        assert question.prompt_html in html
        for choice in question.choices.all():
            assert f'value="{choice.id}"' in html
    assert 'name="q' in html and 'type="checkbox"' in html and 'inputmode="decimal"' in html
    # The form posts back to the preview, never to the learners' quiz endpoint.
    assert f'action="{url(quiz)}"' in html
    assert reverse("lesson-quiz", args=["foundations", quiz.lesson.slug]) not in html
    assert "nothing is recorded" in html
    assert nothing_recorded()


def test_answering_in_the_preview_grades_as_learners_see_it_and_records_nothing(
    client, author, quiz, answers_for
):
    client.force_login(author)
    answers = answers_for(quiz, right=False)
    data = {f"q{key}": value for key, value in answers.items()}
    response = client.post(url(quiz), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You scored <strong>0 / 3</strong>" in html
    assert "✗ Wrong" in html and "(correct answer)" in html and "Because." in html
    assert "Answer: 13 (± 0.5)" in html
    data = {f"q{key}": value for key, value in answers_for(quiz).items()}
    html = client.post(url(quiz), data).content.decode()
    assert "You scored <strong>3 / 3</strong>" in html and "Passed" in html
    assert nothing_recorded()


def test_a_bad_answer_in_the_preview_is_the_learners_error_not_a_500(client, author, quiz):
    client.force_login(author)
    numeric = quiz.questions.get(kind="numeric")
    response = client.post(url(quiz), {f"q{numeric.id}": "thirteen"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a number, such as 13, 0.5 or 1e-3 (got thirteen)." in html
    assert "Choose an answer." in html
    assert nothing_recorded()


def test_the_quiz_page_links_to_its_preview(client, author, quiz):
    client.force_login(author)
    html = client.get(f"/admin/lessons/quiz/{quiz.pk}/change/").content.decode()
    assert f'href="{url(quiz)}"' in html


def test_no_preview_for_learners_or_of_a_missing_quiz(client, learner, author, quiz):
    client.force_login(learner)
    assert client.get(url(quiz)).status_code == 302  # to the admin's login
    client.force_login(author)
    assert client.get("/admin/lessons/quiz/999999/preview/").status_code == 404
