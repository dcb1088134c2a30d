"""A speaker's own profile: created from their account, edited by them alone."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User
from config.addresses import normalize_email, skeleton
from workshops.models import SpeakerProfile


class AddressLooksTaken(Exception):
    """The address looks like another account's to a reader (Unicode TR 39)."""

    message = (
        "This address looks too much like one that already has an account here. If that "
        "account is yours, sign in or reset its password; otherwise use another address."
    )


def check_new_address(email: str, *, user: User | None = None) -> None:
    """Refuse an address that looks like another account's, such as ``organızer@`` beside
    ``organizer@`` (the same address is not refused here: allauth answers that one)."""
    normalized = normalize_email(email)
    lookalikes = User.objects.filter(email_skeleton=skeleton(normalized)).exclude(email=normalized)
    if user is not None:
        lookalikes = lookalikes.exclude(pk=user.pk)
    if lookalikes.exists():
        raise AddressLooksTaken(AddressLooksTaken.message)


def profile_of(user, *, name: str = "", affiliation: str = "") -> SpeakerProfile:
    """Return the user's speaker profile, created on first use from their account (and the
    name and affiliation given, such as their author row's)."""
    profile, _ = SpeakerProfile.objects.get_or_create(
        user=user,
        defaults={
            "name": user.full_name or name or user.email.split("@")[0],
            "affiliation": affiliation,
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


class ProfileAlreadyOwned(Exception):
    """The profile has an owner already."""


@transaction.atomic
def claim_profile(*, profile: SpeakerProfile, user: User) -> SpeakerProfile:
    """Tie a profile made for someone (a presenter, a speaker an organizer entered) to the
    account of the person who opened its signed link; return the person's profile.

    With a profile of their own already, theirs takes the other's place wherever it appears
    (appearances, schedule items) and the other one is deleted: one person, one profile.
    """
    profile = SpeakerProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.user_id is not None:
        raise ProfileAlreadyOwned("This speaker profile belongs to an account already.")
    own = SpeakerProfile.objects.select_for_update().filter(user=user).first()
    if own is None:
        profile.user = user
        profile.save(update_fields=["user"])
        return profile
    for appearance in profile.appearances.all():
        mine = own.appearances.filter(workshop_id=appearance.workshop_id).first()
        if mine is None:
            appearance.speaker = own
            appearance.save(update_fields=["speaker"])
        elif appearance.confirmed and not mine.confirmed:
            mine.confirmed = True
            mine.save(update_fields=["confirmed"])
    for item in profile.schedule_items.all():
        item.speakers.remove(profile)
        item.speakers.add(own)
    profile.delete()
    return own


@transaction.atomic
def set_password_from_link(*, user: User, password: str) -> User:
    """Set the password of an account that has none, from a link mailed to its address: the
    link proves the address, so it counts as verified (allauth asks for that before a login)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.filter(user=user).exclude(email=user.email).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user
