"""Reads for the public pages: every list fetched in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format

from workshops.models import (
    KeyDate,
    ScheduleItem,
    ScheduleRelease,
    SpeakerAppearance,
    SpeakerProfile,
    TeamMember,
    Topic,
    Workshop,
)
from workshops.schedule import ChangeLine, describe_changes
from workshops.timezones import zone_label


def visible_workshop(*, slug: str, user) -> Workshop:
    """Return a published workshop, or an unpublished one to those who manage it; else 404."""
    # registration_settings and cfa: the nav shows "Register" and "Submit an abstract" only when
    # the workshop takes registrations or abstracts; cfa also gives the page its call dates.
    workshop = (
        Workshop.objects.select_related("series", "registration_settings", "cfa")
        .filter(slug=slug)
        .first()
    )
    if workshop is None or not may_view(workshop, user):
        raise Http404("No such workshop.")
    return workshop


def may_view(workshop: Workshop, user) -> bool:
    """Whether ``user`` may see the workshop's public pages: it is published, or they manage it
    (a preview). The one rule every public page of a workshop follows."""
    if workshop.published:
        return True
    return bool(
        user.is_authenticated and Workshop.objects.managed_by(user).filter(pk=workshop.pk).exists()
    )


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


@dataclass(frozen=True)
class CallDate:
    """A key date that follows from the workshop's call for abstracts."""

    label: str
    date: dt.date
    moment: dt.datetime | None = None  # a timed date, announced in ``zone``
    zone: str = ""

    @property
    def text(self) -> str:
        """Return “15 March 2031, 23:59 AoE”, or “1 May 2031” for a date without a time."""
        if self.moment is None:
            return date_format(self.date, "j F Y")
        local = timezone.localtime(self.moment, zoneinfo.ZoneInfo(self.zone))
        return f"{date_format(local, 'j F Y')}, {local:%H:%M} {zone_label(self.zone)}"


CALL_LABELS = (
    "Call for abstracts opens",
    "Abstract submission deadline",
    "Notification of acceptance",
)


def call_dates(workshop: Workshop) -> list[CallDate]:
    """Return the opening, deadline and notification of the workshop's call, if it has one."""
    cfa = getattr(workshop, "cfa", None)  # select_related by visible_workshop: no query
    if cfa is None:
        return []
    zone = zoneinfo.ZoneInfo(cfa.deadline_zone)
    opens, deadline, notification = CALL_LABELS
    dates = []
    if cfa.opens_at:
        local = timezone.localtime(cfa.opens_at, zone)
        dates.append(CallDate(opens, local.date(), cfa.opens_at, cfa.deadline_zone))
    local = timezone.localtime(cfa.deadline, zone)
    dates.append(CallDate(deadline, local.date(), cfa.deadline, cfa.deadline_zone))
    if cfa.notification_date:
        dates.append(CallDate(notification, cfa.notification_date))
    return dates


@dataclass
class WorkshopPage:
    workshop: Workshop
    key_dates: list[KeyDate]
    topics: list[Topic]
    team: list[TeamMember]
    appearances: list[SpeakerAppearance]
    days: list[ScheduleDay]
    unscheduled_talks: list[ScheduleItem]
    call_dates: list[CallDate] = field(default_factory=list)

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
    from_call = call_dates(workshop)
    # The call's dates replace hand-written key dates of the same name.
    replaced = {d.label.casefold() for d in from_call}
    key_dates = [
        kd
        for kd in KeyDate.objects.filter(workshop=workshop).select_related("workshop")
        if kd.label.strip().casefold() not in replaced
    ]
    return WorkshopPage(
        workshop=workshop,
        call_dates=from_call,
        key_dates=key_dates,
        topics=topics,
        team=list(TeamMember.objects.filter(workshop=workshop)),
        appearances=list(confirmed_appearances(workshop)),
        days=days,
        unscheduled_talks=unscheduled,
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


@dataclass(frozen=True)
class ReleaseEntry:
    """A published release for the changelog: its changes as lines in the workshop's zone."""

    release: ScheduleRelease
    published_at: dt.datetime  # in the workshop's zone
    is_first: bool
    lines: list[ChangeLine]

    @property
    def version(self) -> str:
        return self.release.version

    @property
    def status(self) -> str:
        return self.release.status

    @property
    def status_label(self) -> str:
        return self.release.get_status_display()

    @property
    def notes(self) -> str:
        return self.release.notes

    @property
    def notes_html(self) -> str:
        return self.release.notes_html

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("added", "removed", "moved", "retitled"), 0)
        for line in self.lines:
            counts[line.change] += 1
        return counts

    def _of(self, change: str) -> list[ChangeLine]:
        return [line for line in self.lines if line.change == change]

    @property
    def added(self) -> list[ChangeLine]:
        return self._of("added")

    @property
    def removed(self) -> list[ChangeLine]:
        return self._of("removed")

    @property
    def moved(self) -> list[ChangeLine]:
        return self._of("moved")

    @property
    def retitled(self) -> list[ChangeLine]:
        return self._of("retitled")


def release_history(workshop: Workshop) -> list[ReleaseEntry]:
    """Return the workshop's releases newest first, with display-ready changes; one query."""
    releases = list(
        ScheduleRelease.objects.filter(workshop=workshop)
        .defer("snapshot")
        .order_by("-published_at", "-pk")
    )
    tz = workshop.tz
    return [
        ReleaseEntry(
            release=release,
            published_at=timezone.localtime(release.published_at, tz),
            is_first=index == len(releases) - 1,
            lines=describe_changes(release.changes, tz),
        )
        for index, release in enumerate(releases)
    ]
