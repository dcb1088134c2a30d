"""Registration for the demo workshop: open now, limited seats, a waiting list, a question."""

import datetime as dt

from registration.models import Question, RegistrationSettings
from workshops.models import Workshop


def open_demo_registration(workshop: Workshop, *, today: dt.date) -> RegistrationSettings:
    """Open registration from yesterday until a week before the workshop; idempotent."""
    closes = workshop.start_date - dt.timedelta(days=7)
    conf, _ = RegistrationSettings.objects.update_or_create(
        workshop=workshop,
        defaults={
            "opens_at": workshop.local_datetime(today - dt.timedelta(days=1), dt.time(9, 0)),
            "closes_at": workshop.local_datetime(closes, dt.time(23, 59)),
            "capacity": 30,
            "waitlist_enabled": True,
            "requires_approval": False,
            "show_remaining_seats": True,
            "participant_list_public": True,
            "reminder_days_before": 3,
        },
    )
    Question.objects.update_or_create(
        workshop=workshop,
        label="Will you join the workshop dinner?",
        defaults={
            "kind": Question.Kind.CHOICE,
            "choices": "Yes\nNo\nNot sure yet",
            "required": True,
            "order": 1,
        },
    )
    return conf
