"""Structured logs: one JSON object per line, each tagged with the request it belongs to.

``LOG_FORMAT=json`` (the default when DEBUG is off) switches the console handler to
``JsonFormatter``; plain text stays the default for local work. ``RequestIdMiddleware`` takes
the ``X-Request-ID`` a proxy set (nginx in docker-compose.yml) or makes one, returns it in the
response and puts it on every record logged while the request runs, so the proxy's access log,
the app's lines and a user's bug report can be matched up.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("request_id", default="")

# What we accept from outside: short, and nothing a log reader could be fooled by.
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id`` (empty outside a request, e.g. in a Celery task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # django.request logs a 4xx/5xx after the middleware has returned, with the request.
            request = getattr(record, "request", None)
            record.request_id = request_id.get() or getattr(request, "request_id", "")
        return True


# The secrets our links carry in their paths: a signed-link token (40 hex digits) after an id,
# and allauth's keys (email confirmation, password reset). Whoever reads a log must not be able
# to open someone's registration with it.
SECRET_IN_PATH = re.compile(
    r"(?P<keep>/(?:registrations/\d+/confirm|registrations/\d+|accounts/speaker/\d+"
    r"|submissions/\d+/confirm"
    r"|accounts/confirm-email|accounts/password/reset/key)/)"
    r"(?P<secret>[^/\s'\"?#]+)"
)
REDACTED = "[redacted]"


def redact_secrets(text: str) -> str:
    """Replace the secrets of signed links in ``text`` (a path, a log line) with [redacted]."""
    return SECRET_IN_PATH.sub(lambda m: m["keep"] + REDACTED, text)


class PlainFormatter(logging.Formatter):
    """Django's plain lines, with the secrets of signed links redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_secrets(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact_secrets(self.json_line(record))

    def json_line(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", ""):
            entry["request_id"] = record.request_id
        for key, value in vars(record).items():
            if key not in STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        current = given if VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(current)
        request.request_id = current
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = current
        return response
