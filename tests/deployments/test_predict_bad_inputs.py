"""Inputs that do not fit the model get a 400 naming the shape it expects."""

import pytest

from tests.errors import api_error, error_fields


@pytest.mark.django_db
@pytest.mark.parametrize(("inputs", "says"), [
    ([[1.0, 2.0, 3.0]], "got 3 values, not 2"),
    ([[1.0]], "got 1 values, not 2"),
    ([[1.0, "a"]], "not a number"),
    ([[1.0, True]], "not a number"),
    ([1.0, 2.0], "not a list"),
    ([], "non-empty list"),
    ("1,2", "non-empty list"),
    ([[0.0, 0.0]] * 1001, "At most 1000 inputs"),
    ([[10**400, 0]], "finite numbers"),
])
def test_bad_points_are_400_with_the_expected_shape(api, moons_model, inputs, says):
    response = api.post(moons_model["urls"]["predict"], {"inputs": inputs}, format="json")
    assert response.status_code == 400
    message = error_fields(response)["inputs"]
    assert says in message
    if "At most" not in says:
        assert "[x, y]" in message


@pytest.mark.django_db
def test_a_missing_or_misnamed_inputs_field_is_400(api, moons_model):
    response = api.post(moons_model["urls"]["predict"], {"points": [[0, 0]]}, format="json")
    assert response.status_code == 400 and error_fields(response) == {"points": "Unknown field."}
    response = api.post(moons_model["urls"]["predict"], {}, format="json")
    assert response.status_code == 400 and "inputs" in error_fields(response)


@pytest.mark.django_db
@pytest.mark.parametrize(("inputs", "says"), [
    ([[0] * 63], "got 63 values, not 64"),
    ([[[0] * 8] * 8], "got 8 values, not 64"),
    ([[0] * 63 + ["x"]], "not a number"),
    ([[17] * 64], "must lie in [0, 16]"),
    ([[-1] * 64], "must lie in [0, 16]"),
])
def test_bad_digits_are_400_with_the_expected_shape(api, digits_model, inputs, says):
    response = api.post(digits_model["urls"]["predict"], {"inputs": inputs}, format="json")
    assert response.status_code == 400
    message = error_fields(response)["inputs"]
    assert says in message and "64 pixel values 0..16" in message


@pytest.mark.django_db
def test_bad_requests_are_not_counted(api, moons_model):
    api.post(moons_model["urls"]["predict"], {"inputs": [[1, 2, 3]]}, format="json")
    assert api.get(moons_model["urls"]["self"]).json()["request_count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("value", [1e39, -1e39, 1e308, 3.5e38])
@pytest.mark.parametrize("endpoint", ["predict", "explain"])
def test_values_beyond_float32_are_400_naming_the_input(api, moons_model, value, endpoint):
    """The model computes in float32, where these are inf: refused before it sees them."""
    body = {"inputs": [[0.5, 0.2], [0.1, value]]}
    response = api.post(moons_model["urls"][endpoint], body, format="json")
    assert response.status_code == 400, response.content
    message = error_fields(response)["inputs"]
    assert "inputs[1][1]" in message and "float32" in message


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["predict", "explain"])
def test_an_output_that_overflows_is_a_422_naming_the_input(api, moons_model, endpoint):
    """3e38 is a float32, but standardizing it (dividing by the data's spread, about 0.5)
    overflows: the model's answer would be NaN, which JSON cannot carry."""
    body = {"inputs": [[0.5, 0.2], [0.0, 3e38]]}
    response = api.post(moons_model["urls"][endpoint], body, format="json")
    assert response.status_code == 422, response.content
    error = api_error(response)
    assert error["code"] == "unprocessable"
    assert "inputs[1]" in error["fields"]["inputs"] and "not a finite number" in error["message"]


@pytest.mark.django_db
def test_large_finite_inputs_still_get_finite_answers(api, moons_model):
    response = api.post(moons_model["urls"]["predict"], {"inputs": [[1e6, -1e6]]}, format="json")
    assert response.status_code == 200
    probabilities = response.json()["predictions"][0]["probabilities"].values()
    assert abs(sum(probabilities) - 1) < 1e-5
