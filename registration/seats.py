"""The lock that serialises a workshop's registrations, and the seat counts it guards.

Every service that decides or changes a registration's status first locks the workshop's
``RegistrationSettings`` row (``select_for_update``; SQLite's IMMEDIATE transactions serialize
writers the same way). That one statement returns the settings as they are now, capacity and
counts included, so a sign-up counts nothing while it holds the lock. The counts change in the
same transaction as the statuses they count; the less frequent services (cancel, approve,
promote, capacity) recount from the registrations themselves first, which also mends counts
that something outside the services (a shell, a fixture) let drift.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, F, Q

from registration.models import Registration, RegistrationSettings
from workshops.models import Workshop

Status = Registration.Status
COUNTED = {Status.CONFIRMED: "confirmed_count", Status.WAITLISTED: "waitlisted_count"}


def lock_registrations(workshop: Workshop, *, recount: bool = False) -> RegistrationSettings | None:
    """Lock the workshop's registrations for the rest of the transaction; return its settings
    as they are now (None: it takes no registrations, and its workshop row is locked)."""
    rows = RegistrationSettings.objects
    # REGISTRATION_LOCK exists only so that a test can show the race this lock prevents.
    locking = getattr(settings, "REGISTRATION_LOCK", True)
    try:
        conf = (rows.select_for_update() if locking else rows).get(workshop_id=workshop.pk)
    except RegistrationSettings.DoesNotExist:
        if locking:
            list(Workshop.objects.select_for_update().filter(pk=workshop.pk).values_list("pk"))
        return None
    conf.workshop = workshop
    if recount:
        recount_seats(conf)
    return conf


def recount_seats(conf: RegistrationSettings) -> None:
    """Set the counts from the registrations (in memory; ``save_counts()`` writes them)."""
    counts = Registration.objects.filter(workshop_id=conf.workshop_id).aggregate(
        **{field: Count("pk", filter=Q(status=status)) for status, field in COUNTED.items()}
    )
    for field, value in counts.items():
        setattr(conf, field, value)


def count_move(conf: RegistrationSettings, *, old: str | None, new: str | None) -> None:
    """Count one registration moving from status ``old`` to ``new`` (in memory)."""
    if old in COUNTED:
        setattr(conf, COUNTED[old], getattr(conf, COUNTED[old]) - 1)
    if new in COUNTED:
        setattr(conf, COUNTED[new], getattr(conf, COUNTED[new]) + 1)


def save_counts(conf: RegistrationSettings | None) -> None:
    if conf is not None:
        conf.save(update_fields=RegistrationSettings.COUNTS)


def count_new(conf: RegistrationSettings, status: str) -> None:
    """Count a new registration, in one UPDATE (an increment, right even without the lock)."""
    if status in COUNTED:
        field = COUNTED[status]
        RegistrationSettings.objects.filter(pk=conf.pk).update(**{field: F(field) + 1})
        setattr(conf, field, getattr(conf, field) + 1)


def free_seats(conf: RegistrationSettings) -> int | None:
    """Seats left by the counts (None: unlimited); exact only under the lock."""
    if conf.capacity is None:
        return None
    return max(0, conf.capacity - conf.confirmed_count)
