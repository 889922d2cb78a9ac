"""A person manages their own account: reset a forgotten password by e-mail, download all
their data, delete the account with everything in it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.storage import default_storage

from accounts import tokens
from deployments import deploy
from jobs import services
from jobs.models import JobEvent, JobStatus, StandardBase, TrainingJob
from lessons.models import Attempt, Course, Lesson, Module, Quiz
from tests.fixtures.accounts import PASSWORD
from training_worker import runner

NEW_PASSWORD = "a-brand-new-password-77"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def trained_job(user, moons_config, settings, tmp_path):
    """A succeeded moons run of `user`, its model file in a media folder of this test."""
    settings.MEDIA_ROOT = tmp_path
    config = dict(moons_config, optim=dict(moons_config["optim"], epochs=3))
    job = services.job_submit(user=user, config=config)
    runner.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


@pytest.fixture
def attempt(user) -> Attempt:
    course = Course.objects.create(slug="c", title="Course", is_published=True)
    module = Module.objects.create(course=course, slug="m", title="Module")
    lesson = Lesson.objects.create(module=module, slug="l", title="Neurons", body="Hi")
    quiz = Quiz.objects.create(lesson=lesson)
    return Attempt.objects.create(user=user, quiz=quiz, answers={"1": "a"},
                                  results={"1": {"correct": True}}, score=1, max_score=1)


# --- password reset by e-mail --------------------------------------------------------------

@pytest.mark.django_db
def test_a_forgotten_password_is_reset_through_the_link_in_the_email(client, user):
    user.email = "ada@example.com"
    user.save()
    login_page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in login_page

    response = client.post("/accounts/password-reset/", {"email": "ADA@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert message.subject == "Reset your password on Deep Learning Lessons"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    # Django swaps the token in the link for one kept in the session, then shows the form.
    form_url = client.get(link)["Location"]
    assert "set-password" in form_url
    response = client.post(form_url, {"new_password1": NEW_PASSWORD,
                                       "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/reset/done/"

    assert not client.login(username="ada", password=PASSWORD)
    assert client.login(username="ada", password=NEW_PASSWORD)
    client.logout()
    used_again = client.get(link, follow=True).content.decode()
    assert "does not work any more" in used_again


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, user):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_learner_sets_the_address_reset_links_go_to(client, user):
    client.force_login(user)
    assert client.post("/accounts/email/", {"email": "not an address"}).status_code == 400
    response = client.post("/accounts/email/", {"email": "ada@example.org"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "ada@example.org"


@pytest.mark.parametrize(("env", "backend"), [
    ({}, "django.core.mail.backends.console.EmailBackend"),
    ({"DJANGO_EMAIL_HOST": "smtp.example.com", "DJANGO_EMAIL_PORT": "465",
      "DJANGO_EMAIL_USE_SSL": "true"}, "django.core.mail.backends.smtp.EmailBackend"),
])
def test_mail_goes_to_the_console_unless_an_smtp_host_is_set(env, backend):
    code = ("from django.conf import settings as s; "
            "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_EMAIL")}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
        env=dict(clean, DJANGO_SETTINGS_MODULE="dlplatform.settings", **env),
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert out[0] == backend
    if env:
        assert out[1:] == ["smtp.example.com", "465", "False", "True"]


# --- downloading one's data ----------------------------------------------------------------

@pytest.mark.django_db
def test_the_download_holds_runs_models_attempts_and_no_secrets(
        client, user, other_user, trained_job, attempt, moons_config):
    deployed = deploy.model_deploy(user=user, job=trained_job, name="my moons")
    services.job_submit(user=other_user, config=moons_config)
    token, key = tokens.create_token(user, "laptop")
    client.force_login(user)

    response = client.get("/accounts/data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="dlp-ada-\d{4}-\d\d-\d\d\.json"',
                        response["Content-Disposition"])
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)

    assert data["account"]["username"] == "ada"
    [run] = data["runs"]  # not the other learner's
    assert run["id"] == trained_job.pk and run["status"] == "succeeded"
    assert run["config"] == trained_job.config
    assert run["summary"] == trained_job.result and run["summary"]
    assert run["trained_model"]["n_params"] == trained_job.model.n_params
    [model] = data["models"]
    assert (model["id"], model["name"], model["run_id"]) == (deployed.pk, "my moons",
                                                             trained_job.pk)
    [quiz_attempt] = data["quiz_attempts"]
    assert (quiz_attempt["lesson"], quiz_attempt["score"], quiz_attempt["percent"]) == (
        "Neurons", 1, 100.0)
    assert [t["name"] for t in data["api_tokens"]] == ["laptop"]
    assert key not in response.content.decode()
    assert token.key_hash not in response.content.decode()


@pytest.mark.django_db
def test_the_download_needs_a_login(client):
    assert client.get("/accounts/data.json").status_code == 302


# --- deleting one's account ----------------------------------------------------------------

@pytest.mark.django_db
def test_a_wrong_password_deletes_nothing(client, user):
    client.force_login(user)
    response = client.post("/accounts/delete/", {"password": "not-it"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_the_account_removes_runs_models_files_and_attempts(
        client, user, other_user, trained_job, attempt, moons_config):
    deploy.model_deploy(user=user, job=trained_job)
    theirs = services.job_submit(user=other_user, config=moons_config)
    model_file = trained_job.model.file.name
    assert default_storage.exists(model_file)
    client.force_login(user)
    assert "Download your data" in client.get("/accounts/delete/").content.decode()

    response = client.post("/accounts/delete/", {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Your account is deleted, with its 1 runs and 1 deployed models." in (
        response.content.decode())
    assert not User.objects.filter(pk=user.pk).exists()
    assert not TrainingJob.objects.filter(owner_id=user.pk).exists()
    assert not JobEvent.objects.filter(job_id=trained_job.pk).exists()
    assert not Attempt.objects.filter(pk=attempt.pk).exists()
    assert not default_storage.exists(model_file)
    assert TrainingJob.objects.filter(pk=theirs.pk).exists()  # nobody else's
    assert client.get("/accounts/").status_code == 302  # logged out


@pytest.mark.django_db
def test_the_account_that_built_the_standard_bases_cannot_be_deleted(client, user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    StandardBase.objects.create(name="digits-0-4-mlp", job=job)
    client.force_login(user)
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 400
    assert "standard base models" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_a_worker_writing_for_a_deleted_run_is_told_to_stop(user, moons_config):
    job = services.job_submit(user=user, config=moons_config)
    job_id = job.pk
    user.delete()
    assert services.record_events(job_id=job_id, events=[("metric", {"step": 1})]) is True
