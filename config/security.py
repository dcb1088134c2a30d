"""Hooks for django-axes: who is trying to log in, and what a locked-out person sees."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.addresses import normalize_email
from config.ratelimit import client_ip


def login_identifier(request: HttpRequest, credentials: dict | None) -> str | None:
    """Return the address a login attempt is for, from the admin's or allauth's form.

    The admin posts ``username`` and authenticates with ``username=``; allauth posts ``login``
    and authenticates with ``email=``. In the stored form (config/addresses.py), so that
    ``Ada@`` and ``ada@`` count as one, as they are one account.
    """
    credentials = credentials or {}
    for value in (
        credentials.get("email"),
        credentials.get("username"),
        request.POST.get("login") if request is not None else None,
        request.POST.get("username") if request is not None else None,
    ):
        if isinstance(value, str) and value.strip():
            return normalize_email(value)
    return None


def login_client_ip(request: HttpRequest) -> str | None:
    """Return the client's address as the rate limits see it, or None if it is not one.

    axes stores it in an IP address column, which PostgreSQL checks: a forged
    X-Forwarded-For or a request without REMOTE_ADDR (force_login) must not fail the login.
    """
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """A page in the site's layout (status 429) instead of axes' bare text."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
