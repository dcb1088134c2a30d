"""The floor for read benchmarks: a view that does nothing but answer."""

from django.http import HttpRequest, HttpResponse


def bare(request: HttpRequest) -> HttpResponse:
    """Return a constant response: what the middleware, routing and gunicorn alone cost."""
    return HttpResponse(b"ok", content_type="text/plain")
