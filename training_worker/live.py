"""Live wake-ups for event-stream viewers.

The database holds every event; this module only tells viewers that new ones exist, so
a lost message costs a short delay, never an event. With Redis, the worker publishes each
stored batch on `job:<id>`; without it (the embedded default), viewers poll the event table.
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


class _RedisSubscription:
    """Wake-ups from Redis; while Redis is unreachable, the viewer polls the table instead
    and subscribes again once Redis is back."""

    def __init__(self, client, channel: str) -> None:
        self._client = client
        self._channel = channel
        self._pubsub = None

    async def _subscribed(self):
        if self._pubsub is None:
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(self._channel)
            except (redis.RedisError, OSError):
                await pubsub.aclose()
                raise
            self._pubsub = pubsub
        return self._pubsub

    async def wait(self, timeout: float) -> list[dict] | None:
        """The next published batch, or None when nothing arrived within `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            if self._pubsub is None:
                await self._subscribed()
                # Events stored while unsubscribed woke nobody: read the table once now.
                return None
            pubsub = self._pubsub
            while (remaining := deadline - loop.time()) > 0:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=remaining
                )
                if message is not None and message["type"] == "message":
                    return json.loads(message["data"])
        except (redis.RedisError, OSError):
            log.warning("live wake-ups from Redis lost; polling until it is back")
            await self.close()
            await asyncio.sleep(settings.LIVE_POLL_INTERVAL_S)
        return None

    async def close(self) -> None:
        if self._pubsub is not None:
            pubsub, self._pubsub = self._pubsub, None
            with suppress(redis.RedisError, OSError):
                await pubsub.aclose()


class _PollingSubscription:
    """Without Redis, the caller re-reads the event table after each short sleep."""

    async def wait(self, timeout: float) -> list[dict] | None:
        await asyncio.sleep(min(timeout, settings.LIVE_POLL_INTERVAL_S))
        return None


@asynccontextmanager
async def subscription(job_id: int) -> AsyncIterator[_RedisSubscription | _PollingSubscription]:
    if settings.LIVE_EVENTS_BACKEND != "redis":
        yield _PollingSubscription()
        return
    client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    subscription = _RedisSubscription(client, channel_for(job_id))
    try:
        try:
            await subscription._subscribed()  # before the caller replays: no event falls between
        except (redis.RedisError, OSError):
            log.warning("Redis unreachable; job %s viewer starts by polling", job_id)
        yield subscription
    finally:
        # Runs on normal end and on client disconnect (CancelledError): free the connection.
        try:
            await subscription.close()
        finally:
            await client.aclose()


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
    client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    try:
        return int(await client.get(f"{settings.LIVE_CHANNEL_PREFIX}streams:{viewer}") or 0)
    except (redis.RedisError, OSError):
        return 0
    finally:
        await client.aclose()


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
    client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    try:
        try:
            count = await client.incr(key)
            await client.expire(key, 3600)
        except (redis.RedisError, OSError):
            count = None  # without Redis the cap cannot be counted; the stream still works
        if count is not None and count > limit:
            await client.decr(key)
            raise TooManyStreams
        try:
            yield
        finally:
            if count is not None:
                with suppress(redis.RedisError, OSError):
                    await client.decr(key)
    finally:
        await client.aclose()
