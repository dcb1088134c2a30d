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
from django.db import connection
from django.db.models import Count, Q

from registration.models import Registration, RegistrationSettings
from workshops.models import Workshop

Status = Registration.Status
COUNTED = {Status.CONFIRMED: "confirmed_count", Status.WAITLISTED: "waitlisted_count"}


def lock_registrations(workshop: Workshop, *, recount: bool = False) -> RegistrationSettings | None:
    """Lock the workshop's registrations for the rest of the transaction; return its settings
    as they are now (None: it takes no registrations, and its workshop row is locked)."""
    # REGISTRATION_LOCK exists only so that a test can show the race this lock prevents.
    locking = getattr(settings, "REGISTRATION_LOCK", True)
    found = list(RegistrationSettings.objects.raw(_lock_sql(locking), [workshop.pk]))
    if not found:
        if locking:
            list(Workshop.objects.select_for_update().filter(pk=workshop.pk).values_list("pk"))
        return None
    conf = found[0]
    conf.workshop = workshop
    if recount:
        recount_seats(conf)
    return conf


def _lock_sql(locking: bool) -> str:
    """The settings row by workshop, locked: written out, as every sign-up runs it (the ORM
    would compile the same statement again each time, which costs more than running it)."""
    table, column = _quoted(RegistrationSettings._meta.db_table, "workshop_id")
    sql = f"SELECT * FROM {table} WHERE {column} = %s"
    if locking and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql


def _quoted(*names: str) -> list[str]:
    return [connection.ops.quote_name(name) for name in names]


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
        table, column, pk = _quoted(RegistrationSettings._meta.db_table, field, "id")
        with connection.cursor() as cursor:  # written out for the reason _lock_sql() gives
            cursor.execute(f"UPDATE {table} SET {column} = {column} + 1 WHERE {pk} = %s", [conf.pk])
        setattr(conf, field, getattr(conf, field) + 1)


def free_seats(conf: RegistrationSettings) -> int | None:
    """Seats left by the counts (None: unlimited); exact only under the lock."""
    if conf.capacity is None:
        return None
    return max(0, conf.capacity - conf.confirmed_count)
