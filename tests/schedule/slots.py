"""Times of a test workshop's programme, written as its organizer reads them."""

from __future__ import annotations

import datetime as dt

from schedule.models import ScheduleItem
from tests.factories import ScheduleItemFactory


def at(workshop, when: str | int, day: int = 0) -> dt.datetime:
    """``"09:30"`` (or ``9``) on the workshop's first day, or ``day`` days later, in its zone."""
    hours, minutes = map(int, when.split(":")) if isinstance(when, str) else (when, 0)
    return workshop.local_datetime(
        workshop.start_date + dt.timedelta(days=day), dt.time(hours, minutes)
    )


def item(workshop, start: str, end: str | None, *, day: int = 0, **kwargs) -> ScheduleItem:
    """A placed item from ``start`` to ``end`` (None: open-ended) on that day."""
    return ScheduleItemFactory(
        workshop=workshop,
        start=at(workshop, start, day),
        end=at(workshop, end, day) if end else None,
        **kwargs,
    )
