"""The outbox: queue mail inside the caller's transaction, deliver it once from Celery.

Every change that promises an email calls ``queue_mail()`` inside its own transaction, so the
mail exists if and only if the change committed. After the commit a Celery task is asked to
deliver it; if the broker is down, the mail simply stays queued and the periodic sweeper
(``requeue_stale``) hands it to Celery later.

Delivery takes the row lock, skips anything not queued, marks the row ``sending`` and commits
before it talks to SMTP, so two workers can never both send one mail.

The one window where a mail can go out twice: the SMTP server has accepted the message, then
the worker dies (SIGKILL, power loss, lost database) before it records ``sent``. The row stays
``sending``; after MAIL_STUCK_AFTER the sweeper cannot tell "never sent" from "sent, not
recorded", and re-sends rather than risk losing the mail. SMTP offers no way to close this
window; keeping the gap between the server's reply and our commit tiny is all we can do.
"""

from __future__ import annotations

import io
import logging
import random
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.mime.image import MIMEImage
from typing import Any

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from workshops.models import OutgoingMail, Workshop

logger = logging.getLogger(__name__)


class TransientMailError(Exception):
    """Delivery failed in a way that may pass (network, 4xx); try again in ``retry_in`` s."""

    def __init__(self, message: str, *, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def render_mail(template: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render ``<template>.subject.txt``, ``.txt`` and ``.html`` (the HTML part is optional)."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context).strip() + "\n"
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:  # a plain-text-only mail
        html = ""
    return RenderedMail(subject=subject[:300], text=text, html=html)


def queue_mail(
    *,
    key: str,
    to: str,
    template: str,
    context: Mapping[str, Any],
    workshop: Workshop | None = None,
    reply_to: str = "",
    qr_payload: str = "",
) -> OutgoingMail:
    """Write one mail in the current transaction and deliver it after commit; once per key.

    Calling it again with a key that exists returns the existing mail and sends nothing new.
    """
    existing = OutgoingMail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    rendered = render_mail(template, context)
    with transaction.atomic():
        mail, created = OutgoingMail.objects.get_or_create(
            key=key,
            defaults={
                "workshop": workshop,
                "template": template,
                "from_email": settings.DEFAULT_FROM_EMAIL,
                "to": to,
                "reply_to": reply_to or (workshop.contact_email if workshop else ""),
                "subject": rendered.subject,
                "body_text": rendered.text,
                "body_html": rendered.html,
                "qr_payload": qr_payload,
            },
        )
    if created:
        schedule_delivery(mail.pk)
    return mail


def schedule_delivery(mail_id: int) -> None:
    """Ask Celery to deliver after the surrounding transaction commits."""
    transaction.on_commit(lambda: enqueue(mail_id), robust=True)


def enqueue(mail_id: int) -> bool:
    """Hand one mail to the broker; a broker that is down leaves it for the sweeper."""
    from workshops.tasks import deliver_mail

    try:
        deliver_mail.apply_async(kwargs={"mail_id": mail_id})
    except Exception as exc:  # kombu's OperationalError, redis' ConnectionError, socket errors…
        logger.warning(
            "broker unavailable (%r); mail %s stays queued for the sweeper", exc, mail_id
        )
        return False
    return True


def backoff(attempt: int) -> float:
    """Seconds before try ``attempt + 1``: exponential, capped, with full jitter."""
    cap = settings.MAIL_RETRY_BACKOFF_MAX
    return random.uniform(cap / 20, min(cap, 10 * 2**attempt))


def is_permanent(exc: BaseException) -> bool:
    """SMTP 5xx answers (bad recipient, refused message) will not pass by retrying."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def deliver(mail_id: int) -> OutgoingMail | None:
    """Send one queued mail and record the outcome; raise TransientMailError to be retried.

    Does nothing for a mail that is not queued (already sent, in flight elsewhere, failed).
    """
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status != OutgoingMail.Status.QUEUED:
            return mail
        mail.status = OutgoingMail.Status.SENDING
        mail.attempts += 1
        mail.sending_since = timezone.now()
        mail.save(update_fields=["status", "attempts", "sending_since", "updated_at"])

    try:
        _send(mail)
    except Exception as exc:
        return _record_failure(mail, exc)
    # Duplicate window (see the module docstring): the server has the mail, we have not yet
    # written it down.
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=OutgoingMail.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        updated_at=timezone.now(),
    )
    mail.status = OutgoingMail.Status.SENT
    return mail


def _send(mail: OutgoingMail) -> None:
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body_text,
        from_email=mail.from_email,
        to=[mail.to],
        reply_to=[mail.reply_to] if mail.reply_to else None,
        headers={"X-Outbox-Key": mail.key},
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    if mail.qr_payload:
        message.mixed_subtype = "related"
        message.attach(qr_image(mail.qr_payload))
    message.send(fail_silently=False)


def qr_image(payload: str) -> MIMEImage:
    """Return a PNG QR code of ``payload``, for HTML that shows it as ``cid:checkin-qr``."""
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=6, border=2)
    image = MIMEImage(buffer.getvalue(), "png")
    image.add_header("Content-ID", "<checkin-qr>")
    image.add_header("Content-Disposition", "inline", filename="checkin-qr.png")
    return image


def _record_failure(mail: OutgoingMail, exc: Exception) -> OutgoingMail:
    error = f"{exc.__class__.__name__}: {exc}"[:2000]
    final = is_permanent(exc) or mail.attempts >= settings.MAIL_MAX_ATTEMPTS
    now = timezone.now()
    retry_in = backoff(mail.attempts)
    mail.last_error = error
    if final:
        mail.status = OutgoingMail.Status.FAILED
        logger.error("mail %s failed for good after %s attempts: %s", mail.pk, mail.attempts, error)
    else:
        mail.status = OutgoingMail.Status.QUEUED
        mail.next_attempt_at = now + timedelta(seconds=retry_in)
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=mail.status, last_error=error, next_attempt_at=mail.next_attempt_at, updated_at=now
    )
    if not final:
        raise TransientMailError(error, retry_in=retry_in) from exc
    return mail


def requeue_stale(*, now=None) -> int:
    """Hand Celery every mail that should be moving but is not; return how many.

    Queued mails whose next attempt is overdue by MAIL_REQUEUE_GRACE (their task was never
    published, or was lost), and mails stuck in ``sending`` for MAIL_STUCK_AFTER (their worker
    died mid-delivery: this is the duplicate window of the module docstring).
    """
    now = now or timezone.now()
    stuck = OutgoingMail.objects.filter(
        status=OutgoingMail.Status.SENDING, sending_since__lt=now - settings.MAIL_STUCK_AFTER
    )
    with transaction.atomic():
        stuck_ids = list(stuck.select_for_update(skip_locked=True).values_list("pk", flat=True))
        OutgoingMail.objects.filter(pk__in=stuck_ids).update(
            status=OutgoingMail.Status.QUEUED,
            last_error="Worker stopped during delivery; sending again.",
            updated_at=now,
        )
    overdue = list(
        OutgoingMail.objects.filter(
            status=OutgoingMail.Status.QUEUED, next_attempt_at__lt=now - settings.MAIL_REQUEUE_GRACE
        ).values_list("pk", flat=True)[:5000]
    )
    ids = list(dict.fromkeys([*stuck_ids, *overdue]))
    # Not again before another grace period: a long backlog must not be enqueued every sweep.
    OutgoingMail.objects.filter(pk__in=overdue, status=OutgoingMail.Status.QUEUED).update(
        next_attempt_at=now
    )
    for mail_id in ids:
        if not enqueue(mail_id):
            break
    return len(ids)


def resend(mails) -> int:
    """Queue the given mails again (the admin's "resend" action); return how many."""
    count = 0
    # Lock by primary key alone: the admin's queryset joins the nullable workshop, and
    # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    locked = OutgoingMail.objects.select_for_update().filter(pk__in=mails.values("pk"))
    with transaction.atomic():
        for mail in locked.order_by("pk"):
            if mail.status == OutgoingMail.Status.SENDING:
                continue
            mail.status = OutgoingMail.Status.QUEUED
            mail.attempts = 0
            mail.next_attempt_at = timezone.now()
            mail.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
            schedule_delivery(mail.pk)
            count += 1
    return count
