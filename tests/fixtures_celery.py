"""Real parts for outbox tests: an SMTP sink and a Celery worker running as a subprocess.

The worker is started once per test session on a queue of its own, so parallel runs of other
developers (and the tests' own leftovers) never hand it a message that is not ours. Tests that
use it need the broker and PostgreSQL (the worker connects to the test database).
"""

from __future__ import annotations

import contextlib
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import connection
from kombu.exceptions import OperationalError

from config.celery_app import app as celery_app

WORKER_START_TIMEOUT = 60.0
WORKER_STOP_TIMEOUT = 15.0


@dataclass
class SmtpSink:
    """The outside world's mail server: accepts everything and keeps it."""

    host: str
    port: int
    _messages: list[Message] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _defer: int = 0
    _open: int = 0  # SMTP connections not yet closed (SinkSMTP counts them)

    def opened(self) -> None:
        with self._lock:
            self._open += 1

    def closed(self) -> None:
        with self._lock:
            self._open -= 1

    def wait_until_disconnected(self, *, timeout: float = 10.0) -> None:
        """Return once no client holds a connection: whatever a client sent before it went
        away (a killed worker's last "."), the sink has read and kept or dropped."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._open == 0:
                    return
            time.sleep(0.01)
        raise AssertionError(f"an SMTP client was still connected after {timeout} s")

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            if self._defer:
                self._defer -= 1
                return "451 4.3.0 Try again later"
            self._messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def defer_next(self, count: int) -> None:
        """Answer the next ``count`` messages with a temporary failure (451)."""
        with self._lock:
            self._defer = count

    @property
    def messages(self) -> list[Message]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._defer = 0

    def wait_for(self, count: int, *, timeout: float = 20.0) -> list[Message]:
        """Return the messages once at least ``count`` arrived, or all there are at timeout."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@dataclass(frozen=True)
class WorkerHandle:
    queue: str
    nodename: str
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SinkSMTP(SMTP):
    """aiosmtpd's server, telling the sink when a connection opens and when it is gone."""

    def connection_made(self, transport) -> None:
        self.event_handler.opened()
        super().connection_made(transport)

    def connection_lost(self, error) -> None:
        super().connection_lost(error)
        self.event_handler.closed()


class SinkController(Controller):
    def factory(self) -> SMTP:
        return SinkSMTP(self.handler, **self.SMTP_kwargs)


@pytest.fixture(scope="session")
def _smtp_sink_server() -> Iterator[SmtpSink]:
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    controller = SinkController(sink, hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def smtp_sink(_smtp_sink_server: SmtpSink) -> SmtpSink:
    """A fresh view of the session's SMTP sink: no messages from earlier tests."""
    _smtp_sink_server.clear()
    return _smtp_sink_server


def worker_database_url() -> str:
    """The URL of the database pytest-django created, for a process outside this one."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


def _wait_until_ready(process: subprocess.Popen, handle: WorkerHandle) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited:\n{handle.log.read_text()}")
        if celery_app.control.ping(destination=[handle.nodename], timeout=0.5):
            return
    raise RuntimeError(f"celery worker not ready in time:\n{handle.log.read_text()}")


def wait_until_idle(
    handle: WorkerHandle, *, timeout: float = 20.0, app=None, broker_url: str | None = None
) -> None:
    """Return once the worker has nothing left to do: its queue empty, no task running,
    reserved or waiting for a retry (twice in a row, a poll apart). After that no mail of a
    test can still arrive: what the sink holds is all there will be (no fixed sleep).

    ``app`` and ``broker_url``: a worker on another broker than the test session's (a drill's
    private redis-server)."""
    client = redis.Redis.from_url(broker_url or settings.CELERY_BROKER_URL)
    inspect = (app or celery_app).control.inspect(destination=[handle.nodename], timeout=1.0)
    deadline, calm = time.monotonic() + timeout, 0
    try:
        while time.monotonic() < deadline:
            try:
                waiting = client.llen(handle.queue)
                replies = [inspect.active(), inspect.reserved(), inspect.scheduled()]
            except (redis.exceptions.ConnectionError, OperationalError):
                # A connection from before a broker restart: the next poll opens a new one.
                calm = 0
                time.sleep(0.05)
                continue
            # A solo worker running a task cannot answer: no reply means busy.
            answered = all(reply and handle.nodename in reply for reply in replies)
            busy = not answered or any(reply[handle.nodename] for reply in replies)
            calm = calm + 1 if waiting == 0 and not busy else 0
            if calm == 2:
                return
            time.sleep(0.05)
    finally:
        client.close()
    raise AssertionError(f"the worker was still busy after {timeout} s")


def delete_queue_keys(handle: WorkerHandle) -> None:
    """Remove what this session left in Redis, and nothing else (never FLUSHDB)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        marks = (handle.queue, celery_app.control.mailbox.oid)
        for mark in marks:
            keys = list(client.scan_iter(match=f"*{mark}*", count=500))
            if keys:
                client.delete(*keys)
        for binding in client.scan_iter(match="_kombu.binding*pidbox", count=500):
            stale = [m for m in client.smembers(binding) if any(x.encode() in m for x in marks)]
            if stale:
                client.srem(binding, *stale)
        # kombu notes when each exchange's binding table (above) expires; the note outlives a
        # table we emptied. Drop the notes of tables that no longer exist, nobody else's.
        deadlines = "_kombu.binding_deadlines"
        for exchange in client.zrange(deadlines, 0, -1):
            if not client.exists(b"_kombu.binding." + exchange):
                client.zrem(deadlines, exchange)
        # Tasks a killed worker had taken but not acknowledged wait in kombu's "unacked" hash
        # for their visibility timeout, to be restored into our (deleted) queue: drop ours.
        for tag, payload in client.hgetall("unacked").items():
            if handle.queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


def worker_environment(sink: SmtpSink, **extra: str) -> dict[str, str]:
    """The environment of a worker process: the test database, the broker, mail to ``sink``."""
    return {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"smtp://{sink.host}:{sink.port}",
        "EMAIL_TIMEOUT": "5",
        "MAIL_RETRY_BACKOFF_MAX": "2",
        **extra,
    }


def start_worker(handle: WorkerHandle, env: dict[str, str]) -> subprocess.Popen:
    """Start one solo worker on ``handle.queue`` (in a session of its own) and wait until it
    answers a ping; stop it again if it does not."""
    command = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker"),
        *("--pool=solo", "--concurrency=1", "-Q", handle.queue, "-n", handle.nodename),
        *("--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"),
    ]
    with handle.log.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_ready(process, handle)
    except BaseException:
        stop_worker(process)
        raise
    return process


def stop_worker(process: subprocess.Popen, *, kill: bool = False) -> None:
    """Stop a worker and anything it started: SIGTERM (or SIGKILL at once), then SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def _celery_worker_process(
    django_db_setup, _smtp_sink_server: SmtpSink, tmp_path_factory
) -> Iterator[WorkerHandle]:
    queue = f"test-outbox-{uuid.uuid4().hex[:12]}"
    handle = WorkerHandle(
        queue=queue,
        nodename=f"{queue}@localhost",
        log=tmp_path_factory.mktemp("celery") / "worker.log",
    )
    try:
        process = start_worker(handle, worker_environment(_smtp_sink_server))
        try:
            yield handle
        finally:
            stop_worker(process)
    finally:
        delete_queue_keys(handle)


@pytest.fixture
def celery_worker(
    _celery_worker_process: WorkerHandle, transactional_db, smtp_sink: SmtpSink
) -> Iterator[WorkerHandle]:
    """Publish this test's tasks to the session's real worker instead of running them eagerly."""
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager = False
    conf.task_default_queue = _celery_worker_process.queue
    yield _celery_worker_process
    conf.task_always_eager, conf.task_default_queue = previous
