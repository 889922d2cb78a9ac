"""A small Server-Sent Events reader for the tests, over httpx."""

import json
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class SseEvent:
    id: int
    type: str
    data: dict


def read_events(url: str, token: str, *, last_event_id: int | None = None, stop_after=None,
                timeout: float = 60) -> list[SseEvent]:
    """Read events until the server ends the stream, or until `stop_after(events)` is true."""
    headers = {"Authorization": f"Token {token}", "Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    events: list[SseEvent] = []
    fields: dict[str, str] = {}
    with httpx.stream("GET", url, headers=headers, timeout=timeout) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line == "":
                if "data" in fields:
                    data = json.loads(fields["data"])
                    events.append(SseEvent(int(fields["id"]), fields["event"], data))
                    if stop_after is not None and stop_after(events):
                        break
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
    return events
