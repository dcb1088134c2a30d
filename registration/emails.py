"""Which registration mail, to whom, with which text; queued in the outbox."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from config.site_url import absolute
from outbox.mail import RenderedMail, queue_mail, queue_rendered_mail, render_mail
from outbox.models import OutgoingMail
from registration.mailtext_cache import workshop_texts
from registration.mailtexts import DEFAULTS, fill
from registration.models import Registration
from workshops.templatetags.workshop_tags import date_range

TEMPLATE = "registration/emails/message"
# Mails that carry the attendee's check-in QR code.
WITH_CHECKIN = {"confirmed", "promoted", "approved", "reminder"}


def texts_for(workshop, kind: str) -> tuple[str, str]:
    """Return (subject, body) with placeholders: the workshop's own, else the built-in."""
    return workshop_texts(workshop.pk).get(kind) or DEFAULTS[kind]


def placeholder_values(registration: Registration) -> dict[str, str]:
    position = ""
    if registration.status == Registration.Status.WAITLISTED:
        position = str(waitlist_position(registration))
    confirm_path = registration.get_confirmation_url() if registration.hold_expires_at else ""
    return _values(
        registration,
        status=registration.status,
        manage_path=registration.get_absolute_url(),
        confirm_path=confirm_path,
        position=position,
    )


def _values(
    registration: Registration, *, status: str, manage_path: str, confirm_path: str, position: str
):
    workshop = registration.workshop
    venue = ", ".join(p for p in (workshop.venue_name, workshop.city) if p) or "venue TBA"
    return {
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "workshop": workshop.title,
        "dates": date_range(workshop.start_date, workshop.end_date),
        "venue": venue,
        "manage_url": absolute(manage_path),
        "status": Registration.Status(status).label,
        "position": position,
        "checkin_code": registration.checkin_code,
        "confirm_by": _moment(registration.hold_expires_at, workshop),
        "confirm_url": absolute(confirm_path) if confirm_path else "",
    }


def _moment(moment, workshop) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment, workshop.tz)
    return f"{date_format(local, 'j F Y, H:i')} ({workshop.time_zone})"


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
    qr = _qr_payload(registration, kind, registration.status)
    return queue_mail(
        key=key or f"registration-{kind}:{registration.pk}",
        to=registration.email,
        template=TEMPLATE,
        context=_context(registration, fill(subject, values), fill(body, values), qr),
        workshop=registration.workshop,
        qr_payload=qr,
    )


def _qr_payload(registration: Registration, kind: str, status: str) -> str:
    with_qr = kind in WITH_CHECKIN and status == Registration.Status.CONFIRMED
    return registration.checkin_code if with_qr else ""


def _context(registration: Registration, subject: str, body: str, checkin_code: str) -> dict:
    return {
        "subject": subject,
        "body": body,
        "workshop": registration.workshop,
        "checkin_code": checkin_code,
    }


@dataclass(frozen=True)
class MailDraft:
    """A sign-up's mail, rendered before the registration is saved and its lock taken.

    Two values exist only once the locked transaction has run: the registration's id (in the
    self-service and confirmation links, with the tokens made from it) and the place on the
    waiting list. They stand in the rendered mail as random markers that ``queue_draft()``
    replaces: the lock is held for a few string replacements, not for templates and the
    queries behind them.
    """

    kind: str
    status: str
    rendered: RenderedMail
    link_marker: str
    confirm_marker: str
    position_marker: str
    # False when the subject was cut short through a marker: render it again under the lock.
    complete: bool


def first_mail_kind(conf, status: str) -> str:
    """The mail a new registration gets: its status's, or "verify" while its address awaits
    confirmation (the status's mail follows the confirmation)."""
    return "verify" if conf is not None and conf.confirm_address_hours else status


def draft_registration_mail(registration: Registration, status: str, kind: str) -> MailDraft:
    """Render the mail a new registration gets in ``status`` (confirmed, waitlisted, pending):
    the mail of ``kind`` (``first_mail_kind()``)."""
    link_marker, confirm_marker = (
        reverse(
            name,
            kwargs={"pk": 10**17 + secrets.randbelow(9 * 10**17), "token": secrets.token_hex(20)},
        )
        for name in ("registration:manage", "registration:confirm_address")
    )
    if registration.hold_expires_at is None:
        confirm_marker = ""
    position_marker = f"p{secrets.token_hex(8)}" if status == Registration.Status.WAITLISTED else ""
    values = _values(
        registration,
        status=status,
        manage_path=link_marker,
        confirm_path=confirm_marker,
        position=position_marker,
    )
    subject, body = (fill(text, values) for text in texts_for(registration.workshop, kind))
    qr = _qr_payload(registration, kind, status)
    rendered = render_mail(TEMPLATE, _context(registration, subject, body, qr))
    markers = [m for m in (link_marker, confirm_marker, position_marker) if m and m in subject]
    return MailDraft(
        kind=kind,
        status=status,
        rendered=rendered,
        link_marker=link_marker,
        confirm_marker=confirm_marker,
        position_marker=position_marker,
        complete=all(m in rendered.subject for m in markers),
    )


def queue_draft(draft: MailDraft, registration: Registration, *, position: int) -> OutgoingMail:
    """Queue a drafted mail for the registration just saved, ``position`` its place in line."""
    if not draft.complete:
        return queue_registration_mail(registration, draft.kind)
    real = {draft.link_marker: registration.get_absolute_url()}
    if draft.confirm_marker:
        real[draft.confirm_marker] = registration.get_confirmation_url()
    if draft.position_marker:
        real[draft.position_marker] = str(position)

    def finish(text: str) -> str:
        for marker, value in real.items():
            text = text.replace(marker, value)
        return text

    rendered = draft.rendered
    return queue_rendered_mail(
        key=f"registration-{draft.kind}:{registration.pk}",
        to=registration.email,
        template=TEMPLATE,
        rendered=RenderedMail(
            subject=finish(rendered.subject), text=finish(rendered.text), html=finish(rendered.html)
        ),
        workshop=registration.workshop,
        qr_payload=_qr_payload(registration, draft.kind, draft.status),
    )


def queue_link_mail(registration: Registration) -> OutgoingMail:
    """Send the self-service link again; at most once per ten minutes per registration."""
    bucket = int(timezone.now().timestamp()) // 600
    return queue_registration_mail(
        registration, "link", key=f"registration-link:{registration.pk}:{bucket}"
    )


def custom_text(registration: Registration, *, subject: str, body: str) -> tuple[str, str]:
    """An organizer's message as this person gets it: the placeholders filled in."""
    values = placeholder_values(registration)
    return fill(subject, values), fill(body, values)


def queue_custom_mail(
    registration: Registration, *, subject: str, body: str, batch: str, to: str = ""
):
    """An organizer's message to selected attendees, with the same placeholders; ``to``: a
    test copy, as this person would get it, to the organizer instead."""
    subject, body = custom_text(registration, subject=subject, body=body)
    return queue_mail(
        key=f"registration-message:{batch}:{registration.pk}" + (f":test:{to}" if to else ""),
        to=to or registration.email,
        template=TEMPLATE,
        context=_context(registration, f"[Test] {subject}" if to else subject, body, ""),
        workshop=registration.workshop,
    )
