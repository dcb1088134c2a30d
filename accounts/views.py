"""The speaker's own pages (sign-up, login and password reset are allauth's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import ProfileForm
from accounts.tokens import profile_claim_token
from workshops import pending_uploads
from workshops.models import SpeakerProfile, Workshop


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    speaker = services.profile_of(request.user)
    old_photo = speaker.photo.name
    # Taken before validation, which puts the (maybe rejected) upload on the instance.
    photo_url = speaker.photo.url if speaker.photo else ""
    files, kept = request.FILES, {}
    if request.method == "POST":  # a photo chosen before the page came back is still chosen
        files, kept = pending_uploads.with_kept(
            request.POST, request.FILES, fields=("photo",), owner_id=request.user.pk
        )
    form = ProfileForm(request.POST or None, files or None, instance=speaker)
    if request.method == "POST" and form.is_valid():
        services.save_profile(profile=form.save(commit=False), replaced_photo=old_photo)
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    if form.is_bound:  # posted (an empty post shows the form unbound, as a first visit)
        kept = pending_uploads.keep_valid(form, files, kept, owner_id=request.user.pk)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "photo_url": photo_url, "kept": kept.get("photo")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_profile(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The link mailed to a speaker: tie the profile made for them to their account."""
    profile = get_object_or_404(SpeakerProfile, pk=pk, user__isnull=True)
    if not profile_claim_token.check_token(profile, token):
        raise Http404("No such speaker profile.")
    if request.method == "POST":
        try:
            services.claim_profile(profile=profile, user=request.user)
        except services.ProfileAlreadyOwned as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The speaker profile is yours now.")
        return redirect("accounts:profile")
    workshops = Workshop.objects.filter(appearances__speaker=profile).distinct()
    return render(
        request,
        "accounts/claim_profile.html",
        {
            "profile": profile,
            "workshops": workshops,
            "has_profile": SpeakerProfile.objects.filter(user=request.user).exists(),
        },
    )
