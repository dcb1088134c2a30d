"""Which registration mail, to whom, with which text; queued in the outbox."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from registration.mailtexts import DEFAULTS, fill
from registration.models import MailText, Registration
from workshops.mail import queue_mail
from workshops.models import OutgoingMail
from workshops.templatetags.workshop_tags import date_range

# Mails that carry the attendee's check-in QR code.
WITH_CHECKIN = {"confirmed", "promoted", "approved", "reminder"}


def texts_for(workshop, kind: str) -> tuple[str, str]:
    """Return (subject, body) with placeholders: the workshop's own, else the built-in."""
    own = MailText.objects.filter(workshop=workshop, kind=kind).first()
    return (own.subject, own.body) if own else DEFAULTS[kind]


def placeholder_values(registration: Registration) -> dict[str, str]:
    workshop = registration.workshop
    position = ""
    if registration.status == Registration.Status.WAITLISTED:
        position = str(waitlist_position(registration))
    venue = ", ".join(p for p in (workshop.venue_name, workshop.city) if p) or "venue TBA"
    return {
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "workshop": workshop.title,
        "dates": date_range(workshop.start_date, workshop.end_date),
        "venue": venue,
        "manage_url": settings.SITE_URL + registration.get_absolute_url(),
        "status": registration.get_status_display(),
        "position": position,
        "checkin_code": registration.checkin_code,
    }


def waitlist_position(registration: Registration) -> int:
    """Return the 1-based place on the waiting list (0 when not waitlisted)."""
    if registration.status != Registration.Status.WAITLISTED:
        return 0
    ahead = Registration.objects.filter(
        workshop_id=registration.workshop_id,
        status=Registration.Status.WAITLISTED,
        queued_at__lt=registration.queued_at,
    ).count()
    return ahead + 1


def queue_registration_mail(
    registration: Registration, kind: str, *, key: str | None = None
) -> OutgoingMail:
    """Queue one of the registration mails; once per registration and kind unless keyed."""
    subject, body = texts_for(registration.workshop, kind)
    values = placeholder_values(registration)
    with_qr = kind in WITH_CHECKIN and registration.status == Registration.Status.CONFIRMED
    return queue_mail(
        key=key or f"registration-{kind}:{registration.pk}",
        to=registration.email,
        template="registration/emails/message",
        context={
            "subject": fill(subject, values),
            "body": fill(body, values),
            "workshop": registration.workshop,
            "checkin_code": registration.checkin_code if with_qr else "",
        },
        workshop=registration.workshop,
        qr_payload=registration.checkin_code if with_qr else "",
    )


def queue_link_mail(registration: Registration) -> OutgoingMail:
    """Send the self-service link again; at most once per ten minutes per registration."""
    bucket = int(timezone.now().timestamp()) // 600
    return queue_registration_mail(
        registration, "link", key=f"registration-link:{registration.pk}:{bucket}"
    )


def queue_custom_mail(registration: Registration, *, subject: str, body: str, batch: str):
    """An organizer's message to selected attendees, with the same placeholders."""
    values = placeholder_values(registration)
    return queue_mail(
        key=f"registration-message:{batch}:{registration.pk}",
        to=registration.email,
        template="registration/emails/message",
        context={
            "subject": fill(subject, values),
            "body": fill(body, values),
            "workshop": registration.workshop,
            "checkin_code": "",
        },
        workshop=registration.workshop,
    )
