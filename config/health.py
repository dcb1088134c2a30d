"""``/healthz``: is this process able to serve? The database, the broker and the cache, briefly.

Answered by a middleware at the top of the stack, before anything reads the Host header:
container health checks and load balancers call it as ``localhost`` or by IP, which
``ALLOWED_HOSTS`` would refuse, and over plain HTTP, which ``SECURE_SSL_REDIRECT`` would
redirect. It touches no session and renders no template, so probing it often costs little.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from kombu import Connection

logger = logging.getLogger(__name__)

PATHS = frozenset({"/healthz", "/healthz/"})


def check_database() -> str:
    connection = connections["default"]
    if connection.vendor != "postgresql":
        # No transaction here: SQLite's IMMEDIATE mode would take the write lock for a probe.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # An overloaded database answers "no" within the probe's budget.
        cursor.execute("SET LOCAL statement_timeout = %s", [settings.HEALTHZ_TIMEOUT_MS])
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return "ok (tasks run in-process)"
    timeout = settings.HEALTHZ_TIMEOUT_MS / 1000
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    with Connection(url, connect_timeout=timeout, transport_options=options) as connection:
        # No retries: the probe itself is retried by whoever calls it.
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    return "ok"


def check_cache() -> str:
    cache = caches["default"]
    token = f"{time.monotonic_ns()}"
    cache.set("healthz:probe", token, timeout=10)
    if cache.get("healthz:probe") != token:
        raise RuntimeError("the cache did not return what was just written")
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "cache": check_cache,
}


def health() -> tuple[bool, dict[str, str]]:
    """Run every check; return whether all passed and what each said."""
    results, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure of a dependency is a "no", never a 500
            healthy = False
            results[name] = f"failed: {type(exc).__name__}"
            logger.warning("healthz: %s failed: %s", name, exc)
    return healthy, results


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"status": "method not allowed"}, status=405)
        healthy, checks = health()
        failed = sorted(name for name, said in checks.items() if said.startswith("failed"))
        body = {"status": "ok" if healthy else "unavailable", "checks": checks}
        if failed:
            body["failed"] = failed
        response = JsonResponse(body, status=200 if healthy else 503)
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
