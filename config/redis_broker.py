"""Kombu's Redis transport, with one redis-py client per connection pool for publishing.

Kombu builds a new ``redis.Redis`` for every message it publishes (``conn_or_acquire``), and
redis-py builds its table of response callbacks in each one: about a fifth of the CPU that
``apply_async`` costs a web request (profiled: 1,000 publishes made 1,000 clients and 169,000
dictionary writes). A redis-py client is thread-safe and keeps no state of its own between
commands (config/redis_cache.py does the same for the cache), so one per pool serves every
publish; a new pool (kombu drops it on a connection error) gets a new client.

Selected by ``CELERY_BROKER_TRANSPORT`` for ``redis://`` broker URLs (config/settings.py).
"""

from __future__ import annotations

from kombu.transport import redis


class Channel(redis.Channel):
    _publish_client = None

    def _create_client(self, asynchronous: bool = False):
        if asynchronous:  # the consumer's client: kombu keeps that one already
            return super()._create_client(asynchronous=True)
        client = self._publish_client
        if client is None or client.connection_pool is not self.pool:
            client = self._publish_client = super()._create_client()
        return client


class Transport(redis.Transport):
    Channel = Channel
