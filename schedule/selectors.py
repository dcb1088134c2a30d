"""What the public workshop page shows of the programme: its talks, placed or not yet."""

from __future__ import annotations

from schedule.conflicts import schedule_queryset
from schedule.models import ScheduleItem
from workshops.models import Workshop


def programme(workshop: Workshop) -> list[ScheduleItem]:
    """Presentations with a known title and speakers, placed ones in time order, then the
    ones without a time yet: the “Programme” of the workshop page, in two queries."""
    items = list(schedule_queryset(workshop))
    placed = [i for i in items if i.start is not None]
    unplaced = [i for i in items if i.start is None]
    return [
        i
        for i in placed + unplaced
        if i.kind in ScheduleItem.PRESENTATION_KINDS and i.title and i.speakers.all()
    ]
