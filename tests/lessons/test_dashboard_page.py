"""The learner's dashboard: progress per course, best scores, recent attempts, where to go next."""

import pytest

from lessons.models import LessonStatus
from lessons.services import attempt_submit, lesson_mark_complete

pytestmark = pytest.mark.django_db


def test_dashboard_needs_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_dashboard_shows_progress_scores_attempts_and_next_lesson(
    client, make_lesson, quiz, learner, answers_for
):
    second = make_lesson("second", order=2)
    make_lesson("third", order=3)
    make_lesson("draft", order=4, status=LessonStatus.DRAFT)
    attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))  # completes "neurons"
    client.force_login(learner)
    response = client.get("/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>1 of 3</strong> lessons completed" in html
    assert "100%" in html  # best quiz score
    assert "3/3 (100%)" in html  # the recent attempt
    assert "Continue where you stopped" in html
    assert f'href="/courses/foundations/{second.slug}/">Second</a></p>' in html
    assert "{% block recent_runs %}" not in html


def test_continue_link_disappears_when_everything_is_done(client, lesson, learner):
    lesson_mark_complete(user=learner, lesson=lesson)
    client.force_login(learner)
    html = client.get("/dashboard/").content.decode()
    assert "Continue where you stopped" not in html
    assert "<strong>1 of 1</strong>" in html


def test_dashboard_shows_the_recent_runs_section(client, learner):
    client.force_login(learner)
    assert "Recent training runs" in client.get("/dashboard/").content.decode()


def test_dashboard_query_count(client, make_lesson, learner, django_assert_max_num_queries):
    for i in range(10):
        lesson = make_lesson(f"lesson-{i}", module_slug=f"m{i % 3}", order=i)
        lesson_mark_complete(user=learner, lesson=lesson)
    client.force_login(learner)
    with django_assert_max_num_queries(8):
        assert client.get("/dashboard/").status_code == 200


def test_continue_in_the_course_touched_last(client, make_lesson, learner):
    make_lesson("a1", course_slug="alpha")
    make_lesson("a2", course_slug="alpha", order=2)
    b1 = make_lesson("b1", course_slug="beta")
    make_lesson("b2", course_slug="beta", order=2)
    lesson_mark_complete(user=learner, lesson=b1)
    client.force_login(learner)
    html = client.get("/dashboard/").content.decode()
    assert 'href="/courses/beta/b2/">B2</a></p>' in html


def test_recent_attempts_link_their_lessons_without_joining_to_the_course(
    client, lesson, quiz, learner, answers_for, django_assert_num_queries
):
    # The attempts name their lessons through the cached outline (each outlined lesson
    # carries its quiz's id); an attempt on a lesson unpublished since is read apart.
    attempt = attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, False))
    client.force_login(learner)
    client.get("/dashboard/")
    link = f'<a href="/courses/foundations/neurons/?attempt={attempt.pk}#quiz">Neurons</a>'
    with django_assert_num_queries(4) as queries:  # user, progress, attempts, recent runs
        assert link in client.get("/dashboard/").content.decode()
    assert not any("lessons_module" in q["sql"] for q in queries.captured_queries)
    lesson.status = LessonStatus.DRAFT
    lesson.save()
    client.get("/dashboard/")  # the outline is built again after the edit
    with django_assert_num_queries(5):  # ... and the unpublished lesson of the attempt
        assert link in client.get("/dashboard/").content.decode()
