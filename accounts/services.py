"""A speaker's own profile: created from their account, edited by them alone."""

from __future__ import annotations

from django.db import transaction

from workshops.models import SpeakerProfile


def profile_of(user) -> SpeakerProfile:
    """Return the user's speaker profile, created from their account on first use."""
    profile, _ = SpeakerProfile.objects.get_or_create(
        user=user,
        defaults={
            "name": user.full_name or user.email.split("@")[0],
            "email": user.email,
            "created_by": user,
        },
    )
    return profile


@transaction.atomic
def save_profile(*, profile: SpeakerProfile, replaced_photo: str = "") -> SpeakerProfile:
    """Save the speaker's edits; the account's name follows the profile's name."""
    profile.full_clean()
    profile.save()
    user = profile.user
    if user is not None and user.full_name != profile.name:
        user.full_name = profile.name
        user.save(update_fields=["full_name"])
    if replaced_photo and replaced_photo != profile.photo.name:
        storage = profile.photo.storage
        # Only once the new state is committed: a rollback must not lose the old photo.
        transaction.on_commit(lambda: storage.delete(replaced_photo))
    return profile
