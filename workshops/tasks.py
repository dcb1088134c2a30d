"""Thin Celery entry points for the workshops app."""

from celery import shared_task

from workshops import pending_uploads


@shared_task(acks_late=True)
def sweep_pending_uploads() -> int:
    return pending_uploads.sweep()
