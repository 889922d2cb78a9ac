"""Lesson pages come from the content cache, and never show content older than the database:
an instructor's edit, a publish or a delete shows on the next request."""

import pickle

import pytest
from django.db import transaction

from jobs import services as job_services
from lessons import content_cache, selectors
from lessons.models import Challenge, Choice, Lesson, LessonStatus
from lessons.services import lessons_rerender

pytestmark = pytest.mark.django_db

LESSON_URL = "/courses/foundations/neurons/"


def page(client, url=LESSON_URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_view_reads_no_lesson_content_from_the_database(
    client, quiz, lab, learner, django_assert_num_queries
):
    page(client)
    with django_assert_num_queries(0):  # anonymous: nothing of theirs to read
        page(client)
    client.force_login(learner)
    page(client)
    # user, the learner's runs of the labs, their progress (the session is read from the
    # cache: dlplatform/sessions.py)
    with django_assert_num_queries(3):
        html = page(client)
    assert "One?" in html and f'id="lab-{lab.id}"' in html


def test_edits_show_on_the_next_request(client, lesson, quiz, lab):
    page(client)
    lesson.body = "Rewritten body"
    lesson.save()
    assert "Rewritten body" in page(client)
    lab.instructions = "New instructions"
    lab.save()
    assert "New instructions" in page(client)
    choice = Choice.objects.get(text="wrong")
    choice.text = "an edited choice"
    choice.save()
    assert "an edited choice" in page(client)
    quiz.questions.get(prompt="How many?").delete()
    assert "How many?" not in page(client)


def test_an_edit_in_the_admin_shows_on_the_next_request(client, staff, lesson):
    page(client)
    client.force_login(staff)
    form = client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"module": lesson.module_id, "title": "Renamed in the admin",
                 "labs-TOTAL_FORMS": 0, "labs-INITIAL_FORMS": 0})
    response = client.post(f"/admin/lessons/lesson/{lesson.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert "Renamed in the admin" in page(client)


def test_publishing_unpublishing_and_deleting_take_effect_at_once(client, staff, lesson):
    page(client)
    lesson.status = LessonStatus.DRAFT
    lesson.save()
    assert client.get(LESSON_URL).status_code == 404
    client.force_login(staff)
    assert "Draft — preview" in page(client)  # staff's cached draft...
    client.logout()
    assert client.get(LESSON_URL).status_code == 404  # ...is never shown to learners
    lesson.status = LessonStatus.PUBLISHED
    lesson.save()
    page(client)
    Lesson.objects.filter(pk=lesson.pk).delete()
    assert client.get(LESSON_URL).status_code == 404


def test_neighbours_follow_a_new_lesson(client, lesson, make_lesson):
    assert 'rel="next"' not in page(client)
    make_lesson("synapses", order=2)
    assert 'href="/courses/foundations/synapses/"' in page(client)


def test_a_rerender_without_signals_still_replaces_the_cache(client, lesson):
    Lesson.objects.filter(pk=lesson.pk).update(body_html="<p>stale html</p>")  # no signal
    assert "stale html" in page(client)  # and now cached
    assert lessons_rerender() == 1  # a bulk update: no signal either
    html = page(client)
    assert "stale html" not in html and "<math" in html


def test_the_learners_own_runs_are_never_cached(client, lesson, lab, learner, other_user):
    client.force_login(learner)
    assert "data-latest-job" not in page(client)
    job = job_services.job_submit(user=learner, config=lab.preset_config, lab=lab)
    newer = job_services.job_submit(user=learner, config=lab.preset_config, lab=lab)
    assert f'data-latest-job="{newer.pk}"' in page(client)
    assert job.pk < newer.pk
    client.force_login(other_user)
    assert "data-latest-job" not in page(client)


def test_a_page_built_before_a_commit_is_not_served_after_it(transactional_db):
    # Another request may read the rows before the commit and store them under the version
    # the save has just set; the version is replaced once more when the change commits.
    with transaction.atomic():
        content_cache.content_changed()
        assert content_cache.cached("page:test", lambda: "built from the old rows") == (
            "built from the old rows"
        )
        assert content_cache.cached("page:test", lambda: "unused") == "built from the old rows"
    assert content_cache.cached("page:test", lambda: "built after the commit") == (
        "built after the commit"
    )


def test_pages_are_served_from_the_database_when_the_cache_is_down(client, settings, lesson):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens
    assert "Hello" in page(client)
    lesson.body = "Edited while the cache is down"
    lesson.save()
    assert "Edited while the cache is down" in page(client)


def test_anonymous_visitors_share_one_cached_page_and_learners_never_get_it(
    client, quiz, lab, learner
):
    anonymous = client.get(LESSON_URL)
    assert "csrfmiddlewaretoken" not in anonymous.content.decode()  # nothing to post
    assert "csrftoken" not in anonymous.cookies
    assert "Log in</a> to answer the quiz" in anonymous.content.decode()
    client.force_login(learner)
    html = page(client)
    assert "Log out (learner)" in html and "Check my answers" in html
    assert "csrfmiddlewaretoken" in html
    client.logout()
    html = page(client)
    assert "Log out" not in html and html == anonymous.content.decode()


def test_an_anonymous_visitor_with_a_message_gets_it_on_a_page_of_their_own(client, lesson):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import RequestFactory

    page(client)  # the shared page is cached
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.INFO, "You have been signed out.")
    response = HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    assert "You have been signed out." in page(client)
    assert "You have been signed out." not in page(client)  # shown once, and never shared


def test_the_quiz_shows_each_learners_own_answers_around_the_shared_questions(
    client, quiz, learner, other_user, answers_for
):
    client.force_login(learner)
    fresh = page(client)
    assert fresh.count('class="question"') == 3 and "✓ Right" not in fresh
    client.post(LESSON_URL + "quiz/", {f"q{k}": v for k, v in answers_for(quiz).items()})
    attempt = quiz.attempts.get()
    answered = page(client, f"{LESSON_URL}?attempt={attempt.id}")
    assert answered.count("✓ Right") == 3 and "Because." in answered  # the explanation
    client.force_login(other_user)
    assert "✓ Right" not in page(client) and "Because." not in page(client)
    assert page(client).count('class="question"') == 3


def test_one_replace_at_commit_however_many_rows_a_transaction_writes(lesson, quiz):
    from django.db import connection

    for choice in Choice.objects.all():
        choice.text += "!"
        choice.save()
    pending = [entry[1] for entry in connection.run_on_commit]  # this test's transaction
    assert pending.count(content_cache._replace_version) == 1


def test_a_migration_replaces_the_version(lesson):
    from django.apps import apps
    from django.core.management.sql import emit_post_migrate_signal

    before = content_cache.content_version()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default", apps=apps, plan=[])
    assert content_cache.content_version() != before


def test_the_course_outline_and_dashboard_follow_an_admin_edit(client, staff, lesson, learner):
    """The outline of courses, modules and lessons is cached too (course page, home,
    dashboard): a lesson renamed in the admin shows on the next request of each."""
    client.force_login(learner)
    pages = ("/courses/foundations/", "/", "/dashboard/")
    for url in pages:
        assert lesson.title in page(client, url)
    client.force_login(staff)
    form = client.get(f"/admin/lessons/lesson/{lesson.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"module": lesson.module_id, "title": "Renamed in the admin",
                 "labs-TOTAL_FORMS": 0, "labs-INITIAL_FORMS": 0})
    response = client.post(f"/admin/lessons/lesson/{lesson.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(learner)
    for url in pages:
        assert "Renamed in the admin" in page(client, url), url


def test_the_cached_outline_carries_no_lesson_text(lesson, learner):
    """Course pages and the dashboard unpickle the outline on every view: the lessons' text
    stays out of it (with it, the shipped course's outline pickled to ~0.9 MB; without, ~21 KB),
    and each lesson hangs from its module's own object, not a copy with its course."""
    lesson.body = "x" * 50_000
    lesson.save()
    content_cache.content_changed()
    [course] = selectors.outline_cached(user=learner)
    [cached] = [item for module in course.modules.all() for item in module.lessons.all()]
    assert {"body", "body_html"} <= cached.get_deferred_fields()
    assert cached.module is course.modules.all()[0] and cached.module.course is course
    assert len(pickle.dumps(course)) < 10_000


def test_the_cached_challenges_carry_no_lesson_text(lesson, lab, learner, monkeypatch):
    """The course page and the dashboard read the course's challenges from the cache on
    every view: with their labs, not their lessons (whose text was 40 of 49 KB)."""
    lesson.body = "x" * 50_000
    lesson.save()
    Challenge.objects.create(lab=lab, metric="val_accuracy", target=0.9)
    built = {}
    cached = content_cache.cached
    monkeypatch.setattr(selectors.content_cache, "cached",
                        lambda key, build: built.setdefault(key, cached(key, build)))
    counts = selectors.challenges_passed_by_lesson(
        user=learner, courses=selectors.outline_cached(user=learner))
    assert counts == {lesson.pk: (1, 0)}
    [challenges] = [value for key, value in built.items() if key.startswith("challenges:")]
    assert [c.lab.pk for c in challenges] == [lab.pk]
    assert "lesson" not in challenges[0].lab._state.fields_cache
    assert len(pickle.dumps(challenges)) < 10_000


def questions_of(html: str) -> str:
    return html[html.index('<ol class="questions">'):html.index("</ol>", html.index(
        '<ol class="questions">'))]


def test_a_learners_blank_quiz_is_rendered_once_per_content_version(
    client, quiz, learner, other_user, answers_for
):
    """The questions as first shown are the same for every learner: rendered once, then
    cached; an attempt's results, a learner's input or an edit are never served from it."""
    client.force_login(learner)
    first = client.get(LESSON_URL)
    assert "lessons/_quiz_questions.html" in [t.name for t in first.templates]
    client.force_login(other_user)
    again = client.get(LESSON_URL)
    assert "lessons/_quiz_questions.html" not in [t.name for t in again.templates]
    assert questions_of(again.content.decode()) == questions_of(first.content.decode())
    assert "3 questions · pass mark 60%" in again.content.decode()
    client.force_login(learner)
    wrong = {f"q{key}": value for key, value in answers_for(quiz, False).items()}
    response = client.post(f"{LESSON_URL}quiz/", wrong)
    assert response.status_code == 302
    reviewed = client.get(response["Location"]).content.decode()
    assert "✗ Wrong" in questions_of(reviewed)
    blank = questions_of(page(client))
    assert "✗ Wrong" not in blank and "checked" not in blank
    choice = Choice.objects.get(text="wrong")
    choice.text = "an edited choice"
    choice.save()
    assert "an edited choice" in questions_of(page(client))


def test_a_cached_part_is_read_in_one_round_trip(monkeypatch):
    # The version and the entry come together (a lesson page reads two parts, and a read of
    # the version before each was a sixth of its time).
    assert content_cache.cached("part:test", lambda: "built") == "built"
    reads = []
    read_many = content_cache.cache.get_many
    monkeypatch.setattr(content_cache.cache, "get_many",
                        lambda keys: reads.append(keys) or read_many(keys))
    monkeypatch.setattr(content_cache.cache, "get",
                        lambda *args, **kwargs: pytest.fail("a second round trip"))
    assert content_cache.cached("part:test", lambda: "unused") == "built"
    assert len(reads) == 1
    content_cache.content_changed()
    assert content_cache.cached("part:test", lambda: "built again") == "built again"
