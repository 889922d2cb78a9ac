"""/models/ lists the learner's deployed models; /models/<id>/ shows one to its owner."""

import pytest


@pytest.mark.django_db
def test_the_model_page_renders_for_its_owner(client, user, digits_model, api):
    api.post(digits_model["urls"]["predict"], {"inputs": [[0] * 64]}, format="json")
    client.force_login(user)
    response = client.get(f"/models/{digits_model['id']}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert digits_model["name"] in html and "model-canvas" in html
    assert f"/api/v1/jobs/{digits_model['job']}/model/" in html  # the download link
    assert "Validation accuracy" in html and "Parameters" in html and "trained by ada" in html
    assert "<dt title=\"val_accuracy\">" in html  # the raw key only as a tooltip
    assert response.context["deployed"].prediction_count == 1


@pytest.mark.django_db
def test_a_2d_model_page_carries_its_training_points(client, user, moons_model):
    client.force_login(user)
    response = client.get(f"/models/{moons_model['id']}/")
    assert response.status_code == 200
    points = response.context["page_data"]["points"]
    assert len(points["x"]) == len(points["label"]) > 100
    # In the dataset's own coordinates: the moons span about [-1, 2] x [-0.5, 1].
    assert min(points["x"]) < -0.5 and max(points["x"]) > 1.5
    # The decision regions come with the page: a 30x30 grid of class indices.
    regions = points["regions"]
    assert len(regions["x"]) == len(regions["y"]) == len(regions["z"]) == 30
    assert {c for row in regions["z"] for c in row} == {0, 1}
    assert regions["x"][0] < min(points["x"]) and regions["x"][-1] > max(points["x"])


@pytest.mark.django_db
def test_viewing_the_model_page_is_not_counted_as_predictions(client, api, user, moons_model):
    client.force_login(user)
    for _ in range(2):
        assert client.get(f"/models/{moons_model['id']}/").status_code == 200
    model = api.get(moons_model["urls"]["self"]).json()
    assert (model["prediction_count"], model["request_count"]) == (0, 0)
    api.post(moons_model["urls"]["predict"], {"inputs": [[0.5, 0.2], [1, 0]]}, format="json")
    model = api.get(moons_model["urls"]["self"]).json()
    assert (model["prediction_count"], model["request_count"]) == (2, 1)


@pytest.mark.django_db
def test_the_list_shows_only_my_models(client, user, other_user, moons_model):
    client.force_login(user)
    assert moons_model["name"] in client.get("/models/").content.decode()
    client.force_login(other_user)
    assert moons_model["name"] not in client.get("/models/").content.decode()
    assert client.get(f"/models/{moons_model['id']}/").status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client, moons_model):
    response = client.get(f"/models/{moons_model['id']}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
