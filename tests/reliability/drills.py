"""What the fault drills share: a Redis server of their own, the site under gunicorn and a
Celery worker as subprocesses, a small HTTP client, and a report printed pass or fail.

The site and the worker run with production settings (DEBUG off, tests.reliability.
drill_settings) against the test database, so a drill sees what a visitor would: a 500 is a
500, not a traceback page. Every process started here is stopped by the context manager that
started it, whatever the drill's outcome.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import redis
from celery import Celery
from django.conf import settings

from tests.fixtures_celery import WorkerHandle, free_port, wait_until_idle

HOST = "127.0.0.1"
REDIS_SERVER = (
    os.environ.get("REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"
)
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


@dataclass
class Report:
    """What a drill did and counted, printed to the terminal even when the test passes."""

    title: str
    lines: list[str] = field(default_factory=list)

    def add(self, what: str, value: object = "") -> None:
        self.lines.append(f"  {what}: {value}" if value != "" else f"  {what}")

    def render(self) -> str:
        return "\n".join([f"\n[drill] {self.title}", *self.lines])


def stop_process(process: subprocess.Popen, *, group: bool = False) -> None:
    """SIGTERM, then SIGKILL after STOP_TIMEOUT; ``group``: the whole process group."""
    if process.poll() is not None:
        return

    def send(sig: int) -> None:
        try:
            if group:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        except ProcessLookupError:
            pass

    send(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()


class PrivateRedis:
    """A redis-server of the drill's own on a free port, with nothing persisted: it can be
    stopped and started again without touching anybody else's Redis."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.log = workdir / "redis.log"

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def start(self) -> None:
        command = [
            *(REDIS_SERVER, "--port", str(self.port), "--bind", HOST),
            *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
            *("--logfile", str(self.log)),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(host=HOST, port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + START_TIMEOUT
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited:\n{self.log.read_text()}")
                try:
                    client.ping()
                    return
                except redis.exceptions.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError("redis-server did not answer in time")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@contextmanager
def private_redis(workdir: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def site_environment(
    *, database_url: str, redis_url: str, site_port: int, var_dir: Path, **extra: str
) -> dict[str, str]:
    """The environment of the drill's site, worker and one-off commands."""
    return {
        **os.environ,
        "PYTHONPATH": str(settings.BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "tests.reliability.drill_settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "CACHE_URL": redis_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}:{site_port}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "REGISTRATION_POSTS_PER_MINUTE": str(10**6),  # every client is 127.0.0.1
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "plain",
        "VAR_DIR": str(var_dir),
        **extra,
    }


@contextmanager
def gunicorn(
    env: Mapping[str, str], *, port: int, log: Path, workers: int = 2, threads: int = 4
) -> Iterator[str]:
    """Serve the site on ``port``; yield its base URL once it answers."""
    command = [
        *(sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"{HOST}:{port}"),
        *("-w", str(workers), "--threads", str(threads), "--log-level", "warning"),
        *("--graceful-timeout", "5"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
            try:
                Client(port).get("/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn not answering:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield f"http://{HOST}:{port}"
    finally:
        stop_process(process, group=True)


@dataclass(frozen=True)
class DrillWorker:
    handle: WorkerHandle
    broker_url: str

    def wait_until_idle(self, *, timeout: float = 20.0) -> None:
        with broker_app(self.broker_url) as app:
            wait_until_idle(self.handle, timeout=timeout, app=app, broker_url=self.broker_url)


def broker_app(url: str) -> Celery:
    """Not the project's app: Celery prefers the CELERY_BROKER_URL of this process's
    environment to any broker it is given, except for the explicit read and write URLs."""
    app = Celery("drill-control", set_as_current=False)
    app.conf.broker_read_url = app.conf.broker_write_url = url
    return app


@contextmanager
def celery_worker(env: Mapping[str, str], *, log: Path) -> Iterator[DrillWorker]:
    """Run a worker on the default queue of the broker in ``env``."""
    nodename = f"drill-{secrets.token_hex(4)}@localhost"
    command = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker"),
        *("--pool=solo", "--concurrency=1", "-n", nodename),
        *("--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=dict(env), stdout=out, stderr=subprocess.STDOUT
        )
    pinger = broker_app(env["CELERY_BROKER_URL"])
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not pinger.control.ping(destination=[nodename], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"celery worker not ready:\n{log.read_text()}")
        # The default queue: the one Celery names "celery" when settings name none.
        handle = WorkerHandle(queue=pinger.conf.task_default_queue, nodename=nodename, log=log)
        yield DrillWorker(handle, env["CELERY_BROKER_URL"])
    finally:
        pinger.close()
        stop_process(process)


def run_django(env: Mapping[str, str], code: str, *, timeout: float = 60.0) -> str:
    """Run ``code`` in a fresh Django process with ``env`` (as beat or a shell would)."""
    script = f"import django\ndjango.setup()\n{code}"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"{code!r} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """A browser without JavaScript: cookies kept, redirects not followed, one connection
    per request (a drill's server may drop connections)."""

    def __init__(self, port: int, *, timeout: float = 15.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: Mapping | None = None) -> Response:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    self.cookies[key.strip()] = val.strip()
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            return Response(raw.status, response_headers, text, time.monotonic() - started)
        finally:
            conn.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: Mapping) -> Response:
        return self.request("POST", path, data)

    def form_token(self, path: str) -> str:
        """GET the form at ``path``; return its CSRF token (the cookie is kept)."""
        page = self.get(path)
        match = CSRF_INPUT.search(page.text)
        if page.status != 200 or match is None:
            raise AssertionError(f"GET {path}: {page.status}\n{page.text[:2000]}")
        return match.group(1)

    def admin_login(self, email: str, password: str) -> None:
        token = self.form_token("/admin/login/")
        response = self.post(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
        )
        assert response.status == 302, (response.status, response.text[:2000])


def person(n: int, token: str) -> dict[str, str]:
    """A registration form filled in for attendee number ``n``."""
    return {
        "csrfmiddlewaretoken": token,
        "first_name": f"Ada{n}",
        "last_name": "Lovelace",
        "email": f"ada{n}@example.org",
        "affiliation": "Université de Lorraine",
        "career_stage": "phd",
        "dietary_needs": "",
        "website": "",
    }


def manage_link_pk(location: str) -> int | None:
    """The registration's id in a redirect to its self-service page, if it is one."""
    match = re.search(r"/registrations/(\d+)/", location)
    return int(match.group(1)) if match else None
