"""Mail to attendees outside the sign-up flow: their link again, organizers' messages, reminders."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from registration import emails
from registration.models import Registration, RegistrationSettings

Status = Registration.Status


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


PREVIEWS = 3


def preview_messages(*, registrations: QuerySet[Registration], subject: str, body: str):
    """The message as its first recipients get it: (registration, subject, body), a few."""
    return [
        (registration, *emails.custom_text(registration, subject=subject, body=body))
        for registration in _in_list_order(registrations)[:PREVIEWS]
    ]


def send_test_message(
    *, registrations: QuerySet[Registration], subject: str, body: str, to: str
) -> bool:
    """Queue to ``to`` (the organizer) the message as the first recipient gets it."""
    first = _in_list_order(registrations).first()
    if first is None:
        return False
    emails.queue_custom_mail(first, subject=subject, body=body, batch=uuid.uuid4().hex, to=to)
    return True


def _in_list_order(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """As the recipients are listed to the organizer: by name."""
    return registrations.select_related("workshop").order_by("last_name", "first_name", "pk")


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
