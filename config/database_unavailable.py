"""Answer "try again in a moment" when the database connection fails under a request.

A dropped connection (PostgreSQL restarted or failed over, a backend terminated, the network
between them cut) raises ``OperationalError`` or ``InterfaceError`` in whatever view was using
it. Nothing was committed by the failing transaction, and Django opens a fresh connection for
the next request (``CONN_HEALTH_CHECKS``), so the honest answer is a 503 with Retry-After and
a page that needs no database, instead of a 500 "server error".
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def database_unavailable_response() -> HttpResponse:
    """Return the 503 page; rendered without the request so that it reads nothing from the
    database (no user, no session, no messages)."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a failed database connection in a view into a 503 "please try again"."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "database unavailable during %s %s: %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
            exception,
            exc_info=exception,
        )
        return database_unavailable_response()
