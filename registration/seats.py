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
from django.db import OperationalError, connection
from django.db.models import Count, F, Q
from django.db.transaction import TransactionManagementError

from registration.exceptions import RegistrationBusy
from registration.models import Registration, RegistrationSettings
from workshops.models import Workshop

Status = Registration.Status
COUNTED = {Status.CONFIRMED: "confirmed_count", Status.WAITLISTED: "waitlisted_count"}
# SQLSTATE 55P03 lock_not_available: what PostgreSQL answers when lock_timeout runs out.
LOCK_NOT_AVAILABLE = "55P03"


def lock_registrations(workshop: Workshop, *, recount: bool = False) -> RegistrationSettings | None:
    """Lock the workshop's registrations for the rest of the transaction; return its settings
    as they are now (None: it takes no registrations, and its workshop row is locked).

    Only inside ``atomic()``: a lock that ends with its statement guards nothing. A lock not
    free within ``REGISTRATION_LOCK_TIMEOUT`` raises RegistrationBusy (nothing was saved; the
    person sends the form again) instead of keeping a worker waiting.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("lock_registrations() needs a transaction (atomic()).")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout()])
    try:
        conf = RegistrationSettings.objects.select_for_update().filter(workshop=workshop).first()
        if conf is None:
            Workshop.objects.select_for_update().filter(pk=workshop.pk).exists()
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise RegistrationBusy from exc
        raise
    if connection.vendor == "postgresql":
        # The timeout is for this lock only, not for the rest of the caller's transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    if conf is None:
        return None
    conf.workshop = workshop
    if recount:
        recount_seats(conf)
    return conf


def lock_timeout() -> str:
    return f"{int(settings.REGISTRATION_LOCK_TIMEOUT.total_seconds() * 1000)}ms"


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
