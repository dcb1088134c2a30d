"""Every registration state change, with its rules; capacity is only checked under a lock.

Each service takes the workshop's registration lock first (registration/seats.py), so two
requests never both see the last seat and a freed seat goes to exactly one waiting person.
Mails are queued in the same transaction. A sign-up does all it can before the lock (checks,
rendering its mail), leaves duplicates to the partial unique constraint, and holds the lock
for four statements.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format

from config.addresses import normalize_email
from registration import emails, seats
from registration.exceptions import (
    AlreadyRegistered,
    CapacityBelowConfirmed,
    InvalidTransition,
    RegistrationBusy as RegistrationBusy,  # the services' API
    RegistrationClosed,
    RegistrationError as RegistrationError,
    RegistrationNotOpen,
    WorkshopFull,
)
from registration.models import Registration, RegistrationSettings
from workshops.models import Workshop

logger = logging.getLogger(__name__)

Status = Registration.Status


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


def settings_for(workshop: Workshop) -> RegistrationSettings | None:
    """Return the workshop's settings, read once per workshop instance (a request's)."""
    try:
        return workshop.registration_settings
    except RegistrationSettings.DoesNotExist:
        return None


def availability(conf: RegistrationSettings | None, now=None) -> dict:
    """What the form page says before anyone types: window, seats, waiting list (by the
    seat counts, read without the lock: the sign-up itself decides under it)."""
    now = now or timezone.now()
    state = conf.window_state(now) if conf else "not_open"
    free = seats.free_seats(conf) if conf else None
    full = free == 0 and not (conf and conf.requires_approval)
    notice = ""
    if state != "open":
        try:
            check_window(conf, now)
        except RegistrationError as exc:
            notice = str(exc)
    return {
        "state": state,
        "notice": notice,
        "full": full,
        "waitlist": bool(conf and conf.waitlist_enabled),
        "seats_left": free if conf and conf.show_remaining_seats else None,
        "accepts": state == "open" and (not full or (conf and conf.waitlist_enabled)),
        "closes_at": conf.closes_at if conf else None,
    }


def check_capacity(conf: RegistrationSettings, capacity: int | None) -> None:
    """Raise unless ``capacity`` leaves every confirmed person a seat. For a form's early
    answer, by the counts on the row as loaded; ``set_capacity()`` checks again under the lock."""
    if capacity is not None and capacity < conf.confirmed_count:
        raise _below_confirmed(conf.confirmed_count)


def _below_confirmed(confirmed: int) -> CapacityBelowConfirmed:
    return CapacityBelowConfirmed(
        f"{confirmed} people are confirmed already: the capacity cannot go below "
        f"{confirmed}. Cancel registrations first."
    )


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


def register_attendee(*, workshop: Workshop, data: RegistrationData, now=None) -> Registration:
    """Confirm, waitlist or hold for approval; never more confirmed than capacity."""
    registration = Registration(workshop=workshop, **data.as_fields())
    # Everything registering waits on holds the lock: do all that can be done before it.
    registration.full_clean(
        exclude=["workshop", "status"], validate_unique=False, validate_constraints=False
    )
    conf = settings_for(workshop)
    check_window(conf, now or timezone.now())
    if conf.confirm_address_hours:
        registration.hold_expires_at = (now or timezone.now()) + dt.timedelta(
            hours=conf.confirm_address_hours
        )
    # The mail for the likely outcome; the lock decides (and renders another, rarely).
    try:
        status = new_status(conf)
        draft = emails.draft_registration_mail(
            registration, status, emails.first_mail_kind(conf, status)
        )
    except WorkshopFull:
        draft = None
    try:
        with transaction.atomic():
            return _register_under_lock(registration, draft, now)
    except IntegrityError:
        # Someone registered already (or a double submit's twin got in first): the partial
        # unique constraint refused the insert, one index probe instead of a look-up before
        # it, and the rollback released the lock.
        if (found := _active_registration(workshop, registration.email)) is None:
            raise
        raise AlreadyRegistered(found) from None


def _register_under_lock(
    registration: Registration, draft: emails.MailDraft | None, now
) -> Registration:
    conf = seats.lock_registrations(registration.workshop)
    # Taken under the lock, so that creation and queue times follow arrival order.
    now = now or timezone.now()
    check_window(conf, now)
    if conf.confirm_address_hours and seats.free_seats(conf) == 0:
        _release_lapsed(conf, now)  # a seat whose hold ran out returns before it is refused
    status = _new_status(conf, registration)
    registration.status, registration.created_at = status, now
    if status == Status.CONFIRMED:
        registration.confirmed_at = now
    if status == Status.WAITLISTED:
        registration.queued_at = now
    registration.save()
    if draft is None or draft.status != status:
        draft = emails.draft_registration_mail(
            registration, status, emails.first_mail_kind(conf, status)
        )
    emails.queue_draft(draft, registration, position=conf.waitlisted_count + 1)
    seats.count_new(conf, status)
    return registration


def _new_status(conf: RegistrationSettings, registration: Registration) -> str:
    try:
        return new_status(conf)
    except WorkshopFull:
        # Someone registered already hears that (and gets their link), not that it is full.
        if (found := _active_registration(registration.workshop, registration.email)) is None:
            raise
        raise AlreadyRegistered(found) from None


def _active_registration(workshop: Workshop, email: str) -> Registration | None:
    # The unique constraint's own expression, so that its index answers; on the stored form of
    # the address (``iexact`` would compare UPPER(), which makes organızer@ organizer@).
    return (
        Registration.objects.filter(workshop=workshop)
        .active()
        .alias(email_key=Lower("email"))
        .filter(email_key=Lower(Value(normalize_email(email))))
        .first()
    )


def new_status(conf: RegistrationSettings) -> str:
    """The status a new registration gets now; raise WorkshopFull if none."""
    if conf.requires_approval:
        return Status.PENDING
    if seats.free_seats(conf) != 0:
        return Status.CONFIRMED
    if conf.waitlist_enabled:
        return Status.WAITLISTED
    raise WorkshopFull("The workshop is full.")


def promote_from_waitlist(*, conf: RegistrationSettings, now=None) -> list[Registration]:
    """Fill free seats from the waiting list in arrival order; caller holds the lock and
    saves the counts."""
    free = seats.free_seats(conf)
    waiting = Registration.objects.filter(workshop_id=conf.workshop_id).waitlisted()
    waiting = waiting.select_for_update()
    if free is not None:
        waiting = waiting[:free]
    now = now or timezone.now()
    promoted = list(waiting)
    for registration in promoted:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        seats.count_move(conf, old=Status.WAITLISTED, new=Status.CONFIRMED)
        emails.queue_registration_mail(registration, "promoted")
    return promoted


def _locked(registration: Registration) -> tuple[RegistrationSettings | None, Registration]:
    conf = seats.lock_registrations(registration.workshop, recount=True)
    return conf, Registration.objects.select_for_update().get(pk=registration.pk)


@transaction.atomic
def cancel_registration(*, registration: Registration, now=None) -> list[Registration]:
    """Cancel; a freed seat goes to the first waiting person. Return those promoted."""
    conf, registration = _locked(registration)
    if not registration.is_active:
        raise InvalidTransition("This registration is already cancelled.")
    was = registration.status
    registration.status = Status.CANCELLED
    registration.cancelled_at = now or timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    emails.queue_registration_mail(registration, "cancelled")
    if conf is None:
        return []
    seats.count_move(conf, old=was, new=Status.CANCELLED)
    promoted = promote_from_waitlist(conf=conf, now=now) if was == Status.CONFIRMED else []
    seats.save_counts(conf)
    return promoted


@transaction.atomic
def approve_registration(*, registration: Registration, now=None) -> Registration:
    """Approve a pending registration: a seat if one is free, else the waiting list."""
    conf, registration = _locked(registration)
    if registration.status != Status.PENDING:
        raise InvalidTransition(f"{registration.full_name} is not awaiting approval.")
    now = now or timezone.now()
    if conf is None or seats.free_seats(conf) != 0:
        registration.status, registration.confirmed_at = Status.CONFIRMED, now
    elif conf.waitlist_enabled:
        registration.status, registration.queued_at = Status.WAITLISTED, now
    else:
        raise WorkshopFull(f"No seat is left for {registration.full_name}; raise the capacity.")
    registration.save(update_fields=["status", "confirmed_at", "queued_at"])
    emails.queue_registration_mail(registration, "approved")
    if conf is not None:
        seats.count_move(conf, old=Status.PENDING, new=registration.status)
        seats.save_counts(conf)
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
    conf, registration = _locked(registration)
    if registration.status != Status.WAITLISTED:
        raise InvalidTransition(f"{registration.full_name} is not on the waiting list.")
    if conf is not None and seats.free_seats(conf) == 0:
        raise WorkshopFull(f"No seat is free for {registration.full_name}; raise the capacity.")
    registration.status = Status.CONFIRMED
    registration.confirmed_at = now or timezone.now()
    registration.save(update_fields=["status", "confirmed_at"])
    emails.queue_registration_mail(registration, "promoted")
    if conf is not None:
        seats.count_move(conf, old=Status.WAITLISTED, new=Status.CONFIRMED)
        seats.save_counts(conf)
    return registration


@transaction.atomic
def set_capacity(*, workshop: Workshop, capacity: int | None) -> list[Registration]:
    """Change capacity; never below the confirmed count; promote into new seats."""
    conf = seats.lock_registrations(workshop, recount=True)
    if conf is None:
        raise RegistrationSettings.DoesNotExist("This workshop takes no registrations.")
    confirmed = conf.confirmed_count
    if capacity is not None and capacity < confirmed:
        raise _below_confirmed(confirmed)
    conf.capacity = capacity
    promoted = promote_from_waitlist(conf=conf)
    conf.save(update_fields=["capacity", *RegistrationSettings.COUNTS])
    return promoted


@transaction.atomic
def recount_seats(*, workshop: Workshop) -> RegistrationSettings | None:
    """Set the seat counts from the registrations, after rows were written outside these
    services (an import, a test's fixtures)."""
    conf = seats.lock_registrations(workshop, recount=True)
    seats.save_counts(conf)
    return conf


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
def confirm_address(*, registration: Registration, now=None) -> Registration:
    """The attendee confirms their address by their link: the place held becomes theirs, and
    the mail of their status follows."""
    _, registration = _locked(registration)
    if not registration.is_active:
        raise InvalidTransition(
            "This registration lapsed or was cancelled; you are welcome to register again."
        )
    if registration.hold_expires_at is None:
        return registration
    registration.hold_expires_at = None
    registration.address_confirmed_at = now or timezone.now()
    registration.save(update_fields=["hold_expires_at", "address_confirmed_at"])
    emails.queue_registration_mail(registration, registration.status)
    return registration


def _release_lapsed(conf: RegistrationSettings, now) -> list[Registration]:
    """Cancel the registrations whose address was not confirmed in time, promote into the
    seats they held; the caller holds the lock and saves the counts."""
    lapsed = list(
        Registration.objects.filter(workshop_id=conf.workshop_id, hold_expires_at__lte=now)
        .active()
        .select_for_update()
    )
    freed = False
    for registration in lapsed:
        was = registration.status
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.hold_expires_at = None
        registration.save(update_fields=["status", "cancelled_at", "hold_expires_at"])
        emails.queue_registration_mail(registration, "lapsed")
        seats.count_move(conf, old=was, new=Status.CANCELLED)
        freed = freed or was == Status.CONFIRMED
    if freed:
        promote_from_waitlist(conf=conf, now=now)
    return lapsed


def release_lapsed_holds(*, now=None) -> int:
    """Release every hold past its time, workshop by workshop; return how many lapsed."""
    now = now or timezone.now()
    due = (
        Registration.objects.filter(hold_expires_at__lte=now)
        .active()
        .values_list("workshop_id", flat=True)
        .distinct()
    )
    count = 0
    for workshop in Workshop.objects.filter(pk__in=list(due)):
        try:
            with transaction.atomic():
                conf = seats.lock_registrations(workshop, recount=True)
                if conf is None:
                    continue
                count += len(_release_lapsed(conf, now))
                seats.save_counts(conf)
        except RegistrationBusy:
            # Its registrations are locked for long: the next sweep takes it; the others go on.
            logger.warning("lapsed holds of workshop %s left for the next sweep", workshop.pk)
    return count
