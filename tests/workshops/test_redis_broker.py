"""The Redis transport publishes through one redis-py client per pool, to the real broker."""

import pytest
from django.conf import settings
from kombu import Connection

from config.celery_app import app
from config.redis_broker import Transport

pytestmark = pytest.mark.broker


@pytest.fixture
def channel():
    with Connection(settings.CELERY_BROKER_URL, transport=Transport) as connection:
        channel = connection.channel()
        yield channel
        channel.close()


def test_the_project_publishes_through_this_transport():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)


def test_publishes_share_one_client_until_the_pool_is_replaced(channel):
    first = channel._create_client()
    assert channel._create_client() is first
    with channel.conn_or_acquire() as client:
        assert client is first
    channel._pool = None  # as kombu does after a connection error
    renewed = channel._create_client()
    assert renewed is not first
    assert renewed.connection_pool is channel.pool
    # The consumer's client is kombu's own, on its own pool.
    assert channel._create_client(asynchronous=True).connection_pool is channel.async_pool


def test_a_message_put_through_the_shared_client_comes_back(channel):
    queue = f"test-redis-broker-{id(channel)}"
    try:
        for n in range(3):
            channel._put(queue, {"body": n, "properties": {"delivery_info": {}}})
        assert [channel._get(queue)["body"] for _ in range(3)] == [0, 1, 2]
        assert channel._size(queue) == 0
    finally:
        with channel.conn_or_acquire() as client:
            client.delete(queue)
