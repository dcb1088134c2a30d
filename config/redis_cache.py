"""Django's Redis cache backend, with one redis-py client per connection pool, that fails soft.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` for every cache operation, and
redis-py builds its table of response callbacks in each one: about a tenth of a millisecond
per ``get``, which is most of what a cached page costs. A redis-py client is thread-safe and
keeps no state of its own between commands (the pool holds the connections and re-creates
them after a fork), so one per pool serves every operation.

Nothing we keep in the cache is the only copy of anything (pages, the schedule's version
token, rate-limit counters), so a Redis that is down or unreachable must not turn requests
into errors: while it is, the cache behaves as an empty cache that stores nothing (``get``
misses, ``add`` and ``set`` store nothing, ``incr`` finds no key). Short socket timeouts keep
a request from hanging on an unreachable server, and after a failure the process does not
try again for UNAVAILABLE_RETRY_SECONDS, so a request that reads the cache several times pays
for at most one failed attempt.

What an outage can cost: writes made during it are lost, so a schedule changed while Redis
was unreachable (but kept its data) may be served from the old entries until the next change.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# A cache round trip takes well under a millisecond; waiting longer than this for one is
# slower than rebuilding what it would return. Override in CACHES[...]["OPTIONS"].
SOCKET_CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 0.5
UNAVAILABLE_RETRY_SECONDS = 2.0
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **options) -> None:
        options.setdefault("socket_connect_timeout", SOCKET_CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        super().__init__(*args, **options)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class _Outage:
    """When this process may try an unreachable server again (per server, every thread)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def ongoing(self, server: str) -> bool:
        return time.monotonic() < self._until.get(server, 0.0)

    def begin(self, server: str, exc: Exception) -> None:
        with self._lock:
            first = server not in self._until
            self._until[server] = time.monotonic() + UNAVAILABLE_RETRY_SECONDS
        if first:
            logger.warning(
                "cache unavailable (%s: %s): serving without it", type(exc).__name__, exc
            )

    def end(self, server: str) -> None:
        if server in self._until:
            with self._lock:
                if self._until.pop(server, None) is not None:
                    logger.warning("cache available again")


_outage = _Outage()


def _fail_soft(fallback):
    """Return ``fallback(*args, **kwargs)`` instead of raising while the server is unreachable."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if _outage.ongoing(self._location):
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                _outage.begin(self._location, exc)
                return fallback(*args, **kwargs)
            _outage.end(self._location)
            return result

        return wrapper

    return decorate


def _missing(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (cache unavailable).")


class RedisCache(DjangoRedisCache):
    """Django's RedisCache that acts as an empty cache while the server is unreachable."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._location = ",".join(self._servers)

    get = _fail_soft(lambda key, default=None, *a, **k: default)(DjangoRedisCache.get)
    get_many = _fail_soft(lambda *a, **k: {})(DjangoRedisCache.get_many)
    has_key = _fail_soft(lambda *a, **k: False)(DjangoRedisCache.has_key)
    add = _fail_soft(lambda *a, **k: False)(DjangoRedisCache.add)
    set = _fail_soft(lambda *a, **k: None)(DjangoRedisCache.set)
    set_many = _fail_soft(lambda data, *a, **k: list(data))(DjangoRedisCache.set_many)
    touch = _fail_soft(lambda *a, **k: False)(DjangoRedisCache.touch)
    delete = _fail_soft(lambda *a, **k: False)(DjangoRedisCache.delete)
    delete_many = _fail_soft(lambda *a, **k: None)(DjangoRedisCache.delete_many)
    incr = _fail_soft(_missing)(DjangoRedisCache.incr)
    clear = _fail_soft(lambda *a, **k: False)(DjangoRedisCache.clear)
