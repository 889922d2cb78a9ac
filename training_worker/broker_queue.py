"""What the broker holds for jobs: the ids of jobs with a message waiting in a queue or
delivered to a worker and not yet acknowledged.

Read from Redis itself (kombu's Redis transport keeps a queue as a list per priority and
the delivered, unacknowledged messages in one hash). Other transports (the embedded
default's filesystem broker) cannot be read this way: None, and the reaper falls back to a
time bound.
"""

import json
import logging

from dlplatform.celery import app
from jobs.dispatch import job_id_of

log = logging.getLogger(__name__)


def pending_job_ids(queues: list[str]) -> set[int] | None:
    """Jobs with a message in `queues` or unacknowledged; None when this broker cannot say."""
    with app.connection_for_read() as connection:
        if connection.transport.driver_type != "redis":
            return None
        channel = connection.default_channel
        client = channel.client
        messages = [
            raw
            for queue in queues
            # kombu keeps one Redis list per priority step; `_q_for_pri` names them.
            for priority in channel.priority_steps
            for raw in client.lrange(channel._q_for_pri(queue, priority), 0, -1)
        ]
        # One hash holds every queue's delivered messages (other deployments' on a shared
        # Redis too): each entry is [message, exchange, routing key]; ours route by queue.
        for raw in client.hvals(channel.unacked_key):
            entry = _parsed(raw)
            if isinstance(entry, list) and len(entry) == 3 and entry[2] in queues:
                messages.append(entry[0])
        return _job_ids(messages)


def _parsed(raw):
    """A stored message as JSON; None (logged) when it cannot be read."""
    try:
        return json.loads(raw)
    except ValueError:
        log.warning("a message in the job queue could not be read: %.200r", raw)
        return None


def _job_ids(messages) -> set[int]:
    """The jobs the messages are for: raw JSON (a queue's list) or already parsed."""
    ids = set()
    for message in messages:
        parsed = _parsed(message) if isinstance(message, str | bytes) else message
        try:
            task_id = parsed["headers"]["id"]
        except (KeyError, TypeError):
            log.warning("a message in the job queue has no task id: %.200r", message)
            continue
        job_id = job_id_of(task_id)
        if job_id is not None:
            ids.add(job_id)
    return ids
