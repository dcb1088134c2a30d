"""The address links in mail and exports point at.

``SITE_URL`` when it is set (production: ``check --deploy`` warns without it). When it is
not, as on the embedded default, the address of the request being served: a mail is written
(and rendered) in the request that causes it, so its links lead back to the host and port
the person is using, and the outbox keeps them in the stored body. Outside a request (a
worker, a command) and without ``SITE_URL``: ``make run``'s address.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.core.checks import Tags, Warning, register

FALLBACK = "http://127.0.0.1:8000"
_serving: ContextVar[str] = ContextVar("serving", default="")


class SiteUrlMiddleware:
    """Remember, for the request's duration, the address it was made to (host validated by
    ALLOWED_HOSTS: an unknown Host header is refused before any mail is written)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = _serving.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _serving.reset(token)


def site_url() -> str:
    """Return the site's address without a trailing slash."""
    return settings.SITE_URL or _serving.get() or FALLBACK


def absolute(path: str) -> str:
    return site_url() + path


def configured_site_url() -> str:
    """The address for what is stored and served to every host (exports): never a request's."""
    return settings.SITE_URL or FALLBACK


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "SITE_URL is not set: mail links would follow each request's Host header.",
            hint="Set SITE_URL to the public address, e.g. https://workshops.example.org.",
            id="config.W001",
        )
    ]
