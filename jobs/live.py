"""Live wake-ups for event-stream viewers.

The database holds every event; this module only tells viewers that new ones exist, so
a lost message costs a short delay, never an event. With Redis, the worker publishes each
stored batch on `job:<id>`; without it (the embedded default), viewers poll the event table.

A web process serves hundreds of streams from one event loop, so they share what they can:
one Redis client (one connection pool) per loop for every stream, and one subscription
per job channel, fanned out to that job's viewers in the process (see _Channel).
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import redis
import redis.asyncio as aioredis
from django.conf import settings

log = logging.getLogger(__name__)

_sync_client: redis.Redis | None = None
_CONNECT_TIMEOUT_S = 2.0
# Subscriptions (one per job being watched) and commands share the pool; redis-py's default
# cap of 100 would refuse the 101st watched job.
_MAX_CONNECTIONS = 10_000
# Batches a viewer may fall behind (its client reads slowly) before it is sent to the table.
_MAX_QUEUED_BATCHES = 100


def channel_for(job_id: int) -> str:
    return f"{settings.LIVE_CHANNEL_PREFIX}job:{job_id}"


def _redis() -> redis.Redis:
    global _sync_client
    if _sync_client is None:
        _sync_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _sync_client


def publish(job_id: int, messages: list[dict]) -> None:
    """Wake live viewers of a job with a batch of just-stored events (one message per batch)."""
    if settings.LIVE_EVENTS_BACKEND != "redis" or not messages:
        return
    try:
        _redis().publish(channel_for(job_id), json.dumps(messages))
    except redis.RedisError:
        # The events are stored; viewers catch up from the database on their next wake-up.
        log.warning("could not publish events of job %s to Redis", job_id, exc_info=True)


class _Channel:
    """One subscription to a job's channel, shared by all its viewers in this event loop.

    A reader task forwards each published batch to every viewer's queue, so N viewers of a
    job cost one Redis connection and one message read, not N. While Redis is unreachable,
    `subscribed` is clear (viewers poll the table) and the reader keeps trying; every change
    of state wakes the viewers once with None, so they re-read the table: events stored
    while nobody was subscribed woke nobody.
    """

    def __init__(self, client: aioredis.Redis, name: str) -> None:
        self.name = name
        self.queues: set[asyncio.Queue] = set()
        self.subscribed = asyncio.Event()
        self.tried = asyncio.Event()  # the first attempt to subscribe ended, either way
        self._client = client
        self.task = asyncio.get_running_loop().create_task(self._run())

    def deliver(self, batch: list[dict] | None) -> None:
        for queue in self.queues:
            if queue.full():
                # A viewer this far behind re-reads the table (None), which has everything.
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)
            else:
                queue.put_nowait(batch)

    async def _run(self) -> None:
        lost = False
        while True:
            try:
                await self._listen(resumed=lost)
            except (redis.RedisError, OSError, ValueError):
                if not lost:
                    log.warning("live wake-ups from Redis lost; polling until it is back")
                lost = True
            except Exception:  # a bug here must not end the wake-ups of every viewer
                log.exception("live wake-ups of %s failed; retrying", self.name)
                lost = True
            finally:
                self.tried.set()
                if self.subscribed.is_set():
                    self.subscribed.clear()
                    self.deliver(None)  # switch the viewers to polling now
            await asyncio.sleep(settings.LIVE_POLL_INTERVAL_S)

    async def _listen(self, *, resumed: bool) -> None:
        pubsub = self._client.pubsub()
        try:
            await pubsub.subscribe(self.name)
            await _confirmed(pubsub)
            self.subscribed.set()
            self.tried.set()
            if resumed:
                self.deliver(None)
            while True:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=settings.SSE_KEEPALIVE_S
                )
                if message is not None and message["type"] == "message":
                    self.deliver(json.loads(message["data"]))
        finally:
            with suppress(redis.RedisError, OSError):
                await pubsub.aclose()


async def _confirmed(pubsub) -> None:
    """Wait for Redis's confirmation of SUBSCRIBE: only from then on is no publish missed,
    and viewers replay the table only after that."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _CONNECT_TIMEOUT_S
    while (remaining := deadline - loop.time()) > 0:
        message = await pubsub.get_message(timeout=remaining)
        if message is not None and message["type"] == "subscribe":
            return
    raise redis.TimeoutError("no confirmation of SUBSCRIBE")


class _Hub:
    """This event loop's Redis client (one connection pool for every stream) and the shared
    channel subscriptions, each removed when its last viewer leaves."""

    def __init__(self) -> None:
        self.client = aioredis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=_CONNECT_TIMEOUT_S,
            max_connections=_MAX_CONNECTIONS,
        )
        self.channels: dict[str, _Channel] = {}

    def join(self, name: str) -> tuple[_Channel, asyncio.Queue]:
        channel = self.channels.get(name)
        if channel is None:
            channel = self.channels[name] = _Channel(self.client, name)
        queue: asyncio.Queue = asyncio.Queue(maxsize=_MAX_QUEUED_BATCHES)
        channel.queues.add(queue)
        return channel, queue

    def leave(self, channel: _Channel, queue: asyncio.Queue) -> None:
        channel.queues.discard(queue)
        if not channel.queues and self.channels.get(channel.name) is channel:
            del self.channels[channel.name]
            channel.task.cancel()  # its `finally` closes the subscription's connection


_hubs: dict[tuple[asyncio.AbstractEventLoop, str], _Hub] = {}


def _hub() -> _Hub:
    """The running loop's hub. Keyed by loop because asyncio connections belong to the loop
    that made them (uvicorn has one; tests may run several); hubs of closed loops go."""
    loop = asyncio.get_running_loop()
    key = (loop, settings.REDIS_URL)
    hub = _hubs.get(key)
    if hub is None:
        for stale in [k for k in _hubs if k[0].is_closed()]:
            del _hubs[stale]
        hub = _hubs[key] = _Hub()
    return hub


class _SharedSubscription:
    """A viewer's end of a shared channel: its own queue of published batches."""

    def __init__(self, channel: _Channel, queue: asyncio.Queue) -> None:
        self._channel = channel
        self._queue = queue

    async def wait(self, timeout: float) -> list[dict] | None:
        """The next published batch, or None: nothing arrived within `timeout` (shortened
        to the poll interval while Redis is away), or the caller should re-read the table."""
        if not self._queue.empty():
            return self._queue.get_nowait()
        if not self._channel.subscribed.is_set():
            timeout = min(timeout, settings.LIVE_POLL_INTERVAL_S)
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


class _PollingSubscription:
    """Without Redis, the caller re-reads the event table after each short sleep."""

    async def wait(self, timeout: float) -> list[dict] | None:
        await asyncio.sleep(min(timeout, settings.LIVE_POLL_INTERVAL_S))
        return None


@asynccontextmanager
async def subscription(job_id: int) -> AsyncIterator[_SharedSubscription | _PollingSubscription]:
    if settings.LIVE_EVENTS_BACKEND != "redis":
        yield _PollingSubscription()
        return
    hub = _hub()
    channel, queue = hub.join(channel_for(job_id))
    try:
        # Subscribed before the caller replays the table: no event falls between the two.
        with suppress(TimeoutError):
            await asyncio.wait_for(channel.tried.wait(), _CONNECT_TIMEOUT_S + 1)
        if not channel.subscribed.is_set():
            log.warning("Redis unreachable; job %s viewer starts by polling", job_id)
        yield _SharedSubscription(channel, queue)
    finally:
        # Runs on normal end and on client disconnect (CancelledError).
        hub.leave(channel, queue)


def live_poll_interval() -> float:
    """How long a viewer waits before re-reading the table when no wake-up came."""
    if settings.LIVE_EVENTS_BACKEND == "redis":
        return settings.SSE_KEEPALIVE_S
    return settings.LIVE_POLL_INTERVAL_S


class TooManyStreams(Exception):
    """The user already has SSE_MAX_STREAMS_PER_USER open event streams."""


_local_stream_counts: dict[str, int] = {}


async def open_streams(viewer: str) -> int:
    """How many event streams this viewer holds now (0 when Redis cannot be asked)."""
    if settings.LIVE_EVENTS_BACKEND != "redis":
        return _local_stream_counts.get(viewer, 0)
    try:
        return int(await _hub().client.get(f"{settings.LIVE_CHANNEL_PREFIX}streams:{viewer}") or 0)
    except (redis.RedisError, OSError):
        return 0


@asynccontextmanager
async def stream_slot(viewer: str) -> AsyncIterator[None]:
    """Hold one of the viewer's (a user's, or an anonymous address's) stream slots while a
    stream is open.

    Counted in Redis when there is one (every web process sees the same count; the key
    expires, so a crashed process cannot leak slots for long), else in this process.
    """
    limit = settings.SSE_MAX_STREAMS_PER_USER
    if settings.LIVE_EVENTS_BACKEND != "redis":
        if _local_stream_counts.get(viewer, 0) >= limit:
            raise TooManyStreams
        _local_stream_counts[viewer] = _local_stream_counts.get(viewer, 0) + 1
        try:
            yield
        finally:
            _local_stream_counts[viewer] -= 1
        return
    key = f"{settings.LIVE_CHANNEL_PREFIX}streams:{viewer}"
    client = _hub().client
    try:
        count, _ = await client.pipeline(transaction=True).incr(key).expire(key, 3600).execute()
    except (redis.RedisError, OSError):
        count = None  # without Redis the cap cannot be counted; the stream still works
    if count is not None and count > limit:
        with suppress(redis.RedisError, OSError):
            await client.decr(key)
        raise TooManyStreams
    try:
        yield
    finally:
        if count is not None:
            with suppress(redis.RedisError, OSError):
                await client.decr(key)
