"""One Redis connection pool per process for the cache, however many cache objects use it.

Django makes a cache object, and with it a connection pool, per thread and per async
context: under uvicorn every request runs in a context of its own, so every request opened
a new TCP connection to Redis (and paid redis-py's connection set-up) for its session and
the lesson content it reads. django-redis shares its pools between cache objects in the
same way. redis-py's pool notices a fork and starts afresh in the child.
"""

import threading

import redis

_lock = threading.Lock()
_pools: dict[tuple, "SharedConnectionPool"] = {}


class SharedConnectionPool(redis.ConnectionPool):
    """`pool_class` for Django's RedisCache: `from_url` hands out one pool per URL and
    options in this process."""

    @classmethod
    def from_url(cls, url: str, **kwargs: object) -> "SharedConnectionPool":
        key = (cls, url, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        with _lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = super().from_url(url, **kwargs)
        return pool
