"""Delivery: send an outbox row over SMTP once, and record the outcome.

``deliver()`` sends one mail, ``deliver_many()`` a batch (``queue_mails()``), from Celery.
Each mail is claimed (``queued`` → ``sending``) in a committed statement before SMTP hears of
it, so two workers never both send it; then it is marked ``sent`` right after the server's
250, or its failure is recorded (5xx: ``failed``; else ``queued`` again after a backoff).

The duplicate window: the server has accepted a message (its 250 to the final ".") and the
worker dies (SIGKILL, power loss, lost database) before the ``sent`` mark reaches PostgreSQL.
The row stays ``sending``; after MAIL_STUCK_AFTER the sweeper cannot tell "never sent" from
"sent, not recorded" and sends it again rather than lose it. SMTP has no two-phase commit, so
the window cannot be closed; the design promises it never holds more than ONE mail per worker:

- The mark, composed in advance, is written to the database socket as soon as the 250 is
  read. A COMMIT that has left the worker is applied even if the worker dies right after, so
  a SIGKILL repeats a mail only if it lands between the server's acceptance and that write.
- On PostgreSQL the worker does not wait for that (synchronous, fsynced) commit: it builds
  the next mail and sends MAIL, RCPT and DATA meanwhile, and waits only before it sends the
  message with its final "." (``SentMarks.settle``). If the commit failed, the session is
  dropped instead (the server discards the unfinished transaction) and the batch stops. So
  at most one accepted mail is ever unrecorded, even if PostgreSQL itself crashes.
- Not taken: ``SET LOCAL synchronous_commit TO OFF`` for the marks. A worker crash loses
  nothing that way either, but a PostgreSQL crash loses up to 3 × ``wal_writer_delay`` (600
  ms by default: hundreds of marks in a batch), each mail then sent again. Marking several
  sent ids per UPDATE has the same flaw. The pipelined mark saves the same wait without it.

A worker keeps its SMTP session open from one mail to the next (workshops/smtp_session.py)
and drops it on any failure.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import select
import smtplib
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from email.mime.image import MIMEImage
from functools import partial

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from workshops.mail import enqueue, enqueue_many
from workshops.models import OutgoingMail
from workshops.smtp_session import (
    Envelope,
    drop_smtp_connection,
    envelope,
    smtp_connection,
    transmit,
)

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
    with SentMarks.open() as marks:
        _send_and_record(mail, marks)
    return mail


def deliver_many(mail_ids: Sequence[int]) -> None:
    """Deliver a batch: claim its queued mails together, then send and record each in turn.

    The guarantees of ``deliver()`` hold for each mail (claimed only if queued, the claim
    committed before SMTP, its outcome recorded right after its send and durable before the
    next mail's "."); one that fails for now waits for a task of its own, the rest go on.
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
    ready: dict[int, Envelope] = {}

    def prepare(mail: OutgoingMail) -> None:
        # While the server reads one mail's MAIL FROM, build the next (CPU here, I/O there);
        # if that fails, the next mail builds itself in its own turn and fails there.
        with contextlib.suppress(Exception):
            ready[mail.pk] = envelope(build_message(mail))

    with SentMarks.open() as marks:
        for index, mail in enumerate(claimed):
            if index and time.monotonic() > deadline:
                marks.settle()
                _release([m.pk for m in claimed[index:]], claimed_at=now)
                return
            mail.status, mail.sending_since = OutgoingMail.Status.SENDING, now
            mail.attempts += 1
            following = claimed[index + 1 : index + 2]
            try:
                _send_and_record(
                    mail,
                    marks,
                    ready=ready.pop(mail.pk, None),
                    meanwhile=partial(prepare, following[0]) if following else None,
                )
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


def _send_and_record(mail: OutgoingMail, marks: SentMarks, **prepared) -> None:
    try:
        _send(mail, marks, **prepared)
    except DatabaseError:
        raise  # the previous mail's mark failed: stop here (see the module docstring)
    except Exception as exc:
        marks.settle()
        _record_failure(mail, exc)
        return
    # Duplicate window (see the module docstring): the server has the mail; the mark leaves now.
    marks.mark_sent(mail.pk)
    mail.status = OutgoingMail.Status.SENT


class SentMarks:
    """Record ``sent`` for one mail after another, each durable before the next mail's ".".

    On PostgreSQL a mark is sent without waiting for its result (libpq's asynchronous calls
    on the worker's own connection, in autocommit) and ``settle()`` waits for it; elsewhere
    (SQLite, or inside a transaction) ``mark_sent()`` simply runs the UPDATE.
    """

    def __init__(self) -> None:
        self._pgconn = None
        self._pending = False
        table = connection.ops.quote_name(OutgoingMail._meta.db_table)
        self._sql = (
            f"UPDATE {table} SET status = $1, sent_at = $2, updated_at = $2, last_error = '' "
            "WHERE id = $3"
        ).encode()

    @classmethod
    @contextlib.contextmanager
    def open(cls):
        marks = cls()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            from psycopg import pq

            connection.ensure_connection()
            pgconn = connection.connection.pgconn
            if pgconn.transaction_status == pq.TransactionStatus.IDLE:
                marks._pgconn = pgconn
        try:
            yield marks
        finally:
            marks.settle()

    def mark_sent(self, mail_id: int) -> None:
        self.settle()
        now = timezone.now()
        if self._pgconn is None:
            OutgoingMail.objects.filter(pk=mail_id).update(
                status=OutgoingMail.Status.SENT, sent_at=now, last_error="", updated_at=now
            )
            return
        params = [OutgoingMail.Status.SENT.encode(), now.isoformat().encode(), b"%d" % mail_id]
        try:
            self._pgconn.send_query_params(self._sql, params)
            self._pending = True
            while self._pgconn.flush():
                self._wait(writable=True)
        except Exception as exc:
            connection.close()
            raise OperationalError(f"could not record mail {mail_id} as sent: {exc}") from exc

    def settle(self) -> None:
        """Wait until the last mark is committed; raise OperationalError if it was not."""
        if not self._pending:
            return
        self._pending = False
        pgconn, errors = self._pgconn, []
        try:
            while True:
                while pgconn.is_busy():
                    self._wait(writable=False)
                    pgconn.consume_input()
                result = pgconn.get_result()
                if result is None:
                    break
                if result.error_message:
                    errors.append(result.error_message.decode(errors="replace"))
        except Exception as exc:
            errors.append(str(exc))
        if errors:
            connection.close()
            raise OperationalError(f"recording a mail as sent failed: {'; '.join(errors)}")

    def _wait(self, *, writable: bool) -> None:
        # poll(), not select(): a long-lived process may hold descriptors above FD_SETSIZE.
        poller = select.poll()
        poller.register(self._pgconn.socket, select.POLLOUT if writable else select.POLLIN)
        if not poller.poll(MARK_TIMEOUT * 1000):
            raise TimeoutError(f"no answer from the database in {MARK_TIMEOUT} s")


# Seconds to wait for the database to take or confirm a mark before giving the batch up.
MARK_TIMEOUT = 60.0


def _send(
    mail: OutgoingMail,
    marks: SentMarks,
    ready: Envelope | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    backend = smtp_connection()
    if backend is None:  # the console, locmem or a test's stand-in: Django's own path
        marks.settle()
        build_message(mail).send(fail_silently=False)
        return
    try:
        ready = ready or envelope(build_message(mail))
        transmit(backend.connection, ready, before_end=marks.settle, meanwhile=meanwhile)
    except BaseException:
        # Whatever state the session is in, the next try starts from a fresh one.
        drop_smtp_connection()
        raise


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
