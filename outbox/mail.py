"""The outbox: queue mail inside the caller's transaction; hand it to Celery after commit.

Every change that promises an email calls ``queue_mail()`` inside its own transaction, so the
mail exists if and only if the change committed. After the commit a Celery task is asked to
deliver it (outbox/delivery.py: claimed, sent once, recorded); if the broker is down, the
mail simply stays queued and the periodic sweeper (``requeue_stale`` in outbox/dispatch.py)
hands it to Celery later.

In bulk (a workshop's decision mail): ``queue_mails()`` writes many rows in one insert and
hands them to Celery MAIL_BATCH to a task (``delivery.deliver_many()``).

The sweeper also hands back mails stuck in ``sending`` after MAIL_STUCK_AFTER: their worker
died mid-delivery. That is the one duplicate window of the design (a mail the server accepted
just before the worker died, not yet recorded); delivery.py's docstring says why it cannot be
closed and why it never holds more than one mail per worker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from config.site_url import site_url
from outbox import dispatch
from outbox.models import OutgoingMail


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
    context = {"site_url": site_url(), **context}
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
    workshop: Model | None = None,
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
    workshop: Model | None = None,
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
    workshop: Model | None = None
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
        transaction.on_commit(lambda: dispatch.publish_after_commit(ids, many=True), robust=True)
    by_key = {**existing, **{mail.key: mail for mail in created}}
    return [by_key[m.key] for m in mails]


def schedule_delivery(mail_id: int) -> None:
    """Ask Celery to deliver after the surrounding transaction commits."""
    transaction.on_commit(lambda: dispatch.publish_after_commit([mail_id]), robust=True)


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
