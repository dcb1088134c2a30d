"""The check-in desk: a scanned or typed code marks a confirmed attendee as arrived, once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from registration.models import Registration
from registration.services import RegistrationError
from workshops.models import Workshop

Status = Registration.Status


class CheckInRefused(RegistrationError):
    pass


@transaction.atomic
def check_in(*, workshop: Workshop, code: str, now=None) -> Registration:
    """Mark a confirmed attendee as arrived; refuse unknown, inactive or used codes."""
    code = "".join(code.split()).upper()
    registration = (
        Registration.objects.select_for_update()
        .filter(workshop=workshop, checkin_code=code)
        .first()
    )
    if registration is None:
        raise CheckInRefused(f"Unknown code “{code[:20]}” for this workshop.")
    if registration.status in Registration.INACTIVE:
        raise CheckInRefused(f"{registration.full_name}'s registration is cancelled.")
    if registration.status != Status.CONFIRMED:
        raise CheckInRefused(
            f"{registration.full_name} is not confirmed ({registration.get_status_display()})."
        )
    if registration.checked_in_at:
        arrived = timezone.localtime(registration.checked_in_at, workshop.tz)
        raise CheckInRefused(
            f"{registration.full_name} already checked in at {arrived:%H:%M} on {arrived:%d %b}."
        )
    registration.checked_in_at = now or timezone.now()
    registration.save(update_fields=["checked_in_at"])
    return registration
