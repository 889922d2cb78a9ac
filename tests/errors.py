"""Reading the API's one error shape in tests: {"error": {"code", "message", "fields"}}."""


def api_error(response) -> dict:
    """The error object of an error answer, after checking the shape every error has."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error), error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert all(isinstance(reason, str) and reason for reason in error["fields"].values()), error
    return error


def error_fields(response) -> dict[str, str]:
    return api_error(response)["fields"]


def error_message(response) -> str:
    return api_error(response)["message"]
