"""What the public workshop page shows of the programme: its talks, placed or not yet."""

from __future__ import annotations

from schedule.conflicts import schedule_queryset
from schedule.models import ScheduleItem
from workshops.models import Workshop


def programme(workshop: Workshop) -> list[ScheduleItem]:
    """Presentations with a known title and speakers, placed ones in time order, then the
    ones without a time yet (the items' own ordering): the “Programme” of the workshop page,
    in two queries."""
    return [
        i
        for i in schedule_queryset(workshop)
        if i.kind in ScheduleItem.PRESENTATION_KINDS and i.title and i.speakers.all()
    ]
