"""One SMTP session per worker process, kept open from one mail to the next, and one
message sent over it with a last check before the server takes it."""

from __future__ import annotations

import contextlib
import os
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import sanitize_address


@dataclass(frozen=True)
class Envelope:
    """A message as it goes over the wire: sender, recipients and the bytes of the message."""

    sender: str
    recipients: list[str]
    data: bytes


def envelope(message: EmailMessage) -> Envelope:
    """Return what ``EmailBackend`` would send for ``message`` (addresses sanitized)."""
    encoding = message.encoding or settings.DEFAULT_CHARSET
    return Envelope(
        sender=sanitize_address(message.from_email, encoding),
        recipients=[sanitize_address(address, encoding) for address in message.recipients()],
        data=message.message().as_bytes(linesep="\r\n"),
    )


def transmit(
    smtp: smtplib.SMTP,
    mail: Envelope,
    *,
    before_end: Callable[[], None],
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """``smtplib.SMTP.sendmail()`` for one message, calling ``before_end()`` after DATA and
    before the message and its final "." (if it fails, nothing more is sent and the caller
    drops the session: the server discards the unterminated transaction).

    ``meanwhile()`` runs while the server reads MAIL FROM: time to prepare the next message.
    """
    smtp.ehlo_or_helo_if_needed()
    size = f" SIZE={len(mail.data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    smtp.putcmd("mail", f"FROM:{smtplib.quoteaddr(mail.sender)}{size}")
    if meanwhile is not None:
        meanwhile()
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, mail.sender)
    refused = {}
    for recipient in mail.recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if len(refused) == len(mail.recipients):
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    body = smtplib._quote_periods(mail.data)
    before_end()
    smtp.send(body + (b".\r\n" if body.endswith(b"\r\n") else b"\r\n.\r\n"))
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


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
