"""Which mail the accounts app sends, to whom, with which template."""

from __future__ import annotations

from django.urls import reverse

from accounts.tokens import profile_claim_token
from config.site_url import absolute
from outbox.mail import queue_mail
from workshops.models import SpeakerProfile, Workshop


def claim_url(profile: SpeakerProfile) -> str:
    path = reverse(
        "accounts:claim_profile",
        kwargs={"pk": profile.pk, "token": profile_claim_token.make_token(profile)},
    )
    return absolute(path)


def queue_claim_mail(profile: SpeakerProfile, *, workshop: Workshop) -> None:
    """Offer the person behind an unowned profile to tie it to their account; once per profile
    and address."""
    if profile.user_id is not None or not profile.email:
        return
    queue_mail(
        key=f"profile-claim:{profile.pk}:{profile.email}",
        to=profile.email,
        template="accounts/emails/claim_profile",
        context={"profile": profile, "workshop": workshop, "claim_url": claim_url(profile)},
        workshop=workshop,
    )
