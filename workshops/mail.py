"""The outbox: queue mail inside the caller's transaction; hand it to Celery after commit.

Every change that promises an email calls ``queue_mail()`` inside its own transaction, so the
mail exists if and only if the change committed. After the commit a Celery task is asked to
deliver it (workshops/delivery.py: claimed, sent once, recorded); if the broker is down, the
mail simply stays queued and the periodic sweeper (``requeue_stale``) hands it to Celery later.

In bulk (a workshop's decision mail): ``queue_mails()`` writes many rows in one insert and
hands them to Celery MAIL_BATCH to a task (``delivery.deliver_many()``).

The sweeper also hands back mails stuck in ``sending`` after MAIL_STUCK_AFTER: their worker
died mid-delivery. That is the one duplicate window of the design (a mail the server accepted
just before the worker died, not yet recorded); delivery.py's docstring says why it cannot be
closed and why it never holds more than one mail per worker.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from workshops.models import OutgoingMail, Workshop

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def render_mail(template: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render ``<template>.subject.txt``, ``.txt`` and ``.html`` (the HTML part is optional).

    The subject and the text part come from the "text" engine, which escapes nothing; the
    subject is one line, whatever its template or the values in it hold.
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}.subject.txt", context, using="text").split())
    text = render_to_string(f"{template}.txt", context, using="text").strip() + "\n"
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
            mail = _create(key, to, template, rendered, workshop, reply_to, qr_payload)
    except IntegrityError:  # queued by a concurrent transaction since the look-up above
        if (existing := OutgoingMail.objects.filter(key=key).first()) is None:
            raise
        return existing
    schedule_delivery(mail.pk)
    return mail


def queue_rendered_mail(
    *,
    key: str,
    to: str,
    template: str,
    rendered: RenderedMail,
    workshop: Workshop | None = None,
    qr_payload: str = "",
) -> OutgoingMail:
    """``queue_mail()`` for a mail rendered beforehand, under a key that no mail can have yet
    (one naming a row this transaction inserted): a single INSERT, for callers holding a lock.
    """
    mail = _create(key, to, template, rendered, workshop, "", qr_payload)
    schedule_delivery(mail.pk)
    return mail


def _create(key, to, template, rendered: RenderedMail, workshop, reply_to, qr_payload):
    return OutgoingMail.objects.create(
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
        transaction.on_commit(lambda: _publish_after_commit(ids, many=True), robust=True)
    by_key = {**existing, **{mail.key: mail for mail in created}}
    return [by_key[m.key] for m in mails]


def schedule_delivery(mail_id: int) -> None:
    """Ask Celery to deliver after the surrounding transaction commits."""
    transaction.on_commit(lambda: _publish_after_commit([mail_id]), robust=True)


# After a failed publish, requests in this process leave the broker alone for a few seconds: a
# broker that accepts connections but never answers would otherwise cost every request a socket
# timeout. What is not published stays queued in the outbox and the sweeper (which, like the
# worker's retries, always tries) hands it over later.
BROKER_RETRY_SECONDS = 5.0
_broker_down_until = 0.0


def _broker_resting() -> bool:
    return time.monotonic() < _broker_down_until


def _broker_failed(exc: Exception, count: int) -> None:
    global _broker_down_until
    from config.celery_app import app

    if not app.conf.task_always_eager:  # in-process tasks: there is no broker to rest
        _broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
    logger.warning("broker unavailable (%r); %s mails stay queued for the sweeper", exc, count)


def _publish_after_commit(mail_ids: Sequence[int], *, many: bool = False) -> None:
    if _broker_resting():
        logger.info("broker resting; %s mails stay queued for the sweeper", len(mail_ids))
    elif many:
        enqueue_many(mail_ids)
    else:
        enqueue(mail_ids[0])


def enqueue(mail_id: int, *, countdown: float | None = None) -> bool:
    """Hand one mail to the broker; a broker that is down leaves it for the sweeper."""
    from workshops.tasks import deliver_mail

    try:
        # Its repr given: Celery's saferepr of the kwargs costs more than the rest of the message.
        deliver_mail.apply_async(
            kwargs={"mail_id": mail_id}, countdown=countdown, kwargsrepr=f"{{'mail_id': {mail_id}}}"
        )
    except Exception as exc:  # kombu's OperationalError, redis' ConnectionError, socket errors…
        _broker_failed(exc, 1)
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
            _broker_failed(exc, len(mail_ids) - start)
            return False
    return True


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
