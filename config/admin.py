"""The admin site: Django's, with a limit on login attempts per IP before any hashing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.ratelimit import ip_over_limit


class AdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # Each attempt costs about half a second of Argon2; a few threads of guesses slowed
        # every page. django-axes locks one account after failures; this bounds one address.
        if request.method == "POST" and ip_over_limit(
            request, scope="admin-login", limit=settings.ADMIN_LOGIN_POSTS_PER_MINUTE
        ):
            response = render(request, "too_many_requests.html", status=429)
            response["Retry-After"] = "60"
            return response
        return super().login(request, extra_context)
