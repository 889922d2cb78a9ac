import pytest
from django.contrib.auth.models import User

from tests.fixtures.accounts import PASSWORD


@pytest.mark.django_db
def test_sign_up_logs_the_new_learner_in(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "newbie", "email": "n@example.com",
         "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert not User.objects.get(username="newbie").is_staff


@pytest.mark.django_db
def test_sign_up_with_a_weak_password_shows_the_reason(client):
    response = client.post(
        "/accounts/signup/", {"username": "newbie", "password1": "1234", "password2": "1234"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_the_platforms_own_account_name_cannot_be_taken(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "Platform", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "reserved" in response.content.decode()
    assert not User.objects.filter(username__iexact="platform").exists()


@pytest.mark.django_db
def test_standard_bases_are_never_given_to_a_person_named_platform(make_user):
    from django.core.management import CommandError, call_command

    make_user("platform")  # signed up before the name was reserved
    with pytest.raises(CommandError, match="belongs to a person"):
        call_command("build_base_models", "digits-0-4-mlp")


@pytest.mark.django_db
def test_log_in_and_log_out(client, user):
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302  # back to the login page


@pytest.mark.django_db
def test_wrong_password_is_a_form_error(client, user):
    response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_a_staff_user_is_an_instructor_who_can_edit_lessons(client, make_user):
    instructor = make_user("teacher", is_staff=True)
    assert not instructor.is_superuser
    client.force_login(instructor)
    assert client.get("/admin/lessons/lesson/add/").status_code == 200
    assert client.get("/admin/lessons/quiz/").status_code == 200
    assert client.get("/admin/jobs/trainingjob/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403  # not an administrator


@pytest.mark.django_db
def test_a_learner_cannot_open_the_admin(client, user):
    client.force_login(user)
    response = client.get("/admin/lessons/lesson/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_session_authenticated_api_writes_need_the_csrf_token(user, moons_config):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    refused = browser.post(
        "/api/v1/jobs/", {"config": moons_config}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert "CSRF" in refused.json()["error"]["message"]
    browser.get("/dashboard/")  # a page sets the csrftoken cookie, as in the browser
    token = browser.cookies["csrftoken"].value
    accepted = browser.post("/api/v1/jobs/", {"config": moons_config},
                            content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
