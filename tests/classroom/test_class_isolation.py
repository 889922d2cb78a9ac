"""Every class page, export and API view is its instructors' only; a class instructor reads
(never changes) their own learners' runs, and nobody else gains any access."""

import pytest
from rest_framework.test import APIClient

from jobs.models import JobEvent

pytestmark = pytest.mark.django_db

PAGES = [
    ("get", "/classes/{id}/"),
    ("get", "/classes/{id}/gradebook.csv"),
    ("post", "/classes/{id}/renew-code/"),
    ("get", "/api/v1/classes/{id}/gradebook/"),
]


@pytest.fixture
def setting(instructor, other_instructor, learner, make_user, make_class, make_run, lab):
    classmate = make_user("classmate")
    cohort = make_class(instructor, learner, classmate)
    other_cohort = make_class(other_instructor, make_user("elsewhere"), name="Other class")
    return {"cohort": cohort, "other_cohort": other_cohort, "classmate": classmate,
            "run": make_run(learner, lab=lab, result={"val_accuracy": 0.9, "n_params": 10})}


@pytest.mark.parametrize("method,url", PAGES)
def test_the_classes_instructor_gets_every_page(client, instructor, setting, method, url):
    client.force_login(instructor)
    response = getattr(client, method)(url.format(id=setting["cohort"].pk))
    assert response.status_code in (200, 302)
    if method == "get":
        assert response.status_code == 200


@pytest.mark.parametrize("method,url", PAGES)
@pytest.mark.parametrize("who", ["other_instructor", "learner", "classmate"])
def test_everyone_else_is_refused_as_if_the_class_did_not_exist(
    client, setting, method, url, who, request
):
    user = setting["classmate"] if who == "classmate" else request.getfixturevalue(who)
    client.force_login(user)
    cohort = setting["cohort"]
    code = cohort.join_code
    response = getattr(client, method)(url.format(id=cohort.pk))
    assert response.status_code == 404
    # No member's name leaks (the page's header names the visitor themself, so not theirs).
    members = {setting["classmate"].username, request.getfixturevalue("learner").username}
    body = response.content.decode()
    assert not [name for name in members - {user.username} if name in body]
    cohort.refresh_from_db()
    assert cohort.join_code == code  # the refused POST changed nothing


@pytest.mark.parametrize("method,url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, setting, method, url):
    response = getattr(client, method)(url.format(id=setting["cohort"].pk))
    if url.startswith("/api/"):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_class_list_shows_only_your_own_classes(client, instructor, setting):
    client.force_login(instructor)
    html = client.get("/classes/").content.decode()
    assert "Monday group" in html and "Other class" not in html
    api = APIClient()
    api.force_authenticate(instructor)
    names = [c["name"] for c in api.get("/api/v1/classes/").json()]
    assert names == ["Monday group"]


def test_a_learner_sees_their_class_but_not_its_code_or_classmates(setting, learner):
    api = APIClient()
    api.force_authenticate(learner)
    [joined] = api.get("/api/v1/classes/").json()
    assert joined["role"] == "learner"
    assert "join_code" not in joined and "learners" not in joined


def test_the_instructor_reads_a_learners_run_but_cannot_change_it(setting, instructor):
    run = setting["run"]
    JobEvent.objects.create(job=run, seq=1, type="status", payload={"status": "queued"})
    api = APIClient()
    api.force_authenticate(instructor)
    assert api.get(f"/api/v1/jobs/{run.pk}/").status_code == 200
    assert api.get(f"/api/v1/jobs/{run.pk}/metrics/").json()["events"][0]["seq"] == 1
    assert api.get(f"/api/v1/jobs/{run.pk}/export.csv").status_code == 200
    assert api.patch(f"/api/v1/jobs/{run.pk}/", {"shared": True}, format="json").status_code \
        == 404
    assert api.post(f"/api/v1/jobs/{run.pk}/cancel/").status_code == 404
    assert api.post(f"/api/v1/jobs/{run.pk}/deploy/").status_code == 404
    assert run.pk not in [job["id"] for job in api.get("/api/v1/jobs/").json()["results"]]


def test_the_run_page_opens_for_the_instructor_read_only(client, setting, instructor):
    client.force_login(instructor)
    response = client.get(f"/runs/{setting['run'].pk}/")
    assert response.status_code == 200
    assert response.context["is_owner"] is False


@pytest.mark.parametrize("who", ["other_instructor", "classmate"])
def test_nobody_else_reads_the_learners_run(client, setting, who, request):
    user = setting["classmate"] if who == "classmate" else request.getfixturevalue(who)
    client.force_login(user)
    run = setting["run"]
    assert client.get(f"/runs/{run.pk}/").status_code == 404
    assert client.get(f"/api/v1/jobs/{run.pk}/").status_code == 404
    assert client.get(f"/api/v1/jobs/{run.pk}/events/").status_code == 404


def test_leaving_the_class_ends_the_instructors_access(client, setting, instructor, learner):
    client.force_login(learner)
    assert client.post(f"/classes/{setting['cohort'].pk}/leave/").status_code == 302
    client.force_login(instructor)
    assert client.get(f"/runs/{setting['run'].pk}/").status_code == 404


@pytest.mark.parametrize("model", ["jobs/trainingjob", "jobs/jobevent",
                                   "lessons/attempt", "lessons/lessonprogress"])
def test_the_admin_lists_only_the_instructors_own_learners(
    client, setting, instructor, other_instructor, learner, quiz, answers_for, model
):
    from lessons.services import attempt_submit

    attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    JobEvent.objects.create(job=setting["run"], seq=1, type="status", payload={})
    client.force_login(instructor)
    page = client.get(f"/admin/{model}/")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    client.force_login(other_instructor)
    assert client.get(f"/admin/{model}/").context["cl"].result_count == 0


def test_a_content_author_alone_sees_no_learners_work(client, make_user, setting):
    from django.contrib.auth.models import Group

    author = make_user("author")
    author.is_staff = True
    author.groups.add(Group.objects.get(name="Content authors"))
    author.save()
    assert list(author.groups.values_list("name", flat=True)) == ["Content authors"]
    client.force_login(author)
    assert client.get("/admin/jobs/trainingjob/").status_code == 403
    assert client.get("/admin/lessons/attempt/").status_code == 403
    assert client.get("/admin/lessons/lesson/").status_code == 200
    assert client.get(f"/runs/{setting['run'].pk}/").status_code == 404
