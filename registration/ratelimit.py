"""A fixed-window rate limit on POSTs, counted in the shared cache (so it holds across workers)."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def over_limit(request: HttpRequest, *, scope: str, limit: int, window: int = 60) -> bool:
    """Count this request; return True once ``limit`` requests came from its IP in the window.

    Fails open: while the cache is unreachable (config/redis_cache.py acts as an empty cache
    that stores nothing) no request is over the limit, rather than every one being refused.
    """
    bucket = int(timezone.now().timestamp()) // window
    key = f"ratelimit:{scope}:{client_ip(request)}:{bucket}"
    # Counting first: in a busy window (the one that matters) the key exists, and this is
    # the only call. Two first requests racing to create it may count as one: that fails open.
    try:
        return cache.incr(key) > limit
    except ValueError:  # the window's first request, or no cache
        cache.add(key, 1, timeout=window + 1)
        return limit < 1
