"""The outbox: queue mail inside the caller's transaction, deliver it once from Celery.

Every change that promises an email calls ``queue_mail()`` inside its own transaction, so the
mail exists if and only if the change committed. After the commit a Celery task is asked to
deliver it; if the broker is down, the mail simply stays queued and the periodic sweeper
(``requeue_stale``) hands it to Celery later.

Delivery takes the row lock, skips anything not queued, marks the row ``sending`` and commits
before it talks to SMTP, so two workers can never both send one mail.

In bulk (a workshop's decision mail): ``queue_mails()`` writes many rows in one insert and
hands them to Celery MAIL_BATCH to a task; ``deliver_many()`` claims a batch's queued rows in
one transaction, then sends and records each mail in turn. A worker keeps its SMTP session
open from one mail to the next (``smtp_connection()``) and drops it on any failure.

The one window where a mail can go out twice: the SMTP server has accepted the message, then
the worker dies (SIGKILL, power loss, lost database) before it records ``sent``. The row stays
``sending``; after MAIL_STUCK_AFTER the sweeper cannot tell "never sent" from "sent, not
recorded", and re-sends rather than risk losing the mail. SMTP offers no way to close this
window; keeping the gap between the server's reply and our commit tiny is all we can do.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import random
import re
import smtplib
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.mime.image import MIMEImage
from typing import Any

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
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


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_placeholders(text: str, values: Mapping[str, Any]) -> str:
    """Replace {name} placeholders; unknown ones stay as typed (no format-string tricks)."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m[1], m[0])), text)


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
    # Callers often hold a row lock (registration), so insert straight away: get_or_create()
    # in its own atomic() would look the key up again behind two more savepoints.
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.create(
                key=key,
                workshop=workshop,
                template=template,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=to,
                reply_to=reply_to or (workshop.contact_email if workshop else ""),
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                qr_payload=qr_payload,
            )
    except IntegrityError:  # queued by a concurrent transaction since the look-up above
        if (existing := OutgoingMail.objects.filter(key=key).first()) is None:
            raise
        return existing
    schedule_delivery(mail.pk)
    return mail


@dataclass(frozen=True)
class Mail:
    """One mail for ``queue_mails()``: the arguments of ``queue_mail()`` as a value."""

    key: str
    to: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    workshop: Workshop | None = None
    reply_to: str = ""
    qr_payload: str = ""


def queue_mails(mails: Sequence[Mail]) -> list[OutgoingMail]:
    """``queue_mail()`` for many mails at once: one insert, and one delivery task per
    MAIL_BATCH after commit. Keys that exist already send nothing new.

    For a caller that changes many rows in one transaction (decision mail for a whole
    workshop): per mail it saves the look-up, two savepoints and a broker round trip.
    """
    existing = {m.key: m for m in OutgoingMail.objects.filter(key__in=[m.key for m in mails])}
    new = {}
    for item in mails:
        if item.key not in existing and item.key not in new:
            rendered = render_mail(item.template, item.context)
            new[item.key] = OutgoingMail(
                key=item.key,
                workshop=item.workshop,
                template=item.template,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=item.to,
                reply_to=item.reply_to or (item.workshop.contact_email if item.workshop else ""),
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                qr_payload=item.qr_payload,
            )
    try:
        with transaction.atomic():
            created = OutgoingMail.objects.bulk_create(new.values())
    except IntegrityError:  # a concurrent transaction queued one of the keys: one at a time
        return [
            queue_mail(
                key=m.key,
                to=m.to,
                template=m.template,
                context=m.context,
                workshop=m.workshop,
                reply_to=m.reply_to,
                qr_payload=m.qr_payload,
            )
            for m in mails
        ]
    ids = [mail.pk for mail in created]
    if ids:
        transaction.on_commit(lambda: enqueue_many(ids), robust=True)
    by_key = {**existing, **{mail.key: mail for mail in created}}
    return [by_key[m.key] for m in mails]


def schedule_delivery(mail_id: int) -> None:
    """Ask Celery to deliver after the surrounding transaction commits."""
    transaction.on_commit(lambda: enqueue(mail_id), robust=True)


def enqueue(mail_id: int, *, countdown: float | None = None) -> bool:
    """Hand one mail to the broker; a broker that is down leaves it for the sweeper."""
    from workshops.tasks import deliver_mail

    try:
        deliver_mail.apply_async(kwargs={"mail_id": mail_id}, countdown=countdown)
    except Exception as exc:  # kombu's OperationalError, redis' ConnectionError, socket errors…
        logger.warning(
            "broker unavailable (%r); mail %s stays queued for the sweeper", exc, mail_id
        )
        return False
    return True


MAIL_BATCH = 50


def enqueue_many(mail_ids: Sequence[int]) -> bool:
    """Hand mails to the broker MAIL_BATCH to a task; what the broker misses stays queued."""
    from workshops.tasks import deliver_mails

    for start in range(0, len(mail_ids), MAIL_BATCH):
        batch = list(mail_ids[start : start + MAIL_BATCH])
        try:
            deliver_mails.apply_async(kwargs={"mail_ids": batch})
        except Exception as exc:  # as in enqueue(): the sweeper hands them over later
            logger.warning(
                "broker unavailable (%r); %s mails stay queued for the sweeper",
                exc,
                len(mail_ids) - start,
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
    # Claim it in one statement (its own transaction): the UPDATE locks the row and re-checks
    # the status, so of two workers exactly one claims it; no BEGIN/SELECT/COMMIT round trips.
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(pk=mail_id, status=OutgoingMail.Status.QUEUED).update(
        status=OutgoingMail.Status.SENDING,
        attempts=F("attempts") + 1,
        sending_since=now,
        updated_at=now,
    )
    mail = OutgoingMail.objects.filter(pk=mail_id).first()
    if not claimed or mail is None:
        return mail
    return _send_and_record(mail)


def deliver_many(mail_ids: Sequence[int]) -> None:
    """Deliver a batch: claim its queued mails together, then send and record each in turn.

    The guarantees of ``deliver()`` hold for each mail: only queued mails are claimed, the
    claim is committed before SMTP, each outcome is recorded right after its own send, and one
    that fails for now waits for a task of its own while the others go on. What the batch
    saves is a claim (three round trips) per mail.
    """
    now = timezone.now()
    with transaction.atomic():
        # skip_locked: a row another worker is claiming right now is theirs, not ours.
        claimed = list(
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk__in=mail_ids, status=OutgoingMail.Status.QUEUED)
            .order_by("pk")
        )
        OutgoingMail.objects.filter(pk__in=[mail.pk for mail in claimed]).update(
            status=OutgoingMail.Status.SENDING,
            attempts=F("attempts") + 1,
            sending_since=now,
            updated_at=now,
        )
    # The sweeper takes a mail "sending" for longer than MAIL_STUCK_AFTER for one whose worker
    # died; hand the rest back well before a slow server makes the batch look like that.
    deadline = time.monotonic() + settings.MAIL_STUCK_AFTER.total_seconds() / 2
    for index, mail in enumerate(claimed):
        if index and time.monotonic() > deadline:
            _release([m.pk for m in claimed[index:]], claimed_at=now)
            return
        mail.status, mail.sending_since = OutgoingMail.Status.SENDING, now
        mail.attempts += 1
        try:
            _send_and_record(mail)
        except TransientMailError as exc:
            # Its failure is recorded on the row; it waits for its own task, the rest go on.
            enqueue(mail.pk, countdown=exc.retry_in)


def _release(mail_ids: list[int], *, claimed_at) -> None:
    """Give claimed, unsent mails back to the queue (and to the broker), uncounted."""
    released = list(
        OutgoingMail.objects.filter(
            pk__in=mail_ids, status=OutgoingMail.Status.SENDING, sending_since=claimed_at
        ).values_list("pk", flat=True)
    )
    OutgoingMail.objects.filter(pk__in=released).update(
        status=OutgoingMail.Status.QUEUED, attempts=F("attempts") - 1, updated_at=timezone.now()
    )
    enqueue_many(released)


def _send_and_record(mail: OutgoingMail) -> OutgoingMail:
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
    message = build_message(mail)
    message.connection = smtp_connection()
    try:
        message.send(fail_silently=False)
    except BaseException:
        # Whatever state the session is in, the next try starts from a fresh one.
        drop_smtp_connection()
        raise


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# A session idle for longer may have been closed by the server: ask (NOOP) before reusing it.
SMTP_IDLE_CHECK_SECONDS = 5.0
# Servers limit the messages per session; start a fresh session well before any such limit.
SMTP_MESSAGES_PER_SESSION = 100


class _Session(threading.local):
    backend = None
    key: tuple = ()
    pid = 0
    sent = 0
    last_used = 0.0


_session = _Session()


def smtp_connection():
    """Return this process's open SMTP session, or None (a new connection per mail) when mail
    does not go through Django's SMTP backend.

    Opening a session (TCP, EHLO, STARTTLS, AUTH) costs more than sending a message over it;
    a worker delivering one mail after another keeps it open. Safe under retries: a session
    is only reused when known to be alive, and any failure drops it (``_send``).
    """
    if settings.EMAIL_BACKEND != SMTP_BACKEND:
        return None
    key = (
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
    )
    session = _session
    if session.backend is not None and session.pid != os.getpid():
        session.backend = None  # inherited through fork: the parent's socket, not ours to use
    if session.backend is not None and not _reusable(session, key):
        drop_smtp_connection()
    if session.backend is None:
        backend = get_connection(SMTP_BACKEND, fail_silently=False)
        backend.open()
        session.backend, session.key, session.pid, session.sent = backend, key, os.getpid(), 0
    session.sent += 1
    session.last_used = time.monotonic()
    return session.backend


def _reusable(session: _Session, key: tuple) -> bool:
    if session.key != key or session.sent >= SMTP_MESSAGES_PER_SESSION:
        return False
    if session.backend.connection is None:
        return False
    if time.monotonic() - session.last_used < SMTP_IDLE_CHECK_SECONDS:
        return True
    try:
        return session.backend.connection.noop()[0] == 250
    except (smtplib.SMTPException, OSError):
        return False


def drop_smtp_connection() -> None:
    """Close this process's SMTP session, if any, ignoring a session that is already gone."""
    backend, _session.backend = _session.backend, None
    if backend is None:
        return
    with contextlib.suppress(smtplib.SMTPException, OSError):
        backend.close()


def build_message(mail: OutgoingMail) -> EmailMultiAlternatives:
    """Return the message an outbox row stands for, as it goes out."""
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
    return message


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
