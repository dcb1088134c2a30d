"""Who is asking (``client_ip``), and fixed-window rate limits counted in the shared cache, so
that they hold across workers and replicas.

One ``client_ip()`` for every limit: registration's, the admin login's, django-axes' lockout and
allauth's own limits (through accounts.adapter).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: REMOTE_ADDR, or behind our proxy the address it added.

    With TRUST_X_FORWARDED_FOR, the proxy appends the address it saw to X-Forwarded-For, so
    the entry TRUSTED_PROXY_COUNT from the right is the client; the ones left of it are
    whatever the client sent, and never trusted.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def over_limit(key: str, *, limit: int, window: int = 60) -> bool:
    """Count one hit for ``key``; return True once it has had more than ``limit`` in the window.

    Fails open: while the cache is unreachable (config/redis_cache.py acts as an empty cache
    that stores nothing) nothing is over its limit, rather than everything being refused.
    """
    bucket = int(timezone.now().timestamp()) // window
    key = f"ratelimit:{key}:{window}:{bucket}"
    # Counting first: in a busy window (the one that matters) the key exists, and this is
    # the only call. Two first requests racing to create it may count as one: that fails open.
    try:
        return cache.incr(key) > limit
    except ValueError:  # the window's first request, or no cache
        cache.add(key, 1, timeout=window + 1)
        return limit < 1


def ip_over_limit(request: HttpRequest, *, scope: str, limit: int, window: int = 60) -> bool:
    """``over_limit()`` for the request's client address in ``scope``."""
    return over_limit(f"{scope}:ip:{client_ip(request)}", limit=limit, window=window)
