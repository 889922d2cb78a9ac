"""A job's Celery message is sent when the row it names is committed: a caller's outer
transaction that rolls back sends nothing, one that commits sends the job once.

Read from the real broker (this run's Redis), on a queue of the test's own."""

import uuid
from queue import Empty

import pytest
from django.db import transaction

from dlplatform.celery import app
from jobs import services
from jobs.models import TrainingJob


@pytest.fixture
def job_queue(settings):
    """A fresh queue no worker reads; its messages are taken off it by `sent_job_ids`."""
    settings.JOB_QUEUE = f"{settings.JOB_QUEUE}-on-commit-{uuid.uuid4().hex[:8]}"
    yield settings.JOB_QUEUE
    with app.connection_for_read() as connection:
        connection.SimpleQueue(settings.JOB_QUEUE).queue.delete()


def sent_job_ids(queue: str) -> list[int]:
    """The job ids of the messages waiting on `queue` (consumed)."""
    ids = []
    with app.connection_for_read() as connection:
        simple = connection.SimpleQueue(queue)
        try:
            while True:
                message = simple.get(timeout=0.5)
                ids.append(message.payload[0][0])  # Celery's protocol 2: (args, kwargs, …)
                message.ack()
        except Empty:
            pass
        finally:
            simple.close()
    return ids


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_an_outer_transaction_that_rolls_back_sends_no_job(user, moons_config, job_queue):
    with pytest.raises(Rollback), transaction.atomic():
        job = services.job_submit(user=user, config=moons_config)
        assert sent_job_ids(job_queue) == []  # not before the commit
        raise Rollback
    assert not TrainingJob.objects.filter(pk=job.pk).exists()
    assert sent_job_ids(job_queue) == []


@pytest.mark.django_db(transaction=True)
def test_an_outer_transaction_that_commits_sends_the_job_once(user, moons_config, job_queue):
    with transaction.atomic():
        job = services.job_submit(user=user, config=moons_config)
        assert sent_job_ids(job_queue) == []
    assert sent_job_ids(job_queue) == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_without_an_outer_transaction_the_job_is_sent_at_once(user, moons_config, job_queue):
    job = services.job_submit(user=user, config=moons_config)
    assert sent_job_ids(job_queue) == [job.pk]


@pytest.mark.django_db
def test_in_a_test_transaction_the_send_waits_for_the_captured_commit(
    user, moons_config, job_queue, django_capture_on_commit_callbacks
):
    """How tests that hold everything in one transaction still see their job sent."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = services.job_submit(user=user, config=moons_config)
        assert sent_job_ids(job_queue) == []
    assert len(callbacks) >= 1
    assert sent_job_ids(job_queue) == [job.pk]
