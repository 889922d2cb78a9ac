"""A starting worker takes no job until its pool's children are warm (issue 18).

Celery starts consuming, and answers pings, as soon as it has forked its pool; each child
then warms up (tasks._set_up_child: a tiny training run) before billiard hands it work. A
job taken in between waited in the parent for that warm-up, while in a fleet a warm worker
could have started it at once. `WaitForWarmChildren`, a worker bootstep between the Pool
and the Consumer, holds the Consumer back until every child has signalled (`child_warm`)
on a semaphore the parent created before forking, or until a timeout, after which the
worker takes jobs anyway: billiard still gives a child work only once it is up.

Children started later (max-tasks-per-child recycling, a retired child) need no gate of
their own: billiard runs the child's initializer, so its warm-up, before the child reports
itself up, and until then the other children take the jobs.
"""

import logging
import multiprocessing
import time
from multiprocessing.synchronize import Semaphore

from celery import bootsteps
from celery.concurrency.prefork import TaskPool
from celery.worker import state
from django.conf import settings

log = logging.getLogger(__name__)

# Released once by each child of the pool the worker starts with, when it is warm. Created in
# the parent before the pool forks; None again once the worker takes jobs, so children forked
# later do not signal.
_warm_children: Semaphore | None = None


def prepare() -> None:
    """In the worker's parent, before its pool forks: the semaphore its children signal."""
    global _warm_children
    _warm_children = multiprocessing.get_context("fork").Semaphore(0)


def child_warm() -> None:
    """In a pool child whose warm-up has ended (well or not): it can take a job at once."""
    if _warm_children is not None:
        _warm_children.release()


class WaitForWarmChildren(bootsteps.StartStopStep):
    """Started after the Pool and before the Consumer (Celery starts the Consumer last)."""

    label = "WaitForWarmChildren"
    requires = ("celery.worker.components:Pool",)

    def start(self, worker) -> None:
        global _warm_children
        warm, expected = 0, 0
        if isinstance(worker.pool, TaskPool) and _warm_children is not None:
            expected = worker.pool.num_processes
            started = time.monotonic()
            deadline = started + settings.WORKER_WARM_UP_TIMEOUT_S
            # In short waits: a worker told to stop meanwhile (SIGTERM sets a flag, it raises
            # nothing here) stops waiting at once.
            while warm < expected and time.monotonic() < deadline and not _stopping():
                if _warm_children.acquire(timeout=0.2):
                    warm += 1
            waited = time.monotonic() - started
            if _stopping():
                log.info("stopping before %d of %d worker processes warmed up", expected - warm,
                         expected)
            elif warm < expected:
                log.warning("only %d of %d worker processes warmed up within %.0f s; "
                            "taking jobs anyway", warm, expected, waited)
            else:
                log.info("%d worker processes warm after %.2f s; taking jobs", warm, waited)
        _warm_children = None


def _stopping() -> bool:
    """The worker was told to stop: Celery's flags are None or False while it runs, and an
    exit code (0 for a warm shutdown) once it was told to stop."""
    return any(flag is not None and flag is not False
               for flag in (state.should_stop, state.should_terminate))
