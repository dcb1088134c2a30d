"""Handing mail to Celery: after commit, in batches, and never blocking on a broker that is down.

What the broker does not take stays queued in the outbox; ``requeue_stale()`` (the periodic
sweeper) hands it over later. Tasks are named, not imported: ``outbox.tasks`` imports this
module to retry and release mail, and Celery's signature by name honours eager mode.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from celery import current_app, signature
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox.models import OutgoingMail

logger = logging.getLogger(__name__)

DELIVER_MAIL = "outbox.tasks.deliver_mail"
DELIVER_MAILS = "outbox.tasks.deliver_mails"

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
    if not current_app.conf.task_always_eager:  # in-process tasks: there is no broker to rest
        _broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
    logger.warning("broker unavailable (%r); %s mails stay queued for the sweeper", exc, count)


def publish_after_commit(mail_ids: Sequence[int], *, many: bool = False) -> None:
    if _broker_resting():
        logger.info("broker resting; %s mails stay queued for the sweeper", len(mail_ids))
    elif many:
        enqueue_many(mail_ids)
    else:
        enqueue(mail_ids[0])


def enqueue(mail_id: int, *, countdown: float | None = None) -> bool:
    """Hand one mail to the broker; a broker that is down leaves it for the sweeper."""
    try:
        # Its repr given: Celery's saferepr of the kwargs costs more than the rest of the message.
        signature(DELIVER_MAIL, kwargs={"mail_id": mail_id}).apply_async(
            countdown=countdown, kwargsrepr=f"{{'mail_id': {mail_id}}}"
        )
    except Exception as exc:  # kombu's OperationalError, redis' ConnectionError, socket errors…
        _broker_failed(exc, 1)
        return False
    return True


MAIL_BATCH = 50


def enqueue_many(mail_ids: Sequence[int]) -> bool:
    """Hand mails to the broker MAIL_BATCH to a task; what the broker misses stays queued."""
    for start in range(0, len(mail_ids), MAIL_BATCH):
        batch = list(mail_ids[start : start + MAIL_BATCH])
        try:
            signature(DELIVER_MAILS, kwargs={"mail_ids": batch}).apply_async()
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
