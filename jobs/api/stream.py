"""GET /api/v1/jobs/<id>/events/: a job's events as Server-Sent Events.

Subscribe first, then replay stored events after Last-Event-ID, then forward live ones,
skipping any seq already sent: so no event is missed between replay and live, and none is
sent twice. The stream ends after the job's final status event.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, StreamingHttpResponse

from accounts import tokens
from accounts.authentication import key_from_header
from accounts.login_throttle import client_address
from dlplatform.api_errors import error_response
from jobs import live, selectors
from jobs.api.params import is_non_negative_int
from jobs.api.serializers import SHARE_QUERY_PARAM
from jobs.event_contract import STREAM_ERROR_EVENT
from jobs.models import TERMINAL_STATUSES
from jobs.ops_metrics import OPEN_STREAMS
from jobs.services import STATUS_EVENT

REPLAY_PAGE = 500


async def job_event_stream(request, job_id: int):
    try:
        user = await _authenticated_user(request)
    except BadCredentials as exc:
        # As DRF answers detail and metrics: a bad token is refused, not taken as anonymous.
        response = error_response(401, "authentication_failed", str(exc))
        response["WWW-Authenticate"] = "Token"
        return response
    job = await sync_to_async(selectors.job_viewable_by)(
        user=user, job_id=job_id, share_token=request.GET.get(SHARE_QUERY_PARAM)
    )
    if job is None:
        if not user.is_authenticated:
            return error_response(
                401, "not_authenticated",
                "Authentication credentials were not provided, or the token is not valid.",
            )
        return error_response(404, "not_found", "No such job.")
    # Anonymous viewers of a shared run are counted per address.
    address = client_address(request)
    viewer = f"user:{user.pk}" if user.is_authenticated else f"addr:{address}"
    last_event_id = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id", "0")
    if not is_non_negative_int(last_event_id):
        reason = "Must be a non-negative integer (an event's id)."
        return error_response(400, "invalid", f"Last-Event-ID: {reason}",
                              {"Last-Event-ID": reason})
    if await live.open_streams(viewer) >= settings.SSE_MAX_STREAMS_PER_USER:
        return error_response(
            429, "too_many_streams", f"Too many open event streams (at most "
            f"{settings.SSE_MAX_STREAMS_PER_USER}); close another page first.", retry_after=10,
        )
    after_seq = int(last_event_id)
    await sync_to_async(connections.close_all)()  # the lookups' connection, see above
    if job.is_terminal and after_seq >= job.last_seq:
        # The client has seen the final event; 204 tells an EventSource not to reconnect.
        return HttpResponse(status=204)
    response = StreamingHttpResponse(
        _event_stream(job.pk, after_seq=after_seq, viewer=viewer),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy must not hold events back
    return response


class BadCredentials(Exception):
    """An Authorization header of ours that is malformed or holds no valid key."""


async def _authenticated_user(request):
    """The token's or the session's user; AnonymousUser when neither is given; raises
    BadCredentials for a malformed header or a key that is not valid.

    Checks the key with the same service as the API's ApiTokenAuthentication, so revoked
    and expired tokens are refused here too.
    """
    try:
        key = key_from_header(request.headers.get("Authorization", ""))
    except ValueError as exc:
        raise BadCredentials(str(exc)) from exc
    if key is not None:
        user = await sync_to_async(tokens.authenticate_key)(key)
        if user is None:
            raise BadCredentials("Invalid, expired or revoked token.")
        return user
    return await request.auser()


def _format(message: dict) -> str:
    return (
        f"id: {message['seq']}\nevent: {message['type']}\n"
        f"data: {json.dumps(message['payload'], separators=(',', ':'))}\n\n"
    )


def _is_final(message: dict) -> bool:
    return message["type"] == STATUS_EVENT and message["payload"].get("status") in TERMINAL_STATUSES


def _events_after_then_close(**kwargs) -> list[dict]:
    """Read, then give the connection back: a stream lives for minutes, and one open
    database connection per viewer would exhaust the server's connections."""
    try:
        return selectors.job_events_after(**kwargs)
    finally:
        connections.close_all()


# Not thread-sensitive: each read takes and gives back its own connection, so it may run
# on any thread of the default pool; the streams' shared thread (dlplatform/asgi.py) stays
# free for opening streams.
_read_events = sync_to_async(_events_after_then_close, thread_sensitive=False)


async def _events_after(**kwargs) -> list[dict]:
    """Stored events; while the database is busy or away the stream waits, it does not die."""
    while True:
        try:
            return await _read_events(**kwargs)
        except (OperationalError, InterfaceError):
            await asyncio.sleep(1.0)


async def _event_stream(job_id: int, *, after_seq: int, viewer: str) -> AsyncIterator[str]:
    try:
        async with live.stream_slot(viewer):
            OPEN_STREAMS.inc()
            try:
                async for chunk in _job_events(job_id, after_seq=after_seq):
                    yield chunk
            finally:
                OPEN_STREAMS.dec()
    except live.TooManyStreams:
        # Lost a race for the last slot after the view's check; headers are sent already,
        # so say why in the stream and ask the browser to wait before reconnecting.
        # No id: the browser's Last-Event-ID stays the last real event's.
        detail = (f"Too many open event streams (at most {settings.SSE_MAX_STREAMS_PER_USER}); "
                  "close another page.")
        payload = json.dumps({"code": "too_many_streams", "detail": detail})
        yield f"retry: 30000\n\nevent: {STREAM_ERROR_EVENT}\ndata: {payload}\n\n"


async def _job_events(job_id: int, *, after_seq: int) -> AsyncIterator[str]:
    async with live.subscription(job_id) as subscription:
        yield "retry: 1000\n\n"
        batch = await _events_after(job_id=job_id, after_seq=after_seq, limit=REPLAY_PAGE)
        idle_since = time.monotonic()
        while True:
            for message in batch:
                if message["seq"] <= after_seq:
                    continue
                yield _format(message)
                after_seq = message["seq"]
                idle_since = time.monotonic()
                if _is_final(message):
                    return
            if len(batch) == REPLAY_PAGE:
                batch = await _events_after(job_id=job_id, after_seq=after_seq, limit=REPLAY_PAGE)
                continue
            if time.monotonic() - idle_since >= settings.SSE_KEEPALIVE_S:
                yield ": keepalive\n\n"
                idle_since = time.monotonic()
            batch = await subscription.wait(live.live_poll_interval()) or []
            if not batch or batch[0]["seq"] > after_seq + 1:
                # No wake-up (polling, or Redis lost one) or a gap: the table has the truth.
                batch = await _events_after(job_id=job_id, after_seq=after_seq, limit=REPLAY_PAGE)
