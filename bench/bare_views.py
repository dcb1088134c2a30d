"""The floors for read benchmarks: views that do nothing but answer."""

from functools import cache

from django.http import HttpRequest, HttpResponse


def bare(request: HttpRequest) -> HttpResponse:
    """Return a constant response: what the middleware, routing and gunicorn alone cost."""
    return HttpResponse(b"ok", content_type="text/plain")


@cache
def _body(size: int) -> bytes:
    return bytes(size)


def sized(request: HttpRequest, size: int) -> HttpResponse:
    """Return a stored body of ``size`` bytes: the ceiling for a page or export that large
    (sending the bytes costs what it costs, whoever made them)."""
    return HttpResponse(_body(size), content_type="application/octet-stream")
