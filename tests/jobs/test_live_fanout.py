"""Live wake-ups in a web process: one Redis subscription connection carries every job
channel its viewers watch, each batch reaches exactly that job's viewers, channels come and
go with their viewers, and a lost connection is replaced without losing a viewer."""

import asyncio
from contextlib import AsyncExitStack

import pytest
import redis
from django.conf import settings

from jobs import live

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def subscriber_connections() -> list[dict]:
    """This process's Redis connections that hold subscriptions."""
    return [
        client for client in redis_client().client_list()
        if client.get("name") == live.subscriber_name() and int(client.get("sub", 0)) > 0
    ]


def subscribers_of(job_id: int) -> int:
    [(_, count)] = redis_client().pubsub_numsub(live.channel_for(job_id))
    return int(count)


async def next_batches(subscription, *, wanted: int, timeout: float = 3.0) -> list[list[dict]]:
    """The published batches this viewer receives (None wake-ups, which only ask for a
    re-read of the table, are skipped) until `wanted` arrived or the timeout passed."""
    batches: list[list[dict]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(batches) < wanted and (remaining := deadline - loop.time()) > 0:
        batch = await subscription.wait(remaining)
        if batch:
            batches.append(batch)
    return batches


JOBS = range(900_001, 900_021)  # ids no other test publishes on
VIEWERS_PER_JOB = 3


def test_many_viewers_of_many_jobs_share_one_subscription_connection():
    async def scenario():
        async with AsyncExitStack() as stack:
            viewers = {
                job: [await stack.enter_async_context(live.subscription(job))
                      for _ in range(VIEWERS_PER_JOB)]
                for job in JOBS
            }
            assert len(subscriber_connections()) == 1
            assert all(subscribers_of(job) == 1 for job in JOBS)
            for job in JOBS:
                live.publish(job, [{"job": job}])
            for job, subscriptions in viewers.items():
                for subscription in subscriptions:
                    assert await next_batches(subscription, wanted=1) == [[{"job": job}]]
            # Nothing else arrives: no viewer saw another job's batch.
            for subscriptions in viewers.values():
                for subscription in subscriptions:
                    assert await next_batches(subscription, wanted=1, timeout=0.05) == []

    asyncio.run(scenario())


def test_a_channel_is_dropped_with_its_last_viewer_and_taken_again_at_once():
    kept, left = JOBS[0], JOBS[1]

    async def scenario():
        async with live.subscription(kept) as kept_viewer:
            async with live.subscription(left), live.subscription(left):
                assert subscribers_of(left) == 1
            # Its last viewer gone, the process stops listening to that job (and only that).
            for _ in range(50):
                if subscribers_of(left) == 0:
                    break
                await asyncio.sleep(0.02)
            assert subscribers_of(left) == 0
            assert subscribers_of(kept) == 1
            # Left and watched again straight away: UNSUBSCRIBE then SUBSCRIBE, in order.
            async with live.subscription(left):
                pass
            async with live.subscription(left) as returning:
                live.publish(left, [{"seq": 1}])
                assert await next_batches(returning, wanted=1) == [[{"seq": 1}]]
            live.publish(kept, [{"seq": 2}])
            assert await next_batches(kept_viewer, wanted=1) == [[{"seq": 2}]]

    asyncio.run(scenario())


def test_a_killed_subscription_connection_is_replaced_and_its_viewers_catch_up(settings):
    """(A Redis that stays down, where viewers poll the table meanwhile, is
    tests/faults/test_redis_restarted.py's.)"""
    job = JOBS[2]

    async def scenario():
        async with live.subscription(job) as viewer:
            [connection] = subscriber_connections()
            waiting = asyncio.ensure_future(viewer.wait(settings.SSE_KEEPALIVE_S))
            await asyncio.sleep(0.05)
            loop = asyncio.get_running_loop()
            killed_at = loop.time()
            redis_client().client_kill_filter(_id=connection["id"])
            # The viewer is woken within a second to re-read the table (None: batches
            # published while the connection was down reached nobody), not when its
            # keep-alive runs out; the channel is subscribed again on a new connection.
            assert await asyncio.wait_for(waiting, 5) is None
            assert loop.time() - killed_at < 1.0
            deadline = loop.time() + 5
            while subscribers_of(job) == 0 and loop.time() < deadline:
                await asyncio.sleep(0.05)
            [reconnected] = subscriber_connections()
            assert reconnected["id"] != connection["id"]
            live.publish(job, [{"after": "reconnect"}])
            assert await next_batches(viewer, wanted=1) == [[{"after": "reconnect"}]]

    asyncio.run(scenario())
