"""Reads for the public pages: every list fetched in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from workshops.models import (
    KeyDate,
    ScheduleItem,
    SpeakerAppearance,
    SpeakerProfile,
    TeamMember,
    Topic,
    Workshop,
)


def visible_workshop(*, slug: str, user) -> Workshop:
    """Return a published workshop, or an unpublished one to those who manage it; else 404."""
    workshop = Workshop.objects.select_related("series").filter(slug=slug).first()
    if workshop is None:
        raise Http404("No such workshop.")
    if workshop.published:
        return workshop
    if user.is_authenticated and Workshop.objects.managed_by(user).filter(pk=workshop.pk).exists():
        return workshop
    raise Http404("No such workshop.")


def confirmed_appearances(workshop: Workshop) -> QuerySet[SpeakerAppearance]:
    return (
        SpeakerAppearance.objects.filter(workshop=workshop, confirmed=True)
        .select_related("speaker")
        .order_by("order", "speaker__name")
    )


@dataclass
class ScheduleDay:
    date: dt.date
    items: list[ScheduleItem] = field(default_factory=list)


@dataclass
class WorkshopPage:
    workshop: Workshop
    key_dates: list[KeyDate]
    topics: list[Topic]
    team: list[TeamMember]
    appearances: list[SpeakerAppearance]
    days: list[ScheduleDay]
    unscheduled_talks: list[ScheduleItem]

    @property
    def has_rooms(self) -> bool:
        return any(item.room_id for day in self.days for item in day.items)

    @property
    def talks(self) -> list[ScheduleItem]:
        """Presentations with a known title, scheduled or not: the “programme”."""
        scheduled = [i for day in self.days for i in day.items]
        return [
            i
            for i in scheduled + self.unscheduled_talks
            if i.kind in ScheduleItem.PRESENTATION_KINDS and i.title and i.speakers.all()
        ]


def schedule_items(workshop: Workshop) -> QuerySet[ScheduleItem]:
    return (
        ScheduleItem.objects.filter(workshop=workshop)
        .select_related("room")
        .prefetch_related(Prefetch("speakers", queryset=SpeakerProfile.objects.order_by("name")))
    )


def workshop_page(workshop: Workshop) -> WorkshopPage:
    """Gather everything the workshop page shows, in a constant number of queries."""
    topics = list(
        Topic.objects.filter(workshop=workshop, parent=None).prefetch_related(
            Prefetch("subtopics", queryset=Topic.objects.order_by("order", "pk"))
        )
    )
    items = list(schedule_items(workshop))
    scheduled = [i for i in items if i.start is not None]
    unscheduled = [
        i for i in items if i.start is None and i.kind in ScheduleItem.PRESENTATION_KINDS
    ]
    tz = workshop.tz
    days = [
        ScheduleDay(date=day, items=list(group))
        for day, group in groupby(scheduled, key=lambda i: timezone.localtime(i.start, tz).date())
    ]
    return WorkshopPage(
        workshop=workshop,
        key_dates=list(KeyDate.objects.filter(workshop=workshop).select_related("workshop")),
        topics=topics,
        team=list(TeamMember.objects.filter(workshop=workshop)),
        appearances=list(confirmed_appearances(workshop)),
        days=days,
        unscheduled_talks=unscheduled,
    )


def speakers_page(workshop: Workshop) -> list[SpeakerAppearance]:
    """Confirmed speakers with their talks at this workshop, in a constant number of queries."""
    talks = (
        ScheduleItem.objects.filter(workshop=workshop)
        .select_related("room")
        .order_by("start", "order")
    )
    return list(
        confirmed_appearances(workshop).prefetch_related(
            Prefetch("speaker__schedule_items", queryset=talks, to_attr="talks_here")
        )
    )


def home_sections(today: dt.date | None = None) -> dict[str, list[Workshop]]:
    """Published workshops split into upcoming (soonest first), past (latest first) and TBA."""
    today = today or timezone.localdate()
    workshops = list(Workshop.objects.published().select_related("series"))
    upcoming = [w for w in workshops if w.last_date and w.last_date >= today]
    past = [w for w in workshops if w.last_date and w.last_date < today]
    undated = [w for w in workshops if not w.last_date]
    upcoming.sort(key=lambda w: w.start_date)
    past.sort(key=lambda w: w.start_date, reverse=True)
    return {"upcoming": upcoming, "undated": undated, "past": past}
