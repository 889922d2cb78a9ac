"""OpenAPI additions for what DRF's schema generator cannot see."""

from training_worker.engine import config_json_schema

EVENT_STREAM_DESCRIPTION = """\
Server-Sent Events of one job. Each event has `id:` (the job's event sequence number),
`event:` (`status`, `info`, `metric` or `confusion_matrix`) and JSON `data:`.
Reconnect with the `Last-Event-ID` header (or `?last_event_id=`) to get exactly the events
after that id. The stream replays stored events first, then follows the job live, and ends
after the final `status` event (`succeeded`, `failed` or `cancelled`); reconnecting after
that event gets 204 No Content, which tells an EventSource to stop reconnecting.
"""


def add_event_stream_path(result, generator, request, public):
    """Document the SSE endpoint (a plain async Django view) and the full config schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["TrainConfig"] = (
        config_json_schema()
    )
    result["paths"]["/api/jobs/{job_id}/events/"] = {
        "get": {
            "operationId": "jobs_events_stream",
            "summary": "Follow a job live (Server-Sent Events)",
            "description": EVENT_STREAM_DESCRIPTION,
            "tags": ["jobs"],
            "parameters": [
                {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "Last-Event-ID", "in": "header", "schema": {"type": "integer"}},
                {"name": "last_event_id", "in": "query", "schema": {"type": "integer"}},
            ],
            "security": [{"cookieAuth": []}, {"tokenAuth": []}],
            "responses": {
                "200": {
                    "description": "An event stream.",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                "204": {"description": "The job has ended and the client has its final event."},
                "400": {"description": "Last-Event-ID is not an integer."},
                "401": {"description": "Not authenticated."},
                "404": {"description": "No such job (or not yours)."},
            },
        }
    }
    return result
