"""The speaker's own pages (sign-up, login and password reset are allauth's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import ProfileForm


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    speaker = services.profile_of(request.user)
    old_photo = speaker.photo.name
    # Taken before validation, which puts the (maybe rejected) upload on the instance.
    photo_url = speaker.photo.url if speaker.photo else ""
    form = ProfileForm(request.POST or None, request.FILES or None, instance=speaker)
    if request.method == "POST" and form.is_valid():
        services.save_profile(profile=form.save(commit=False), replaced_photo=old_photo)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "photo_url": photo_url})
