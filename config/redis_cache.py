"""Django's Redis cache backend that fails soft: while Redis is unreachable it is an empty cache.

Nothing we keep in the cache is the only copy of anything (pages, version tokens, rate-limit
counters), so a Redis that is down must not turn requests into errors: while it is, ``get``
misses, ``add`` and ``set`` store nothing, ``incr`` finds no key, and the first failure (and
the recovery) is logged once. Short socket timeouts (``OPTIONS`` in config/settings.py, passed
to redis-py's connection pool) keep a request from hanging on an unreachable host; a stopped
server refuses the connection at once.

Built on ``RedisCache``'s public methods only: each is called as Django defines it and a
connection or timeout error from redis-py becomes the empty cache's answer.

What an outage can cost: writes made during it are lost, so an entry changed while Redis was
unreachable (but kept its data) may be served from its old value until the next change.
"""

from __future__ import annotations

import functools
import logging
import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import (
    ConnectionError as RedisConnectionError,
    TimeoutError as RedisTimeoutError,
)

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
# A cache round trip takes well under a millisecond; waiting longer than this for one is
# slower than rebuilding what it would return.
SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class Availability:
    """Whether the last operation on each server failed, to log each outage once."""

    def __init__(self) -> None:
        self.down: set[str] = set()
        self.lock = threading.Lock()

    def failed(self, server: str, exc: Exception) -> None:
        with self.lock:
            first = server not in self.down
            self.down.add(server)
        if first:
            logger.warning(
                "cache unavailable (%s: %s): serving without it", type(exc).__name__, exc
            )

    def succeeded(self, server: str) -> None:
        if server in self.down:
            with self.lock:
                if server not in self.down:
                    return
                self.down.discard(server)
            logger.warning("cache available again")


availability = Availability()


def fail_soft(fallback):
    """Return ``fallback(*args, **kwargs)`` instead of raising while the server is unreachable."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                result = method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                availability.failed(self.location, exc)
                return fallback(*args, **kwargs)
            availability.succeeded(self.location)
            return result

        return wrapper

    return decorate


def missing(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (cache unavailable).")


class RedisCache(DjangoRedisCache):
    """Django's RedisCache that acts as an empty cache while the server is unreachable."""

    def __init__(self, server, params) -> None:
        params = {**params, "OPTIONS": {**SOCKET_TIMEOUTS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self.location = server if isinstance(server, str) else ",".join(server)

    get = fail_soft(lambda key, default=None, *a, **k: default)(DjangoRedisCache.get)
    get_many = fail_soft(lambda *a, **k: {})(DjangoRedisCache.get_many)
    has_key = fail_soft(lambda *a, **k: False)(DjangoRedisCache.has_key)
    add = fail_soft(lambda *a, **k: False)(DjangoRedisCache.add)
    set = fail_soft(lambda *a, **k: None)(DjangoRedisCache.set)
    set_many = fail_soft(lambda data, *a, **k: list(data))(DjangoRedisCache.set_many)
    touch = fail_soft(lambda *a, **k: False)(DjangoRedisCache.touch)
    delete = fail_soft(lambda *a, **k: False)(DjangoRedisCache.delete)
    delete_many = fail_soft(lambda *a, **k: None)(DjangoRedisCache.delete_many)
    incr = fail_soft(missing)(DjangoRedisCache.incr)
    clear = fail_soft(lambda *a, **k: False)(DjangoRedisCache.clear)
