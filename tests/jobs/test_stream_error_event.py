"""The stream's own note that it must stop: a named event that cannot be taken for
EventSource's `error`, and that does not move the client's Last-Event-ID."""

import asyncio

from jobs.api import stream
from jobs.event_contract import STREAM_ERROR_EVENT


def chunks_of_a_stream_refused_after_its_headers() -> str:
    async def read():
        return "".join([chunk async for chunk in
                        stream._event_stream(1, after_seq=0, viewer="user:1")])

    return asyncio.run(read())


def test_a_stream_that_lost_the_race_for_the_last_slot_says_why_in_a_stream_error(settings):
    # The view's check saw a free slot; by the time the stream takes one, none is left.
    settings.LIVE_EVENTS_BACKEND = "poll"
    settings.SSE_MAX_STREAMS_PER_USER = 0
    text = chunks_of_a_stream_refused_after_its_headers()
    assert STREAM_ERROR_EVENT == "stream-error"
    assert text == (
        "retry: 30000\n\nevent: stream-error\n"
        'data: {"code": "too_many_streams", "detail": "Too many open event streams (at most 0); '
        'close another page."}\n\n')
    assert "id:" not in text  # the browser resumes after the last real event, not from 0
