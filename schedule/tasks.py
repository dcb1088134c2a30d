"""Thin Celery entry points for the schedule: ids in, a service call, nothing else."""

from celery import shared_task

from schedule import rendering


@shared_task(acks_late=True)
def render_schedule(*, workshop_id: int) -> int:
    # Idempotent: renders whatever release is current when it runs.
    return rendering.render_current_release(workshop_id)
