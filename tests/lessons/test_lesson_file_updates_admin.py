"""The admin side of a lesson file update: find it, read the diff, accept or keep it."""

import pytest

from lessons.models import Lesson, PendingLessonUpdate
from tests.lessons.test_load_lessons import COURSE_YAML, LESSON_MD, load, write

pytestmark = pytest.mark.django_db

LESSON_FILE = "test-course/basics/01-neurons.md"
CHANGELIST = "/admin/lessons/lesson/"


@pytest.fixture
def flagged(tmp_path, make_lesson) -> Lesson:
    """'neurons' edited in the admin, then its file corrected and loaded; and a bystander."""
    root = tmp_path / "content"
    write(root, "test-course/course.yaml", COURSE_YAML)
    write(root, LESSON_FILE, LESSON_MD)
    load(root)
    make_lesson("bystander", course_slug="other")
    lesson = Lesson.objects.get(slug="neurons")
    lesson.body = "Edited in the admin."
    lesson.save()
    write(root, LESSON_FILE, LESSON_MD.replace("Body with", "Corrected body with"))
    load(root)
    assert PendingLessonUpdate.objects.filter(lesson=lesson).exists()
    return lesson


def action_url(lesson, action):
    return f"{CHANGELIST}{lesson.pk}/file-update/{action}/"


def test_the_changelist_filters_and_badges_lessons_with_an_update(client, staff, flagged):
    client.force_login(staff)
    everything = client.get(CHANGELIST).content.decode()
    assert "Bystander" in everything and everything.count("update available</span>") == 1
    waiting = client.get(f"{CHANGELIST}?file_update=available").content.decode()
    assert "Neurons" in waiting and "Bystander" not in waiting
    none = client.get(f"{CHANGELIST}?file_update=none").content.decode()
    assert "Bystander" in none and ">Neurons<" not in none


def test_the_change_page_shows_the_diff_with_accept_and_keep(client, staff, flagged):
    client.force_login(staff)
    html = client.get(f"{CHANGELIST}{flagged.pk}/change/").content.decode()
    assert "found a newer content/test-course/basics/01-neurons.md on" in html
    assert "-Edited in the admin.</span>" in html
    assert "+Corrected body with $x_i$.</span>" in html
    assert f'formaction="{action_url(flagged, "accept")}"' in html
    assert f'formaction="{action_url(flagged, "keep")}"' in html
    bystander = Lesson.objects.get(slug="bystander")
    assert "Update from the lesson file" not in client.get(
        f"{CHANGELIST}{bystander.pk}/change/"
    ).content.decode()


def test_accept_from_the_change_page(client, staff, flagged):
    client.force_login(staff)
    response = client.post(action_url(flagged, "accept"), {"body": "the unsaved form"})
    assert response.status_code == 302 and response.url == f"{CHANGELIST}{flagged.pk}/change/"
    assert Lesson.objects.get(pk=flagged.pk).body.startswith("Corrected body")
    assert not PendingLessonUpdate.objects.exists()
    page = client.get(response.url).content.decode()
    assert "now has the file&#x27;s version." in page

    again = client.post(action_url(flagged, "accept"), follow=True).content.decode()
    assert "has no file update waiting" in again  # a second click: a message, not a 500


def test_keep_from_the_change_page(client, staff, flagged):
    client.force_login(staff)
    assert client.post(action_url(flagged, "keep")).status_code == 302
    lesson = Lesson.objects.get(pk=flagged.pk)
    assert lesson.body == "Edited in the admin." and lesson.kept_source_hash
    assert not PendingLessonUpdate.objects.exists()


def test_accept_and_keep_need_a_post_by_an_instructor(client, learner, staff, flagged):
    client.force_login(staff)
    assert client.get(action_url(flagged, "accept")).status_code == 405
    assert client.post(f"{CHANGELIST}999999/file-update/keep/").status_code == 404
    client.force_login(learner)
    response = client.post(action_url(flagged, "accept"))
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert Lesson.objects.get(pk=flagged.pk).body == "Edited in the admin."
    assert PendingLessonUpdate.objects.exists()


@pytest.mark.parametrize(
    ("action", "body"),
    [("accept_file_updates", "Corrected body with $x_i$.\n"),
     ("keep_admin_versions", "Edited in the admin.")],
)  # fmt: skip
def test_list_actions_apply_to_the_selected_lessons(client, staff, flagged, action, body):
    client.force_login(staff)
    bystander = Lesson.objects.get(slug="bystander")
    response = client.post(
        CHANGELIST, {"action": action, "_selected_action": [flagged.pk, bystander.pk]}
    )
    assert response.status_code == 302
    assert Lesson.objects.get(pk=flagged.pk).body == body
    assert Lesson.objects.get(pk=bystander.pk).body == "Hello $x_i$"
    assert not PendingLessonUpdate.objects.exists()
