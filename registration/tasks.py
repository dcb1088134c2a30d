"""Thin Celery entry points for registration."""

from celery import shared_task

from registration import outreach, services


@shared_task(acks_late=True)
def send_due_reminders() -> int:
    return outreach.send_due_reminders()


@shared_task(acks_late=True)
def release_lapsed_holds() -> int:
    return services.release_lapsed_holds()
