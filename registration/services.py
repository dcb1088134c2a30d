"""Every registration state change, with its rules; capacity is only checked under a lock.

Each service locks the workshop row first (``select_for_update``; SQLite's IMMEDIATE
transactions serialize writers the same way), so two requests never both see the last seat,
and a freed seat goes to exactly one waiting person. Mails are queued in the same transaction.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format

from registration import emails
from registration.models import Registration, RegistrationSettings
from workshops.models import Workshop

Status = Registration.Status


class RegistrationError(Exception):
    """An expected refusal; ``str(exc)`` is the message to show the person."""


class RegistrationNotOpen(RegistrationError):
    pass


class RegistrationClosed(RegistrationError):
    pass


class WorkshopFull(RegistrationError):
    """No seat left and no waiting list."""


class AlreadyRegistered(RegistrationError):
    def __init__(self, registration: Registration) -> None:
        super().__init__("This email address is already registered.")
        self.registration = registration


class CapacityBelowConfirmed(RegistrationError):
    pass


class InvalidTransition(RegistrationError):
    pass


class CheckInRefused(RegistrationError):
    pass


@dataclass(frozen=True)
class RegistrationData:
    first_name: str
    last_name: str
    email: str
    affiliation: str = ""
    career_stage: str = ""
    dietary_needs: str = ""
    list_consent: bool = False
    answers: dict[str, Any] = field(default_factory=dict)

    def as_fields(self) -> dict[str, Any]:
        return {
            "first_name": self.first_name.strip(),
            "last_name": self.last_name.strip(),
            "email": self.email.strip(),
            "affiliation": self.affiliation.strip(),
            "career_stage": self.career_stage,
            "dietary_needs": self.dietary_needs.strip(),
            "list_consent": self.list_consent,
            "answers": self.answers,
        }


def lock_workshop(workshop: Workshop) -> Workshop:
    """Take the workshop's row lock for the rest of the transaction."""
    # REGISTRATION_LOCK exists only so that a test can show the race this lock prevents.
    if getattr(settings, "REGISTRATION_LOCK", True):
        return Workshop.objects.select_for_update().get(pk=workshop.pk)
    return Workshop.objects.get(pk=workshop.pk)


def _race_window() -> None:
    pause = getattr(settings, "REGISTRATION_RACE_PAUSE", 0)
    if pause:
        time.sleep(pause)


def settings_for(workshop: Workshop) -> RegistrationSettings | None:
    return RegistrationSettings.objects.filter(workshop=workshop).first()


def confirmed_count(workshop: Workshop) -> int:
    return Registration.objects.filter(workshop=workshop).confirmed().count()


def free_seats(workshop: Workshop, conf: RegistrationSettings) -> int | None:
    """Return seats left (None: unlimited)."""
    if conf.capacity is None:
        return None
    return max(0, conf.capacity - confirmed_count(workshop))


def check_window(conf: RegistrationSettings | None, now) -> None:
    """Raise unless registration is open at ``now``; the message says when it opens."""
    state = conf.window_state(now) if conf else "not_open"
    if state == "open":
        return
    if state == "closed":
        raise RegistrationClosed("Registration is closed.")
    if conf is None or conf.opens_at is None:
        raise RegistrationNotOpen("Registration is not open yet.")
    tz = conf.workshop.tz
    opens = timezone.localtime(conf.opens_at, tz)
    raise RegistrationNotOpen(
        f"Registration opens on {date_format(opens, 'j F Y')} at "
        f"{date_format(opens, 'H:i')} ({conf.workshop.time_zone})."
    )


@transaction.atomic
def register_attendee(*, workshop: Workshop, data: RegistrationData, now=None) -> Registration:
    """Confirm, waitlist or hold for approval; never more confirmed than capacity."""
    registration = Registration(workshop=workshop, **data.as_fields())
    # Everything registering waits on holds this lock: check the person's details before it.
    registration.full_clean(exclude=["status"], validate_constraints=False)
    workshop = lock_workshop(workshop)
    now = now or timezone.now()
    conf = settings_for(workshop)
    check_window(conf, now)
    # The unique constraint's own expression, so that its index answers (``iexact`` would
    # compare UPPER() and scan every registration of the workshop while holding the lock).
    existing = (
        Registration.objects.filter(workshop=workshop)
        .active()
        .alias(email_key=Lower("email"))
        .filter(email_key=Lower(Value(registration.email)))
    )
    if (found := existing.first()) is not None:
        raise AlreadyRegistered(found)

    seats = free_seats(workshop, conf)
    _race_window()
    if conf.requires_approval:
        status = Status.PENDING
    elif seats is None or seats > 0:
        status = Status.CONFIRMED
    elif conf.waitlist_enabled:
        status = Status.WAITLISTED
    else:
        raise WorkshopFull("The workshop is full.")

    # Taken under the lock, so that creation and queue times follow arrival order.
    registration.workshop, registration.status, registration.created_at = workshop, status, now
    if status == Status.CONFIRMED:
        registration.confirmed_at = now
    if status == Status.WAITLISTED:
        registration.queued_at = now
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Only reachable without the lock (or a double submit racing on another database):
        # the partial unique constraint is the last line of defence.
        raise AlreadyRegistered(existing.first()) from None
    emails.queue_registration_mail(registration, status_mail(status))
    return registration


def status_mail(status: str) -> str:
    return {"confirmed": "confirmed", "waitlisted": "waitlisted", "pending": "pending"}[status]


def promote_from_waitlist(*, workshop: Workshop, now=None) -> list[Registration]:
    """Fill free seats from the waiting list in arrival order; caller holds the lock."""
    conf = settings_for(workshop)
    if conf is None:
        return []
    seats = free_seats(workshop, conf)
    waiting = Registration.objects.filter(workshop=workshop).waitlisted().select_for_update()
    if seats is not None:
        waiting = waiting[:seats]
    now = now or timezone.now()
    promoted = list(waiting)
    for registration in promoted:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        emails.queue_registration_mail(registration, "promoted")
    return promoted


def _locked(registration: Registration) -> tuple[Workshop, Registration]:
    workshop = lock_workshop(registration.workshop)
    return workshop, Registration.objects.select_for_update().get(pk=registration.pk)


@transaction.atomic
def cancel_registration(*, registration: Registration, now=None) -> list[Registration]:
    """Cancel; a freed seat goes to the first waiting person. Return those promoted."""
    workshop, registration = _locked(registration)
    if not registration.is_active:
        raise InvalidTransition("This registration is already cancelled.")
    was_confirmed = registration.status == Status.CONFIRMED
    registration.status = Status.CANCELLED
    registration.cancelled_at = now or timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    emails.queue_registration_mail(registration, "cancelled")
    return promote_from_waitlist(workshop=workshop, now=now) if was_confirmed else []


@transaction.atomic
def approve_registration(*, registration: Registration, now=None) -> Registration:
    """Approve a pending registration: a seat if one is free, else the waiting list."""
    workshop, registration = _locked(registration)
    if registration.status != Status.PENDING:
        raise InvalidTransition(f"{registration.full_name} is not awaiting approval.")
    conf = settings_for(workshop)
    seats = free_seats(workshop, conf)
    now = now or timezone.now()
    if seats is None or seats > 0:
        registration.status, registration.confirmed_at = Status.CONFIRMED, now
    elif conf.waitlist_enabled:
        registration.status, registration.queued_at = Status.WAITLISTED, now
    else:
        raise WorkshopFull(f"No seat is left for {registration.full_name}; raise the capacity.")
    registration.save(update_fields=["status", "confirmed_at", "queued_at"])
    emails.queue_registration_mail(registration, "approved")
    return registration


@transaction.atomic
def reject_registration(*, registration: Registration, now=None) -> Registration:
    """Turn down a pending registration."""
    _, registration = _locked(registration)
    if registration.status != Status.PENDING:
        raise InvalidTransition(f"{registration.full_name} is not awaiting approval.")
    registration.status = Status.REJECTED
    registration.cancelled_at = now or timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    emails.queue_registration_mail(registration, "rejected")
    return registration


@transaction.atomic
def move_from_waitlist(*, registration: Registration, now=None) -> Registration:
    """Give a waiting person a free seat out of turn (the organizer's choice)."""
    workshop, registration = _locked(registration)
    if registration.status != Status.WAITLISTED:
        raise InvalidTransition(f"{registration.full_name} is not on the waiting list.")
    if free_seats(workshop, settings_for(workshop)) == 0:
        raise WorkshopFull(f"No seat is free for {registration.full_name}; raise the capacity.")
    registration.status = Status.CONFIRMED
    registration.confirmed_at = now or timezone.now()
    registration.save(update_fields=["status", "confirmed_at"])
    emails.queue_registration_mail(registration, "promoted")
    return registration


@transaction.atomic
def set_capacity(*, workshop: Workshop, capacity: int | None) -> list[Registration]:
    """Change capacity; never below the confirmed count; promote into new seats."""
    workshop = lock_workshop(workshop)
    conf = RegistrationSettings.objects.select_for_update().get(workshop=workshop)
    confirmed = confirmed_count(workshop)
    if capacity is not None and capacity < confirmed:
        raise CapacityBelowConfirmed(
            f"{confirmed} people are confirmed already: the capacity cannot go below {confirmed}."
        )
    conf.capacity = capacity
    conf.save(update_fields=["capacity"])
    return promote_from_waitlist(workshop=workshop)


@transaction.atomic
def update_details(*, registration: Registration, data: RegistrationData) -> Registration:
    """Let the attendee correct their details (the address stays: it is their identity)."""
    _, registration = _locked(registration)
    if not registration.is_active:
        raise InvalidTransition("A cancelled registration cannot be changed.")
    fields = data.as_fields()
    fields.pop("email")
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.full_clean(validate_constraints=False)
    registration.save(update_fields=list(fields))
    return registration


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


def send_link_again(*, registration: Registration) -> None:
    """Mail the self-service link to the address on file (never to anyone else)."""
    with transaction.atomic():
        emails.queue_link_mail(registration)


@transaction.atomic
def email_registrations(*, registrations: QuerySet[Registration], subject: str, body: str) -> int:
    """Queue an organizer's message to each selected person; return how many."""
    batch = uuid.uuid4().hex
    count = 0
    for registration in registrations.select_related("workshop"):
        emails.queue_custom_mail(registration, subject=subject, body=body, batch=batch)
        count += 1
    return count


def send_due_reminders(*, now=None) -> int:
    """Remind confirmed attendees N days before their workshop, once each; return how many."""
    now = now or timezone.now()
    sent = 0
    confs = RegistrationSettings.objects.filter(
        reminder_days_before__isnull=False, workshop__start_date__isnull=False
    ).select_related("workshop")
    for conf in confs:
        workshop = conf.workshop
        today = timezone.localtime(now, workshop.tz).date()
        days_left = (workshop.start_date - today).days
        if not 0 <= days_left <= conf.reminder_days_before:
            continue
        due = Registration.objects.filter(
            workshop=workshop, status=Status.CONFIRMED, reminder_sent_at__isnull=True
        )
        for registration in due.iterator():
            with transaction.atomic():
                claimed = Registration.objects.filter(
                    pk=registration.pk, reminder_sent_at__isnull=True
                ).update(reminder_sent_at=now)
                if claimed:
                    emails.queue_registration_mail(registration, "reminder")
                    sent += 1
    return sent
