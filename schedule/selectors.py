"""Reads of the schedule: the public workshop page's programme, the speakers to choose from."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from schedule.changes import slot_text
from schedule.conflicts import schedule_queryset
from schedule.models import ScheduleItem, ScheduleRelease
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


@dataclass(frozen=True)
class ReleasedSlot:
    text: str  # “Tuesday 16 April 2030, 11:30–12:00, Room A” in the workshop's zone
    url: str  # the item's public page


def released_slot(workshop: Workshop, item_id: int | None) -> ReleasedSlot | None:
    """Where and when the item is on the workshop's latest release (what the public sees),
    or None: not released yet, not on it, or the schedule is hidden. One query."""
    if item_id is None or workshop.schedule_status == Workshop.ScheduleStatus.HIDDEN:
        return None
    snapshot = (
        ScheduleRelease.objects.filter(workshop=workshop)
        .order_by("-published_at", "-pk")
        .values_list("snapshot", flat=True)
        .first()
    )
    entry = next((e for e in snapshot or () if e.get("id") == item_id), None)
    if entry is None:
        return None
    return ReleasedSlot(
        text=slot_text(entry, workshop.tz),
        url=reverse("schedule:schedule_item", kwargs={"slug": workshop.slug, "item_id": item_id}),
    )
