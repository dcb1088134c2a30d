"""Thin Celery entry points for registration."""

from celery import shared_task

from registration import services


@shared_task(acks_late=True)
def send_due_reminders() -> int:
    return services.send_due_reminders()
