"""Delivery: send an outbox row through Django's email backend once, and record the outcome.

``deliver()`` sends one mail, ``deliver_many()`` a batch (``queue_mails()``), from Celery.
Each mail is claimed (``queued`` → ``sending``) in a committed statement before the mail
server hears of it, so two workers never both send it; then it is marked ``sent`` right after
the backend returns, or its failure is recorded (5xx: ``failed``; else ``queued`` again after
a backoff). A batch keeps one backend connection open (one SMTP session) from mail to mail
and opens a new one after any failure.

The duplicate window: the server has accepted a message (its 250 to the final ".") and the
worker dies (SIGKILL, power loss, lost database) before the ``sent`` mark is committed. The
row stays ``sending``; after MAIL_STUCK_AFTER the sweeper cannot tell "never sent" from
"sent, not recorded" and sends it again rather than lose it. SMTP has no two-phase commit, so
the window cannot be closed; it holds ONE mail per worker, the one between its 250 and its
mark. The next mail is not sent before the mark's COMMIT has returned.

On PostgreSQL the mark commits with ``synchronous_commit`` off for its transaction
(``SET LOCAL``): the COMMIT returns before the WAL is flushed to disk, the mark is visible
to every other session at once, and a worker that dies after it loses nothing. What it
widens: if PostgreSQL itself crashes (not a worker, not a restart), the marks committed in
the last 3 × ``wal_writer_delay`` (600 ms by default) before the crash are lost, and those
mails, still ``sending``, are sent again by the sweeper. A crash of the database server can
re-send mails; nothing can lose one (the claim and every row the services write stay
synchronous).
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import smtplib
import time
from collections.abc import Sequence
from datetime import timedelta
from email.mime.image import MIMEImage

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from outbox.dispatch import enqueue, enqueue_many
from outbox.models import OutgoingMail

logger = logging.getLogger(__name__)


class TransientMailError(Exception):
    """Delivery failed in a way that may pass (network, 4xx); try again in ``retry_in`` s."""

    def __init__(self, message: str, *, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


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
    with Courier() as courier:
        _send_and_record(mail, courier)
    return mail


def deliver_many(mail_ids: Sequence[int]) -> None:
    """Deliver a batch: claim its queued mails together, then send and record each in turn.

    The guarantees of ``deliver()`` hold for each mail (claimed only if queued, the claim
    committed before it is sent, its outcome recorded right after); one that fails for now
    waits for a task of its own, the rest go on.
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
    with Courier() as courier:
        for index, mail in enumerate(claimed):
            if index and time.monotonic() > deadline:
                _release([m.pk for m in claimed[index:]], claimed_at=now)
                return
            mail.status, mail.sending_since = OutgoingMail.Status.SENDING, now
            mail.attempts += 1
            try:
                _send_and_record(mail, courier)
            except TransientMailError as exc:
                # Its failure is recorded on the row; it waits for its own task, the rest go on.
                enqueue(mail.pk, countdown=exc.retry_in)


class Courier:
    """Django's email backend (``EMAIL_BACKEND``) with one connection kept open for a batch.

    A failed send closes the connection: whatever state the session was left in, the next
    mail opens a fresh one (``send_messages`` opens a closed connection itself).
    """

    def __enter__(self) -> Courier:
        self.backend = get_connection(fail_silently=False)
        self.connected = False
        return self

    def send(self, message: EmailMultiAlternatives) -> None:
        # Connected at the first send (and again after a failure), inside the try: a server
        # that refuses the connection fails this mail like any other send failure.
        try:
            if not self.connected:
                self.backend.open()
                self.connected = True
            self.backend.send_messages([message])
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.connected = False
        # The server may have gone already; closing what is left cannot fail the batch.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.backend.close()

    def __exit__(self, *exc_info) -> None:
        self.close()


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


def _send_and_record(mail: OutgoingMail, courier: Courier) -> None:
    try:
        message = build_message(mail)
        courier.send(message)
    except Exception as exc:
        _record_failure(mail, exc)
        return
    # Duplicate window (see the module docstring): the server has the mail; record it now.
    mark_sent(mail.pk)
    mail.status = OutgoingMail.Status.SENT


def mark_sent(mail_id: int) -> None:
    """Record the mail as sent, committed before the next mail goes (see the docstring)."""
    now = timezone.now()
    # Only for a transaction of its own: inside another one, SET LOCAL would apply to all of it.
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if relaxed:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        OutgoingMail.objects.filter(pk=mail_id).update(
            status=OutgoingMail.Status.SENT, sent_at=now, last_error="", updated_at=now
        )


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
