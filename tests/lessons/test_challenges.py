"""Challenges graded by training: from the learner's own runs as the worker stored them."""

import copy
import json
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from jobs import services
from jobs.models import JobStatus, TrainingJob
from lessons.challenge_rules import validate_challenge
from lessons.challenges import challenge_status, grade_run
from lessons.content import ContentError, read_content
from lessons.loader import load_content
from lessons.models import Challenge, Lab
from training_worker import runner

pytestmark = pytest.mark.django_db
LESSON_URL = "/courses/foundations/neurons/"


@pytest.fixture
def challenge(lab) -> Challenge:
    challenge = Challenge(lab=lab, metric="val_accuracy", op=">=", target=0.9, max_params=500,
                          bounds={"model.hidden": {"max_layers": 2, "max_units": 16}})
    challenge.full_clean()
    challenge.save()
    return challenge


def stored_run(owner, lab, *, hidden=(16, 16), accuracy=0.95, n_params=386, lab_link=True,
               status=JobStatus.SUCCEEDED, **config_changes):
    """A run as the worker leaves it: its normalized config, status and summary."""
    config = copy.deepcopy(lab.preset_config)
    config["model"]["hidden"] = list(hidden)
    for path, value in config_changes.items():
        section, name = path.split("__")
        config[section][name] = value
    return TrainingJob.objects.create(
        owner=owner, lab=lab if lab_link else None, config=config, status=status,
        result={"val_accuracy": accuracy, "n_params": n_params},
    )


def test_a_run_within_bounds_reaching_the_goal_passes(challenge, learner):
    grade = grade_run(challenge, stored_run(learner, challenge.lab))
    assert grade.counts and grade.passed and grade.value == 0.95


def test_a_run_short_of_the_goal_counts_without_passing(challenge, learner):
    grade = grade_run(challenge, stored_run(learner, challenge.lab, accuracy=0.7))
    assert grade.counts and not grade.passed


def test_a_run_outside_the_bounds_does_not_count_and_says_why(challenge, learner):
    lab = challenge.lab
    wide = grade_run(challenge, stored_run(learner, lab, hidden=[32]))
    assert wide.reasons == {"model.hidden": "this challenge allows at most 16 units per layer "
                                            "(got 32)"}
    # optim.lr is tunable in the lab, but not one of this challenge's fields.
    lr = grade_run(challenge, stored_run(learner, lab, optim__lr=0.5))
    assert lr.reasons == {"optim.lr": "this challenge does not let you change this"}
    big = grade_run(challenge, stored_run(learner, lab, n_params=900))
    assert big.reasons == {"parameters": "this challenge allows at most 500 parameters (got 900)"}
    assert not (wide.passed or lr.passed or big.passed)


def test_the_status_takes_the_best_counted_run_and_names_an_uncounted_latest(challenge,
                                                                             learner):
    lab = challenge.lab
    stored_run(learner, lab, accuracy=0.8)
    best = stored_run(learner, lab, accuracy=0.85)
    stored_run(learner, lab, accuracy=0.99, status=JobStatus.FAILED)  # only succeeded runs
    latest = stored_run(learner, lab, hidden=[32], accuracy=0.99)
    status = challenge_status(user=learner, challenge=challenge)
    assert not status.passed and status.best.job == best and status.runs_counted == 2
    assert status.latest_uncounted.job == latest
    passing = stored_run(learner, lab, accuracy=0.92)
    status = challenge_status(user=learner, challenge=challenge)
    assert status.passed and status.best.job == passing and status.latest_uncounted is None


def test_an_api_run_without_the_lab_counts_when_its_config_matches(challenge, learner,
                                                                   other_learner):
    stored_run(learner, challenge.lab, lab_link=False)
    assert challenge_status(user=learner, challenge=challenge).passed
    # Another learner's passing run, and an unrelated API run, count for nobody else.
    stored_run(other_learner, challenge.lab, lab_link=False, hidden=[64])
    status = challenge_status(user=other_learner, challenge=challenge)
    assert status.runs_counted == 0 and status.latest_uncounted is None


@pytest.fixture
def other_learner(django_user_model):
    return django_user_model.objects.create_user("someone-else", password="pw-other-123")


@pytest.mark.parametrize("fields,problem", [
    ({"metric": "accuracy_of_the_moon"}, "metric"),
    ({"target": "high"}, "target"),
    ({"bounds": {"data.noise": {}}}, "bounds"),  # not tunable in the lab
    ({"bounds": {"optim.lr": {"min": 2}}}, "bounds"),  # the preset's 0.1 is outside it
    ({"bounds": ["optim.lr"]}, "bounds"),
])
def test_a_challenge_that_could_never_be_taken_is_refused(lab, fields, problem):
    spec = {"metric": "val_accuracy", "target": 0.9, "bounds": {}, **fields}
    assert set(validate_challenge(lab=lab, **spec)) == {problem}


def test_the_admin_shows_a_bad_challenge_beside_its_field(client, staff, lab):
    client.force_login(staff)
    data = {
        "lesson": lab.lesson_id, "title": lab.title, "slug": lab.slug, "order": 1,
        "instructions": "Go.", "preset_config": json.dumps(lab.preset_config),
        "tunable": json.dumps(lab.tunable), "challenge-INITIAL_FORMS": 0,
        "challenge-TOTAL_FORMS": 1, "challenge-0-metric": "val_accuracy",
        "challenge-0-op": ">=", "challenge-0-target": "0.9",
        "challenge-0-bounds": '{"data.noise": {}}',
    }
    response = client.post(f"/admin/lessons/lab/{lab.pk}/change/", data)
    assert response.status_code == 200
    assert "not tunable in the lab" in response.content.decode()
    assert not Challenge.objects.exists()
    data["challenge-0-bounds"] = '{"optim.lr": {"max": 0.5}}'
    assert client.post(f"/admin/lessons/lab/{lab.pk}/change/", data).status_code == 302
    assert Challenge.objects.get().bounds == {"optim.lr": {"max": 0.5}}


def test_the_lab_shows_the_goal_the_best_run_and_a_pass(client, challenge, learner):
    client.force_login(learner)
    html = client.get(LESSON_URL).content.decode()
    assert "validation accuracy (last epoch) at least 0.9" in html
    assert "No run of yours counts yet" in html
    stored_run(learner, challenge.lab, hidden=[32])
    html = client.get(LESSON_URL).content.decode()
    assert "does not count" in html and "at most 16 units per layer (got 32)" in html
    run = stored_run(learner, challenge.lab)
    html = client.get(LESSON_URL).content.decode()
    assert f"Passed: run #{run.pk} reached 0.95." in html and "✓ passed" in html


def test_the_lab_page_reads_its_newest_run_and_challenge_from_one_set_of_runs(
    client, challenge, learner, other_learner
):
    # The page reads the learner's runs once for both boxes (lessons/challenge_views.py):
    # the newest run of the lab is a run of the lab of any status, never a run without a
    # lab (which the challenge may count) nor another learner's.
    client.force_login(learner)
    passing = stored_run(learner, challenge.lab)
    newest = stored_run(learner, challenge.lab, status=JobStatus.QUEUED, accuracy=None)
    api_run = stored_run(learner, challenge.lab, lab_link=False)
    stored_run(other_learner, challenge.lab, status=JobStatus.QUEUED)
    html = client.get(LESSON_URL).content.decode()
    assert f'data-latest-job="{newest.pk}"' in html
    assert api_run.pk > newest.pk > passing.pk
    assert f"Passed: run #{passing.pk} reached 0.95." in html


def test_the_outline_and_dashboard_count_passed_challenges(client, challenge, learner):
    client.force_login(learner)
    assert "0 of 1 challenge passed" in client.get("/courses/foundations/").content.decode()
    stored_run(learner, challenge.lab)
    assert "1 of 1 challenge passed" in client.get("/courses/foundations/").content.decode()
    assert "1 of 1</strong> challenge passed" in client.get("/dashboard/").content.decode()


def test_the_challenge_api_gives_the_learners_own_status(challenge, learner, other_learner):
    stored_run(learner, challenge.lab)
    api = APIClient()
    api.force_authenticate(learner)
    body = api.get(f"/api/v1/challenges/{challenge.pk}/").json()
    assert body["status"]["passed"] is True and body["goal"]["value"] == 0.9
    assert [c["id"] for c in api.get(f"/api/v1/challenges/?lab={challenge.lab_id}").json()] \
        == [challenge.pk]
    assert api.get("/api/v1/challenges/?lab=x").json()["error"]["fields"] == {
        "lab": "Must be a lab id (a positive integer)."
    }
    api.force_authenticate(other_learner)
    assert api.get(f"/api/v1/challenges/{challenge.pk}/").json()["status"]["passed"] is False
    assert APIClient().get(f"/api/v1/challenges/{challenge.pk}/").status_code == 401


def test_a_challenge_on_a_draft_lesson_is_hidden_from_learners(challenge, learner):
    lesson = challenge.lab.lesson
    lesson.status = "draft"
    lesson.save()
    api = APIClient()
    api.force_authenticate(learner)
    assert api.get(f"/api/v1/challenges/{challenge.pk}/").status_code == 404


# --- content files ------------------------------------------------------------------------

SHIPPED = Path(settings.BASE_DIR) / "content"


def test_content_files_carry_challenges_and_reject_bad_ones(tmp_path):
    course = tmp_path / "content" / "c"
    (course / "m").mkdir(parents=True)
    (course / "course.yaml").write_text("title: C\nmodules:\n  - {slug: m, title: M}\n")
    lesson = textwrap.dedent("""\
        ---
        title: L
        labs:
          - title: Lab
            slug: lab
            preset_config:
              model: {kind: mlp, hidden: [8]}
              data: {name: moons}
              optim: {name: adam, lr: 0.01, epochs: 5}
            tunable:
              model.hidden: {max_layers: 2, max_units: 16}
            challenge:
              goal: {metric: %s, op: "%s", value: 0.9}
              max_params: %s
              bounds: {model.hidden: {max_layers: 1}}
        ---
        Body.
        """)
    (course / "m" / "01-l.md").write_text(lesson % ("val_accuracy", ">=", "300"))
    [spec] = read_content(tmp_path / "content")
    assert spec.lessons[0].data["labs"][0]["challenge"] == {
        "metric": "val_accuracy", "op": ">=", "target": 0.9, "max_params": 300,
        "bounds": {"model.hidden": {"max_layers": 1}},
        "also_metric": "", "also_op": ">=", "also_target": None,
    }
    (course / "m" / "01-l.md").write_text(lesson % ("luck", "=>", "-3"))
    with pytest.raises(ContentError) as error:
        read_content(tmp_path / "content")
    problems = "\n".join(error.value.problems)
    for where in ("challenge.goal.op", "challenge.max_params", "challenge.goal.metric"):
        assert f"labs[0].{where}" in problems


def test_the_loader_writes_the_challenge_and_is_idempotent(tmp_path):
    report = load_content(SHIPPED)
    lab = Lab.objects.get(slug="linear-vs-mlp")
    assert lab.challenge.max_params == 30 and lab.challenge.target == 0.95
    again = load_content(SHIPPED)
    assert not again.updated and not again.skipped and again.unchanged
    assert report.created


# --- the shipped challenge, trained for real ------------------------------------------------

def train(user, lab, **model):
    config = copy.deepcopy(lab.preset_config)
    config["model"].update(model)
    job = services.job_submit(user=user, config=config, lab=lab)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    return job


def test_the_shipped_challenge_is_failed_by_the_preset_and_passed_by_a_small_network(learner):
    load_content(SHIPPED)
    lab = Lab.objects.select_related("challenge").get(slug="linear-vs-mlp")
    challenge = lab.challenge
    straight = train(learner, lab)  # the preset: a straight line cannot separate the rings
    status = challenge_status(user=learner, challenge=challenge)
    assert status.runs_counted == 1 and not status.passed
    assert status.best.value < 0.95
    too_big = train(learner, lab, hidden=[8])  # separates them, with 42 parameters
    status = challenge_status(user=learner, challenge=challenge)
    assert too_big.result["val_accuracy"] >= 0.95 and too_big.result["n_params"] == 42
    assert status.latest_uncounted.job == too_big and not status.passed
    assert "at most 30 parameters (got 42)" in status.latest_uncounted.reasons["parameters"]
    small = train(learner, lab, hidden=[4])  # 22 parameters are enough
    status = challenge_status(user=learner, challenge=challenge)
    assert status.passed and status.best.job == small and small.result["n_params"] == 22
    assert straight.result["val_accuracy"] < 0.95 <= small.result["val_accuracy"]
