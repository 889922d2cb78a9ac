"""One error shape for every API answer that is not a success:

    {"error": {"code": "invalid", "message": "config.optim.lr: must be greater than 0",
               "fields": {"config.optim.lr": "must be greater than 0"}}}

`code` is a stable machine-readable word, `message` a sentence a person can read as it is,
and `fields` names each offending field by its dotted path (empty when the request as a
whole is refused). Answers that tell a client to wait (429, 503) add `retry_after` in
seconds, as the Retry-After header does. DRF views raise exceptions and
`api_exception_handler` shapes them; the few plain Django views under /api/ (the event
stream, the JSON 404/500 handlers, the database-down middleware) call `error_response`.
"""

from collections.abc import Mapping
from typing import Protocol

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def error_body(code: str, message: str, fields: dict | None = None,
               retry_after: int | None = None) -> dict:
    error = {"code": code, "message": message, "fields": fields or {}}
    if retry_after is not None:
        error["retry_after"] = retry_after
    return {"error": error}


def error_response(status_code: int, code: str, message: str, fields: dict | None = None,
                   retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse(error_body(code, message, fields, retry_after), status=status_code)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


class Conflict(exceptions.APIException):
    """The request is valid but the resource's state does not allow it (cancel a finished
    job, deploy a run with no model)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    """The request is well formed, but the server cannot give a meaningful answer to it
    (a model whose output for these inputs is not a finite number)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class RetryLater(exceptions.APIException):
    """A limit refuses the request for now; `retry_after` says when to try again."""

    def __init__(self, message: str, *, code: str, status_code: int, retry_after: int) -> None:
        super().__init__(message, code)
        self.status_code = status_code
        self.retry_after = retry_after


class OverLimit(Protocol):
    """What a limit refusal carries (jobs.limits.LimitReached and QueueFull)."""

    @property
    def code(self) -> str: ...
    @property
    def http_status(self) -> int: ...
    @property
    def retry_after_s(self) -> int: ...


def retry_later(refusal: OverLimit) -> RetryLater:
    """The API's answer to a limit refusal: its status (429 or 503) with Retry-After."""
    return RetryLater(str(refusal), code=refusal.code, status_code=refusal.http_status,
                      retry_after=refusal.retry_after_s)


class NotAvailable(exceptions.APIException):
    status_code = status.HTTP_501_NOT_IMPLEMENTED
    default_code = "not_implemented"


def invalid(fields: Mapping[str, str | Mapping[str, str]]) -> exceptions.ValidationError:
    """A 400 naming each field: raise invalid({"inputs": "expected 64 numbers"}); a field's
    own fields nest ({"config": {"optim.lr": ...}} names config.optim.lr)."""
    return exceptions.ValidationError(fields)


class StrictFieldsMixin:
    """For a request's serializer: a field the endpoint does not know is a 400 naming it,
    not silently ignored (a misspelt optional field would otherwise look accepted)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise exceptions.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


def api_exception_handler(exc, context):
    """DRF's handler (status, WWW-Authenticate, Retry-After), with the body in our shape."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: the 500 handler answers, in the same shape
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_fields(response.data)
        response.data = error_body("invalid", _invalid_message(fields), fields)
        return response
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is None and response.has_header("Retry-After"):
        retry_after = int(response["Retry-After"])
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    fields = getattr(exc, "fields", None) or {}
    response.data = error_body(_code(exc), _message(exc, response.data), fields, retry_after)
    return response


def flatten_fields(data, prefix: str = "") -> dict[str, str]:
    """DRF's nested errors as {"dotted.path": "reason"}; a list item's index is a path part.

    A config's own errors are already keyed by dotted path ("optim.lr"), so nesting them
    under "config" gives the full path "config.optim.lr".
    """
    if isinstance(data, dict):
        fields: dict[str, str] = {}
        for key, value in data.items():
            path = prefix if key == "non_field_errors" else _join(prefix, str(key))
            fields.update(flatten_fields(value, path))
        return fields
    if isinstance(data, list):
        if all(isinstance(item, str) for item in data):
            return {prefix or "request": " ".join(str(item) for item in data)}
        fields = {}
        for index, item in enumerate(data):
            if item:  # DRF marks the valid items of a list with {}
                fields.update(flatten_fields(item, _join(prefix, str(index))))
        return fields
    return {prefix or "request": str(data)}


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _invalid_message(fields: dict[str, str]) -> str:
    return "; ".join(f"{path}: {reason}" for path, reason in fields.items()) or "Invalid input."


def _code(exc) -> str:
    if isinstance(exc, Http404):
        return "not_found"
    if isinstance(exc, PermissionDenied):
        return "permission_denied"
    detail = getattr(exc, "detail", None)
    return getattr(detail, "code", None) or getattr(exc, "default_code", "error")


def _message(exc, data) -> str:
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"])
    return str(exc)
