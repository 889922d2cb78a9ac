"""Home, course outline and lesson pages: who sees what, quiz submission, progress."""

import pytest
from django.urls import reverse

from lessons.models import Attempt, LessonProgress, LessonStatus, QuestionKind

pytestmark = pytest.mark.django_db

LESSON_URL = "/courses/foundations/neurons/"


def test_url_names():
    assert reverse("home") == "/"
    assert reverse("dashboard") == "/dashboard/"
    assert reverse("course-detail", args=["c"]) == "/courses/c/"
    assert reverse("lesson-detail", args=["c", "l"]) == "/courses/c/l/"
    assert reverse("lesson-quiz", args=["c", "l"]) == "/courses/c/l/quiz/"
    assert reverse("lesson-complete", args=["c", "l"]) == "/courses/c/l/complete/"


def test_home_lists_published_courses_and_lessons_only(client, make_lesson):
    make_lesson("published-one")
    make_lesson("draft-one", status=LessonStatus.DRAFT)
    make_lesson("hidden-course-lesson", course_slug="secret", course_published=False)
    html = client.get("/").content.decode()
    assert "Learn deep learning" in html
    assert "Published-One" in html
    assert "Draft-One" not in html and "Secret" not in html


def test_home_shows_progress_ticks(client, lesson, learner):
    LessonProgress.objects.create(user=learner, lesson=lesson, completed_at="2025-01-01T00:00Z")
    client.force_login(learner)
    assert 'title="Completed"' in client.get("/").content.decode()


def test_course_page(client, lesson, staff, make_lesson):
    assert client.get("/courses/foundations/").status_code == 200
    assert client.get("/courses/nope/").status_code == 404
    make_lesson("x", course_slug="secret", course_published=False)
    assert client.get("/courses/secret/").status_code == 404
    client.force_login(staff)
    response = client.get("/courses/secret/")
    assert response.status_code == 200 and "Draft — preview" in response.content.decode()


def test_anonymous_can_read_a_published_lesson(client, lesson, quiz, lab):
    response = client.get(LESSON_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<math" in html
    assert "Draft — preview" not in html
    assert f'id="lab-{lab.id}"' in html
    assert "Log in</a> to answer the quiz" in html
    assert f"/accounts/login/?next={LESSON_URL}" in html


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [
        ({"status": LessonStatus.DRAFT}, LESSON_URL),
        ({"course_published": False}, LESSON_URL),
        ({}, "/courses/other-course/neurons/"),
        ({}, "/courses/foundations/nope/"),
    ],
)
def test_hidden_or_missing_lessons_are_404_for_learners(client, make_lesson, learner, kwargs, url):
    make_lesson(**kwargs)
    assert client.get(url).status_code == 404
    client.force_login(learner)
    assert client.get(url).status_code == 404


def test_staff_preview_a_draft_with_a_banner(client, make_lesson, staff):
    make_lesson(status=LessonStatus.DRAFT)
    client.force_login(staff)
    response = client.get(LESSON_URL)
    assert response.status_code == 200
    assert "Draft — preview" in response.content.decode()


def test_previous_and_next_follow_the_outline(client, make_lesson):
    make_lesson("first", order=1)
    make_lesson("second", order=2)
    make_lesson("draft-between", order=3, status=LessonStatus.DRAFT)
    make_lesson("third", order=1, module_slug="later")
    html = client.get("/courses/foundations/second/").content.decode()
    assert 'rel="prev" href="/courses/foundations/first/"' in html
    assert 'rel="next" href="/courses/foundations/third/"' in html


def test_anonymous_quiz_submit_goes_to_login(client, quiz):
    response = client.post(LESSON_URL + "quiz/", {})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=" + LESSON_URL
    assert not Attempt.objects.exists()


def form_data(answers):
    return {f"q{key}": value for key, value in answers.items()}


def test_submitting_the_quiz_shows_score_marks_and_explanations(
    client, quiz, learner, answers_for
):
    client.force_login(learner)
    response = client.post(LESSON_URL + "quiz/", form_data(answers_for(quiz)))
    attempt = Attempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LESSON_URL}?attempt={attempt.id}#quiz"
    html = client.get(response["Location"]).content.decode()
    assert "You scored <strong>3 / 3</strong>" in html
    assert html.count("✓ Right") == 3
    assert "Because." in html  # the explanation
    assert "Passed" in html


def test_wrong_answers_show_the_right_answer(client, quiz, learner, answers_for):
    client.force_login(learner)
    client.post(LESSON_URL + "quiz/", form_data(answers_for(quiz, right=False)))
    html = client.get(f"{LESSON_URL}?attempt={Attempt.objects.get().id}").content.decode()
    assert html.count("✗ Wrong") == 3
    assert "(correct answer)" in html
    assert "Answer: 13" in html


def test_bad_input_shows_form_errors_not_500(client, quiz, learner, answers_for):
    client.force_login(learner)
    numeric = quiz.questions.get(kind=QuestionKind.NUMERIC)
    data = form_data(answers_for(quiz))
    data[f"q{numeric.id}"] = "thirteen"
    single = quiz.questions.get(kind=QuestionKind.SINGLE)
    data[f"q{single.id}"] = "not-an-id"
    response = client.post(LESSON_URL + "quiz/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a number, such as 13" in html
    assert "not one of this question&#x27;s choices" in html
    assert 'value="thirteen"' in html  # the learner's input is kept
    assert not Attempt.objects.exists()


def test_empty_submission_shows_errors(client, quiz, learner):
    client.force_login(learner)
    response = client.post(LESSON_URL + "quiz/", {})
    assert response.status_code == 400
    assert response.content.decode().count('class="errorlist"') == 3


def test_quiz_get_is_not_allowed(client, quiz, learner):
    client.force_login(learner)
    assert client.get(LESSON_URL + "quiz/").status_code == 405


def test_someone_elses_attempt_is_not_shown(client, quiz, learner, staff, answers_for):
    client.force_login(staff)
    client.post(LESSON_URL + "quiz/", form_data(answers_for(quiz)))
    client.force_login(learner)
    html = client.get(f"{LESSON_URL}?attempt={Attempt.objects.get().id}").content.decode()
    assert "You scored" not in html
    assert client.get(f"{LESSON_URL}?attempt=junk").status_code == 200


def test_mark_as_complete(client, lesson, learner):
    assert client.post(LESSON_URL + "complete/").status_code == 302
    assert not LessonProgress.objects.exists()
    client.force_login(learner)
    assert "Mark as complete" in client.get(LESSON_URL).content.decode()
    response = client.post(LESSON_URL + "complete/")
    assert response.status_code == 302
    assert LessonProgress.objects.get(user=learner, lesson=lesson).completed_at is not None
    assert "You completed this lesson" in client.get(LESSON_URL).content.decode()


def test_lesson_page_query_count(client, quiz, lab, learner, make_lesson, answers_for,
                                 django_assert_max_num_queries):  # fmt: skip
    for i in range(5):
        make_lesson(f"extra-{i}", order=10 + i)
    client.force_login(learner)
    client.post(LESSON_URL + "quiz/", form_data(answers_for(quiz)))
    attempt = Attempt.objects.get()
    # session+user 2, lesson 1, labs 1, their prediction questions 1, quiz+questions+choices
    # 3, neighbours 1 (these seven come from the content cache on later views), attempt 1,
    # the question versions it answered 1, progress 1, the learner's latest run of every
    # lab 1.
    with django_assert_max_num_queries(13):
        assert client.get(f"{LESSON_URL}?attempt={attempt.id}").status_code == 200


def test_home_query_count_does_not_grow_with_lessons(client, make_lesson, learner,
                                                     django_assert_max_num_queries):  # fmt: skip
    for i in range(12):
        make_lesson(f"lesson-{i}", module_slug=f"module-{i % 3}", order=i)
    client.force_login(learner)
    with django_assert_max_num_queries(6):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/courses/foundations/").status_code == 200
