"""Live wake-ups for event-stream viewers.

The database holds every event; this module only tells viewers that new ones exist, so
a lost message costs a short delay, never an event. With Redis, the worker publishes each
stored batch on `job:<id>`; without it (the embedded default), viewers poll the event table.

A web process serves thousands of streams from one event loop, so they share what they can:
one Redis client (one connection pool) per loop for every stream, and one subscription
connection for all the job channels its viewers watch, each published batch fanned out to
that job's viewers in the process (see _Hub).
"""

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import redis
import redis.asyncio as aioredis
from django.conf import settings

log = logging.getLogger(__name__)

_sync_client: redis.Redis | None = None
_CONNECT_TIMEOUT_S = 2.0
# Commands (stream-slot counts) share the pool; redis-py's default cap of 100 could refuse a
# burst of stream openings.
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
    if messages:
        publish_encoded(job_id, json.dumps(messages))


def publish_encoded(job_id: int, batch: str) -> None:
    """`publish` for a batch already encoded as a JSON list of messages (the worker encodes
    each event once, for the table and for this)."""
    if settings.LIVE_EVENTS_BACKEND != "redis":
        return
    try:
        _redis().publish(channel_for(job_id), batch)
    except redis.RedisError:
        # The events are stored; viewers catch up from the database on their next wake-up.
        log.warning("could not publish events of job %s to Redis", job_id, exc_info=True)


def publish_encoded_many(batches: dict[int, str]) -> None:
    """`publish_encoded` for several jobs (a pack's) in one round trip to Redis."""
    if settings.LIVE_EVENTS_BACKEND != "redis":
        return
    try:
        pipeline = _redis().pipeline(transaction=False)
        for job_id, batch in batches.items():
            pipeline.publish(channel_for(job_id), batch)
        pipeline.execute()
    except redis.RedisError:
        log.warning("could not publish events of jobs %s to Redis", list(batches),
                    exc_info=True)


class _Channel:
    """A job's channel in this event loop: its viewers' queues, and whether the loop's one
    subscription connection (see _Hub) covers it yet. While it does not (Redis unreachable, or
    SUBSCRIBE not yet confirmed) viewers poll the table; every change of state wakes them once
    with None, so they re-read the table: events stored while nobody was subscribed woke
    nobody."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.queues: set[asyncio.Queue] = set()
        self.subscribed = asyncio.Event()
        self.tried = asyncio.Event()  # the first attempt to subscribe ended, either way

    def deliver(self, batch: list[dict] | None) -> None:
        for queue in self.queues:
            if queue.full():
                # A viewer this far behind re-reads the table (None), which has everything.
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(None)
            else:
                queue.put_nowait(batch)


class _Hub:
    """This event loop's Redis client (one connection pool for commands) and ONE subscription
    connection for every job channel its viewers watch.

    A web process serving 2,000 streams of 200 jobs holds one subscriber connection, not 200:
    a channel is added with SUBSCRIBE when its first viewer arrives and dropped with
    UNSUBSCRIBE when its last leaves, and the reader task hands each published batch to that
    job's viewers. Commands go out in order through one queue, so a job left and watched again
    at once ends subscribed; a channel counts as covered once every SUBSCRIBE sent for it on
    this connection is confirmed. When the connection fails, every channel falls back to
    polling, and the reader reconnects and subscribes them all again.
    """

    def __init__(self) -> None:
        self.client = aioredis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=_CONNECT_TIMEOUT_S,
            max_connections=_MAX_CONNECTIONS, client_name=subscriber_name(),
        )
        self.channels: dict[str, _Channel] = {}
        self._connected = False
        self._attempted = False
        self._commands: asyncio.Queue[tuple[str, tuple[str, ...]]] = asyncio.Queue()
        self._unconfirmed: dict[str, int] = {}  # SUBSCRIBEs sent, not yet confirmed
        self.task = asyncio.get_running_loop().create_task(self._run())

    def join(self, name: str) -> tuple[_Channel, asyncio.Queue]:
        channel = self.channels.get(name)
        if channel is None:
            channel = self.channels[name] = _Channel(name)
            if self._connected:
                self._send("subscribe", (name,))
            elif self._attempted:
                channel.tried.set()  # Redis is away: poll until the reader is back
        queue: asyncio.Queue = asyncio.Queue(maxsize=_MAX_QUEUED_BATCHES)
        channel.queues.add(queue)
        return channel, queue

    def leave(self, channel: _Channel, queue: asyncio.Queue) -> None:
        channel.queues.discard(queue)
        if not channel.queues and self.channels.get(channel.name) is channel:
            del self.channels[channel.name]
            if self._connected:
                self._send("unsubscribe", (channel.name,))

    def _send(self, command: str, names: tuple[str, ...]) -> None:
        if command == "subscribe":
            for name in names:
                self._unconfirmed[name] = self._unconfirmed.get(name, 0) + 1
        self._commands.put_nowait((command, names))

    async def _run(self) -> None:
        lost = False
        while True:
            try:
                await self._listen()
            except (redis.RedisError, OSError, ValueError):
                if not lost:
                    log.warning("live wake-ups from Redis lost; polling until it is back")
                lost = True
            except Exception:  # a bug here must not end the wake-ups of every viewer
                log.exception("live wake-ups failed; retrying")
                lost = True
            finally:
                self._connected = False
                self._attempted = True
                for channel in self.channels.values():
                    channel.tried.set()
                    if channel.subscribed.is_set():
                        channel.subscribed.clear()
                        channel.deliver(None)  # switch the viewers to polling now
            await asyncio.sleep(settings.LIVE_POLL_INTERVAL_S)

    async def _listen(self) -> None:
        pubsub = self.client.pubsub()
        sender: asyncio.Task | None = None
        try:
            await pubsub.connect()
            # A new connection: nothing is subscribed on it, nothing sent is pending.
            self._unconfirmed.clear()
            self._commands = asyncio.Queue()
            self._connected = True
            if self.channels:
                self._send("subscribe", tuple(self.channels))
            sender = asyncio.get_running_loop().create_task(self._send_commands(pubsub))
            while True:
                message = await pubsub.get_message(timeout=settings.SSE_KEEPALIVE_S)
                if sender.done():
                    sender.result()  # a failed SUBSCRIBE ends this connection too
                if message is not None:
                    self._handle(message)
        finally:
            if sender is not None:
                sender.cancel()
            with suppress(redis.RedisError, OSError):
                await pubsub.aclose()

    async def _send_commands(self, pubsub: aioredis.client.PubSub) -> None:
        while True:
            command, names = await self._commands.get()
            if command == "subscribe":
                await pubsub.subscribe(*names)
            else:
                await pubsub.unsubscribe(*names)

    def _handle(self, message: dict) -> None:
        name = message["channel"].decode()
        channel = self.channels.get(name)
        if message["type"] == "message":
            if channel is not None:
                channel.deliver(json.loads(message["data"]))
        elif message["type"] == "subscribe":
            remaining = max(0, self._unconfirmed.get(name, 0) - 1)
            if remaining:
                self._unconfirmed[name] = remaining
                return
            self._unconfirmed.pop(name, None)
            if channel is not None:
                channel.subscribed.set()
                channel.tried.set()
                # Viewers re-read the table once: events stored before this SUBSCRIBE took
                # effect (while polling, or before a reconnect) woke nobody.
                channel.deliver(None)


def subscriber_name() -> str:
    """The name this process's Redis connections carry (CLIENT LIST shows who holds what)."""
    return f"dlp-web-{os.getpid()}"


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
