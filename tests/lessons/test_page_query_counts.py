"""The course page and the dashboard read a fixed number of queries, however many lessons,
quiz attempts, completed lessons and runs the learner has: no query per row (the
performance issue asks for these pages' query counts to be asserted)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lessons import services
from lessons.models import Lesson

pytestmark = pytest.mark.django_db

COURSE_URL = "/courses/foundations/"


def queries_of(client, url: str) -> int:
    client.get(url)  # caches warm: count the steady state
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(make_lesson, learner, answers_for, quiz, *, lessons: int) -> None:
    """More lessons in the course, each completed by the learner, and quiz attempts."""
    start = Lesson.objects.count()
    for n in range(lessons):
        lesson = make_lesson(slug=f"extra-{start + n}", order=start + n + 1)
        services.lesson_mark_complete(user=learner, lesson=lesson)
    for right in (True, False, True):
        services.attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz, right))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # session, user, the course outline (course, modules, lessons: prefetched), progress,
        # the lessons' labs with challenges
        (COURSE_URL, 6),
        # session, user, progress, the outline (3), challenges, recent attempts
        ("/dashboard/", 8),
    ],
)
def test_the_page_reads_the_same_number_of_queries_for_one_lesson_or_many(
    client, url, expected, make_lesson, lesson, quiz, lab, learner, answers_for
):
    client.force_login(learner)
    grow(make_lesson, learner, answers_for, quiz, lessons=1)
    few = queries_of(client, url)
    grow(make_lesson, learner, answers_for, quiz, lessons=8)
    many = queries_of(client, url)
    assert (few, many) == (expected, expected)
