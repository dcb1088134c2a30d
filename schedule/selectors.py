"""Reads of the schedule: the public workshop page's programme, the speakers to choose from."""

from __future__ import annotations

from django.db.models import Q

from schedule.conflicts import schedule_queryset
from schedule.models import ScheduleItem
from workshops.models import SpeakerProfile, Workshop, surname_key


def programme(workshop: Workshop) -> list[ScheduleItem]:
    """Presentations with a known title and speakers, placed ones in time order, then the
    ones without a time yet (the items' own ordering): the “Programme” of the workshop page,
    in two queries."""
    return [
        i
        for i in schedule_queryset(workshop)
        if i.kind in ScheduleItem.PRESENTATION_KINDS and i.title and i.speakers.all()
    ]


def speaker_choices(workshop: Workshop) -> list[SpeakerProfile]:
    """Everyone who speaks at the workshop, confirmed or not yet, sorted by surname: the
    speakers an organizer picks from wherever an item's speakers are chosen. Putting someone
    new on an item makes them a speaker of it (services.set_item_speakers)."""
    return sorted(
        SpeakerProfile.objects.filter(
            Q(appearances__workshop=workshop)
            | Q(schedule_items__workshop=workshop)
            | Q(home_workshop=workshop)  # made for it ("+ New speaker"), on nothing yet
        ).distinct(),
        key=lambda speaker: surname_key(speaker.name),
    )
