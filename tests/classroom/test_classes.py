"""Creating and joining classes, and what a class page shows its instructor."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from classroom.models import Cohort, Membership
from lessons.models import Challenge, LessonProgress
from lessons.services import attempt_submit

pytestmark = pytest.mark.django_db


def test_an_instructor_creates_a_class_and_teaches_it(client, instructor, lesson):
    client.force_login(instructor)
    course = lesson.module.course
    response = client.post("/classes/new/", {"name": "Tuesday", "course": course.pk})
    cohort = Cohort.objects.get(name="Tuesday")
    assert response.status_code == 302 and response["Location"] == f"/classes/{cohort.pk}/"
    assert list(cohort.instructors.all()) == [instructor]
    assert len(cohort.join_code) == 8


def test_a_learner_cannot_create_a_class(client, learner, lesson):
    client.force_login(learner)
    response = client.post("/classes/new/", {"name": "Mine", "course": lesson.module.course.pk})
    assert response.status_code == 403
    assert not Cohort.objects.exists()
    assert "Create a class" not in client.get("/classes/").content.decode()


def test_a_class_without_a_name_is_a_form_error(client, instructor, lesson):
    client.force_login(instructor)
    response = client.post("/classes/new/", {"name": " ", "course": lesson.module.course.pk})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


def test_a_learner_joins_with_a_code_as_typed(client, instructor, learner, make_class):
    cohort = make_class(instructor)
    client.force_login(learner)
    typed = f" {cohort.join_code[:4].lower()}-{cohort.join_code[4:].lower()} "
    response = client.post("/classes/join/", {"code": typed})
    assert response.status_code == 302
    assert Membership.objects.filter(cohort=cohort, learner=learner).exists()
    again = client.post("/classes/join/", {"code": cohort.join_code}, follow=True)
    assert "already in" in again.content.decode()
    assert Membership.objects.filter(learner=learner).count() == 1


def test_a_join_link_fills_in_the_code_and_names_the_class(client, instructor, learner,
                                                            make_class):
    cohort = make_class(instructor)
    client.force_login(learner)
    html = client.get(f"/classes/join/{cohort.join_code}/").content.decode()
    assert cohort.name in html and f'value="{cohort.join_code}"' in html


def test_a_learner_may_be_in_several_classes(client, instructor, other_instructor, learner,
                                             make_class):
    first, second = make_class(instructor), make_class(other_instructor, name="Evening")
    client.force_login(learner)
    for cohort in (first, second):
        client.post("/classes/join/", {"code": cohort.join_code})
    assert set(learner.cohorts_joined.all()) == {first, second}


@pytest.mark.parametrize("code", ["", "NOPE2345", "x" * 40])
def test_a_wrong_code_is_a_form_error(client, learner, instructor, make_class, code):
    make_class(instructor)
    client.force_login(learner)
    response = client.post("/classes/join/", {"code": code})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Membership.objects.exists()


def test_a_closed_class_or_a_renewed_code_takes_nobody_new(client, instructor, learner,
                                                           make_class):
    cohort = make_class(instructor)
    old_code = cohort.join_code
    client.force_login(instructor)
    client.post(f"/classes/{cohort.pk}/renew-code/")
    cohort.refresh_from_db()
    assert cohort.join_code != old_code
    client.force_login(learner)
    assert client.post("/classes/join/", {"code": old_code}).status_code == 400
    Cohort.objects.filter(pk=cohort.pk).update(joining_open=False)
    assert client.post("/classes/join/", {"code": cohort.join_code}).status_code == 400


def test_join_through_the_api(learner, instructor, make_class):
    cohort = make_class(instructor)
    api = APIClient()
    api.force_authenticate(learner)
    response = api.post("/api/v1/classes/join/", {"code": cohort.join_code}, format="json")
    assert response.status_code == 201 and response.json()["id"] == cohort.pk
    assert api.post("/api/v1/classes/join/", {"code": cohort.join_code},
                    format="json").status_code == 200
    bad = api.post("/api/v1/classes/join/", {"code": "ZZZZ9999"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"code"}
    unknown = api.post("/api/v1/classes/join/", {"code": "x", "extra": 1}, format="json")
    assert unknown.status_code == 400 and "extra" in unknown.json()["error"]["fields"]
    api.force_authenticate(instructor)
    own = api.post("/api/v1/classes/join/", {"code": cohort.join_code}, format="json")
    assert own.status_code == 400 and "teach" in own.json()["error"]["message"]


def test_create_through_the_api(instructor, learner, lesson):
    api = APIClient()
    api.force_authenticate(instructor)
    slug = lesson.module.course.slug
    response = api.post("/api/v1/classes/", {"name": "API class", "course": slug},
                        format="json")
    assert response.status_code == 201 and response.json()["role"] == "instructor"
    bad = api.post("/api/v1/classes/", {"name": "x", "course": "no-such"}, format="json")
    assert bad.status_code == 400 and "course" in bad.json()["error"]["fields"]
    api.force_authenticate(learner)
    refused = api.post("/api/v1/classes/", {"name": "x", "course": slug}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"


@pytest.fixture
def busy_class(instructor, learner, make_user, make_class, quiz, lab, answers_for, make_run):
    """A class of three: learner passed the quiz and the challenge; slow missed every
    question; idle did nothing."""
    slow, idle = make_user("slow"), make_user("idle")
    cohort = make_class(instructor, learner, slow, idle)
    attempt_submit(user=learner, quiz=quiz, answers=answers_for(quiz))
    attempt_submit(user=slow, quiz=quiz, answers=answers_for(quiz, right=False))
    Challenge.objects.create(lab=lab, metric="val_accuracy", op=">=", target=0.9)
    make_run(learner, lab=lab, result={"val_accuracy": 0.95, "n_params": 400})
    make_run(slow, lab=lab, result={"val_accuracy": 0.5, "n_params": 400})
    return cohort


def test_the_class_page_shows_each_learners_work(client, instructor, busy_class):
    client.force_login(instructor)
    response = client.get(f"/classes/{busy_class.pk}/")
    rows = {row.learner.username: row for row in response.context["rows"]}
    assert set(rows) == {"learner", "slow", "idle"}
    assert (rows["learner"].lessons_completed, rows["learner"].challenges_passed) == (1, 1)
    assert rows["learner"].mean_score == 100 and rows["slow"].mean_score == 0
    assert (rows["slow"].challenges_passed, rows["slow"].runs) == (0, 1)
    assert rows["idle"].last_activity is None and rows["idle"].attempts == 0
    html = response.content.decode()
    assert f'href="/runs/{rows["learner"].recent_runs[0].pk}/"' in html


def test_sorting_and_filtering(client, instructor, busy_class):
    client.force_login(instructor)
    url = f"/classes/{busy_class.pk}/"

    def names(query: str) -> list[str]:
        return [row.learner.username for row in client.get(url + query).context["rows"]]

    assert names("") == ["idle", "learner", "slow"]
    assert names("?sort=score&dir=desc") == ["learner", "slow", "idle"]
    assert names("?sort=challenges&dir=desc")[0] == "learner"
    assert names("?q=SLO") == ["slow"]
    assert names("?activity=inactive") == ["idle"]
    assert names("?activity=active&sort=name&dir=desc") == ["slow", "learner"]
    assert names("?sort=<script>") == ["idle", "learner", "slow"]


def test_item_analysis_names_the_most_missed_question(client, instructor, busy_class, quiz,
                                                      make_user, answers_for):
    numeric = quiz.questions.get(kind="numeric")
    answers = answers_for(quiz)  # a third learner misses only the numeric question
    answers[str(numeric.pk)] = "7"
    third = make_user("third")
    busy_class.memberships.create(learner=third)
    attempt_submit(user=third, quiz=quiz, answers=answers)
    client.force_login(instructor)
    most = client.get(f"/classes/{busy_class.pk}/").context["most_missed"]
    assert most.question == numeric
    assert (most.missed, most.answered) == (2, 3)
    given = {text: count for text, count, _ in most.distribution}
    assert given == {"13": 1, "7": 1, "14.5": 1}


def test_the_csv_export_is_the_grade_book(client, instructor, busy_class, quiz, make_user):
    Membership.objects.create(cohort=busy_class, learner=make_user("=HYPERLINK(1)"))
    client.force_login(instructor)
    response = client.get(f"/classes/{busy_class.pk}/gradebook.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_name = {row["learner"]: row for row in rows}
    assert by_name["learner"]["lessons completed"] == "1"
    assert by_name["learner"][f"quiz: {quiz.lesson.title}"] == "100.0"
    assert by_name["learner"]["challenge: Batch size"] == "passed"
    assert by_name["slow"]["challenge: Batch size"] == "tried"
    assert by_name["idle"]["runs"] == "0"
    assert "'=HYPERLINK(1)" in by_name  # never a formula in a spreadsheet


def test_the_grade_book_api(instructor, busy_class, lab):
    api = APIClient()
    api.force_authenticate(instructor)
    body = api.get(f"/api/v1/classes/{busy_class.pk}/gradebook/").json()
    learners = {row["username"]: row for row in body["learners"]}
    challenge_id = str(body["challenges"][0]["id"])
    assert learners["learner"]["challenges"][challenge_id] == "passed"
    assert learners["idle"]["challenges"][challenge_id] == "not tried"
    assert body["most_missed"][0]["missed"] >= 1


def test_staff_get_both_roles_and_keep_what_an_admin_takes_away(make_user):
    user = make_user("new-staff", is_staff=True)
    names = set(user.groups.values_list("name", flat=True))
    assert names == {"Content authors", "Class instructors"}
    user.groups.remove(Group.objects.get(name="Class instructors"))
    user.save()
    assert set(user.groups.values_list("name", flat=True)) == {"Content authors"}


def test_the_migration_keeps_todays_instructors_authoring(make_user):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("classroom.migrations.0002_split_instructors_into_roles")
    old = Group.objects.create(name="Instructors")
    teacher = make_user("old-teacher")
    teacher.groups.add(old)
    migration.split(apps, None)
    assert not Group.objects.filter(name="Instructors").exists()
    assert set(teacher.groups.values_list("name", flat=True)) == {
        "Content authors", "Class instructors"
    }
    assert teacher.has_perm("lessons.change_lesson")


def test_progress_rows_outside_the_course_are_not_counted(instructor, learner, make_class,
                                                          make_lesson):
    from classroom.selectors import gradebook

    other = make_lesson("elsewhere", course_slug="another-course")
    LessonProgress.objects.create(user=learner, lesson=other, best_score=50)
    book = gradebook(cohort=make_class(instructor, learner))
    assert book.rows[0].best_scores == {} and book.rows[0].lessons_completed == 0


def test_the_class_page_costs_the_same_queries_for_more_learners(
    client, instructor, busy_class, make_user, make_run, lab, django_assert_max_num_queries
):
    client.force_login(instructor)
    url = f"/classes/{busy_class.pk}/"
    client.get(url)
    # session, user, permissions 2, class, memberships, lessons, challenges, progress,
    # attempts, runs, recent runs, challenge runs, item analysis 3, savepoints of the request
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for i in range(6):
        newcomer = make_user(f"newcomer-{i}")
        busy_class.memberships.create(learner=newcomer)
        make_run(newcomer, lab=lab, result={"val_accuracy": 0.5, "n_params": 400})
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(url).context["rows"]) == 9
