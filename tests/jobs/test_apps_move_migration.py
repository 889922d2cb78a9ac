"""The move of the models into the apps named for what they do (issue 12), on a database
filled under the old layout: training_worker's TrainingJob, JobEvent, JobLimits, TrainedModel,
StandardBase and DeployedModel, dlplatform's ApiToken. Migrating forward keeps every row,
every token working and every permission an instructor had (roles are found by app label)."""

import hashlib

import pytest
from django.contrib.admin.models import LogEntry
from rest_framework.test import APIClient

from tests.migration_steps import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration of each app before the move.
OLD_LAYOUT = [
    ("training_worker", "0009_joblimits_max_sweep_runs"),
    ("dlplatform", "0002_import_authtoken_keys"),
    ("lessons", "0007_merge_predictions_and_challenge_conditions"),
    ("classroom", "0003_sweeps"),
]
KEY = "dlp_" + "k" * 43  # a token's key as a learner's script holds it



@pytest.fixture
def old_database():
    """The database taken back to the old layout for the test, and forward after it."""
    apps = migrate(OLD_LAYOUT)
    yield apps
    migrate(latest())


def fill(apps) -> dict:
    """Rows of every moved model, written with the old layout's models."""
    model = apps.get_model
    ContentType, Permission = model("contenttypes", "ContentType"), model("auth", "Permission")
    User, Group = model("auth", "User"), model("auth", "Group")
    learner = User.objects.create(username="old-learner")
    model("dlplatform", "ApiToken").objects.create(
        user=learner, name="laptop", prefix=KEY[:12],
        key_hash=hashlib.sha256(KEY.encode()).hexdigest(),
    )
    course = model("lessons", "Course").objects.create(title="C", slug="c")
    module = model("lessons", "Module").objects.create(course=course, title="M", slug="m")
    # An instructor's edit: the lesson's text as changed in the admin.
    lesson = model("lessons", "Lesson").objects.create(
        module=module, title="L", slug="l", body="edited by an instructor"
    )
    lab = model("lessons", "Lab").objects.create(
        lesson=lesson, title="Lab", slug="lab", preset_config={"model": {"kind": "mlp"}}
    )
    job = model("training_worker", "TrainingJob").objects.create(
        owner=learner, lab=lab, config={"model": {"kind": "mlp"}}, status="succeeded",
        result={"val_accuracy": 0.9}, last_seq=2,
    )
    for seq, kind in ((1, "status"), (2, "metric")):
        model("training_worker", "JobEvent").objects.create(
            job=job, seq=seq, type=kind, payload={"seq": seq}
        )
    trained = model("training_worker", "TrainedModel").objects.create(
        job=job, file="models/old.pt", size_bytes=10, n_params=3
    )
    deployed = model("training_worker", "DeployedModel").objects.create(
        owner=learner, job=job, name="my model", preprocessing={"mean": [0.5]}, request_count=4
    )
    model("training_worker", "StandardBase").objects.create(name="digits-mlp", job=job)
    model("training_worker", "JobLimits").objects.create(pk=1, max_concurrent_jobs=7)
    question = model("lessons", "PredictionQuestion").objects.create(
        lab=lab, prompt="How high?", kind="numeric", outcome="val_accuracy", tolerance=0.05
    )
    prediction = model("lessons", "Prediction").objects.create(
        user=learner, question=question, value=0.9, job=job
    )

    # An instructor given permissions on the old app label, through a group and directly.
    instructor = User.objects.create(username="old-instructor", is_staff=True)
    job_type = ContentType.objects.get_or_create(app_label="training_worker",
                                                 model="trainingjob")[0]
    limits_type = ContentType.objects.get_or_create(app_label="training_worker",
                                                    model="joblimits")[0]
    token_type = ContentType.objects.get_or_create(app_label="dlplatform", model="apitoken")[0]
    view_jobs = Permission.objects.get_or_create(
        content_type=job_type, codename="view_trainingjob", defaults={"name": "Can view"}
    )[0]
    change_limits = Permission.objects.get_or_create(
        content_type=limits_type, codename="change_joblimits", defaults={"name": "Can change"}
    )[0]
    delete_tokens = Permission.objects.get_or_create(
        content_type=token_type, codename="delete_apitoken", defaults={"name": "Can delete"}
    )[0]
    readers = Group.objects.create(name="Old readers")
    readers.permissions.add(view_jobs, delete_tokens)
    readers.user_set.add(instructor)
    instructor.user_permissions.add(change_limits)
    # The admin's history of the limits (the admin app is not in the old layout's state).
    LogEntry.objects.create(
        user_id=instructor.pk, content_type_id=limits_type.pk, object_id="1",
        object_repr="Job limits",
        action_flag=2, change_message="raised the limit",
    )
    return {"learner": learner.pk, "instructor": instructor.pk, "job": job.pk,
            "trained": trained.pk, "deployed": deployed.pk, "prediction": prediction.pk,
            "lesson": lesson.pk}


def test_rows_tokens_and_permissions_survive_the_move(old_database):
    ids = fill(old_database)
    migrate(latest())

    # The current code, on the migrated rows.
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType

    from accounts.models import ApiToken
    from deployments.models import DeployedModel
    from jobs.models import JobEvent, JobLimits, StandardBase, TrainedModel, TrainingJob
    from lessons.models import Lesson
    from lessons.prediction_models import Prediction

    ContentType.objects.clear_cache()
    job = TrainingJob.objects.get(pk=ids["job"])
    assert (job.owner_id, job.status, job.result, job.lab.title) == (
        ids["learner"], "succeeded", {"val_accuracy": 0.9}, "Lab"
    )
    assert [(e.seq, e.type) for e in JobEvent.objects.filter(job=job)] == [
        (1, "status"), (2, "metric")
    ]
    assert TrainedModel.objects.get(pk=ids["trained"]).job == job
    deployed = DeployedModel.objects.get(pk=ids["deployed"])
    assert (deployed.job, deployed.name, deployed.preprocessing, deployed.request_count) == (
        job, "my model", {"mean": [0.5]}, 4
    )
    assert StandardBase.objects.get(name="digits-mlp").job == job
    assert JobLimits.current().max_concurrent_jobs == 7
    assert Prediction.objects.get(pk=ids["prediction"]).job == job
    assert Lesson.objects.get(pk=ids["lesson"]).body == "edited by an instructor"
    assert ApiToken.objects.get(user_id=ids["learner"]).name == "laptop"

    # The old key still authenticates, and sees the learner's run.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {KEY}")
    response = client.get("/api/v1/jobs/")
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [job.pk]

    # The instructor's permissions now name the new apps, and still hold.
    instructor = User.objects.get(pk=ids["instructor"])
    assert instructor.has_perm("jobs.view_trainingjob")
    assert instructor.has_perm("jobs.change_joblimits")
    assert instructor.has_perm("accounts.delete_apitoken")
    assert not ContentType.objects.filter(app_label__in=["training_worker", "dlplatform"]).exists()
    entry = LogEntry.objects.get(user=instructor)
    assert entry.content_type.model_class() is JobLimits
    assert {ct.app_label for ct in ContentType.objects.filter(model="deployedmodel")} == {
        "deployments"
    }


def test_the_move_goes_back_too(old_database):
    """Migrating back to the old layout gives the content types their old labels again."""
    fill(old_database)
    migrate(latest())
    apps = migrate(OLD_LAYOUT)
    ContentType = apps.get_model("contenttypes", "ContentType")
    assert set(ContentType.objects.filter(model__in=["trainingjob", "apitoken"])
               .values_list("app_label", flat=True)) == {"training_worker", "dlplatform"}
    assert apps.get_model("training_worker", "JobEvent").objects.count() == 2
