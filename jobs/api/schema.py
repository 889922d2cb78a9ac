"""OpenAPI additions for what DRF's schema generator cannot see."""

import threading

from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

from engine import config_json_schema

EVENT_STREAM_DESCRIPTION = """\
Server-Sent Events of one job. Each event has `id:` (the job's event sequence number),
`event:` (`status`, `info`, `metric` or `confusion_matrix`) and JSON `data:`.
Reconnect with the `Last-Event-ID` header (or `?last_event_id=`) to get exactly the events
after that id. The stream replays stored events first, then follows the job live, and ends
after the final `status` event (`succeeded`, `failed` or `cancelled`); reconnecting after
that event gets 204 No Content, which tells an EventSource to stop reconnecting.
"""


# One event of the stream, as an SSE client reads it (a `retry:` line or a `: keepalive`
# comment is not an event).
SSE_EVENT_SCHEMA = {
    "type": "object",
    "required": ["id", "event", "data"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$",
               "description": "The job's event sequence number."},
        "event": {"type": "string", "description": "status, info, metric, "
                  "confusion_matrix, or another kind the model streams (pictures); "
                  "`stream-error` ({code, detail}) when the stream itself must stop (too many "
                  "streams)."},
        "data": {"type": "string", "contentMediaType": "application/json",
                 "description": "The event's payload, as JSON."},
    },
}


def add_event_stream_path(result, generator, request, public):
    """Document the SSE endpoint (a plain async Django view) and the full config schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["TrainConfig"] = (
        config_json_schema()
    )
    result["paths"]["/api/v1/jobs/{job_id}/events/"] = {
        "get": {
            "operationId": "jobs_events_stream",
            "summary": "Follow a job live (Server-Sent Events)",
            "description": EVENT_STREAM_DESCRIPTION,
            "tags": ["jobs"],
            "parameters": [
                {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "Last-Event-ID", "in": "header",
                 "schema": {"type": "integer", "minimum": 0}},
                {"name": "last_event_id", "in": "query",
                 "schema": {"type": "integer", "minimum": 0}},
                {"name": "share", "in": "query", "schema": {"type": "string"},
                 "description": "The share token of a run its owner shared."},
            ],
            # In the order DRF's operations list them: the token first.
            "security": [{"tokenAuth": []}, {"cookieAuth": []}],
            "responses": {
                "200": {
                    "description": "An event stream.",
                    "content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
                },
                "204": {"description": "The job has ended and the client has its final event."},
                "400": {"description": "Last-Event-ID is not an integer."},
                "401": {"description": "Not authenticated, or a bad token."},
                "404": {"description": "No such job (or not yours)."},
                "429": {"description": "Too many open streams; see Retry-After."},
            },
        }
    }
    return result


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer, whatever the endpoint.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable and machine-readable: invalid, not_authenticated, "
                    "authentication_failed, permission_denied, not_found, method_not_allowed, "
                    "unsupported_media_type, parse_error, payload_too_large, conflict, "
                    "unprocessable, throttled, account_locked, limit_reached, queue_full, "
                    "too_many_streams, service_unavailable, not_implemented, server_error.",
                },
                "message": {"type": "string", "description": "A sentence to show a person."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "Each offending field by its dotted path (a config's "
                    'fields as "config.optim.lr"), with the reason; empty when the request '
                    "as a whole is refused.",
                },
                "retry_after": {
                    "type": "integer",
                    "description": "Seconds to wait before trying again (429 and 503 only), "
                    "as in the Retry-After header.",
                },
            },
        }
    },
}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def add_error_responses(result, generator, request, public):
    """Document the errors every operation can answer, in one place and one shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result["paths"].items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if path == "/api/v1/auth/token/":
                responses.setdefault("429", _error("Too many attempts; see Retry-After."))
            else:
                responses.setdefault("401", _error("Not authenticated."))
            if "{job_id}" in path:
                responses.setdefault("404", _error("No such job (or not yours)."))
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", _error("A parameter or field is invalid."))
    return result


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process, under a lock.

    drf-spectacular loads its optional extensions on first use without a lock, so two
    first requests at once can fail with a 500 (tfranzel/drf-spectacular#1122, seen here
    on a fresh server); and the schema cannot change while a process runs.
    """

    _lock = threading.Lock()
    _cached: dict = {}

    def _get_schema_response(self, request):
        # One schema: the version is in the path (/api/v1/), so ?version= and ?lang= are not
        # honoured (each would otherwise add a cached copy on any anonymous request).
        with self._lock:
            if "schema" not in self._cached:
                generator = self.generator_class(urlconf=self.urlconf, patterns=self.patterns)
                self._cached["schema"] = generator.get_schema(request=request,
                                                              public=self.serve_public)
        filename = self._get_filename(request, None)
        return Response(data=self._cached["schema"],
                        headers={"Content-Disposition": f'inline; filename="{filename}"'})
