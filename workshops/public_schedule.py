"""The schedule as the public pages and the exports read it.

``load_timetable`` reads a workshop's placed items, their rooms and speakers and the current
release in a fixed number of queries, whatever the number of items, into plain objects that
every renderer (page, iCalendar, frab XML and JSON, CSV) shares. Rows are read as values, not
model instances: the 300-item benchmark workshop is read and converted in a few milliseconds.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import F, QuerySet, TextField
from django.db.models.functions import Cast

from workshops.models import (
    ScheduleItem,
    ScheduleRelease,
    SpeakerAppearance,
    SpeakerProfile,
    Workshop,
)

# Export identities are uuid5 names in this namespace: never change it, schedule apps key
# favourites and reminders on these GUIDs (and calendars their events on the iCal UIDs).
GUID_NAMESPACE = uuid.UUID("6f1e2b9c-3a57-4d0e-9c1b-8a4f2d6e7b30")

KIND_LABELS = dict(ScheduleItem.Kind.choices)


def clock(moment: dt.datetime | dt.time) -> str:
    """Return ``HH:MM`` (a third of the time strftime takes: exports write hundreds)."""
    return f"{moment.hour:02}:{moment.minute:02}"


def item_guid(workshop_pk: int, item_pk: int) -> uuid.UUID:
    return uuid.uuid5(GUID_NAMESPACE, f"workshop:{workshop_pk}:item:{item_pk}")


def room_guid(workshop_pk: int, room_pk: int | None) -> uuid.UUID:
    return uuid.uuid5(GUID_NAMESPACE, f"workshop:{workshop_pk}:room:{room_pk or 'all'}")


@dataclass(frozen=True, slots=True)
class Speaker:
    id: int
    name: str
    affiliation: str
    homepage: str

    def __str__(self) -> str:
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name


@dataclass(slots=True)
class Entry:
    """A placed schedule item, with its times in the workshop's zone."""

    id: int
    kind: str
    title: str
    abstract: str
    start: dt.datetime
    end: dt.datetime
    revision: int
    room_id: int | None
    room_name: str
    speakers: list[Speaker] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def display_title(self) -> str:
        """The title, else “Talk by …” (or the kind alone): exports need a title."""
        if self.title:
            return self.title
        if self.speakers:
            return f"{self.kind_label} by {', '.join(s.name for s in self.speakers)}"
        return self.kind_label

    @property
    def is_break(self) -> bool:
        return self.kind in ScheduleItem.BREAK_KINDS

    @property
    def is_presentation(self) -> bool:
        return self.kind in ScheduleItem.PRESENTATION_KINDS

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


@dataclass(slots=True)
class Day:
    index: int
    date: dt.date
    entries: list[Entry]

    @property
    def start(self) -> dt.datetime:
        return self.entries[0].start

    @property
    def end(self) -> dt.datetime:
        return max(e.end for e in self.entries)


@dataclass(frozen=True, slots=True)
class Release:
    version: str
    status: str
    published_at: dt.datetime
    notes: str


@dataclass(frozen=True, slots=True)
class RoomInfo:
    id: int
    name: str
    capacity: int | None


@dataclass(slots=True)
class Timetable:
    workshop: Workshop
    rooms: list[RoomInfo]
    days: list[Day]
    release: Release | None

    @property
    def entries(self) -> list[Entry]:
        return [e for day in self.days for e in day.entries]

    @property
    def has_rooms(self) -> bool:
        return any(e.room_id for day in self.days for e in day.entries)

    @property
    def version(self) -> str:
        return self.release.version if self.release else "draft"


def load_timetable(workshop: Workshop) -> Timetable:
    """Read the placed items with their rooms and speakers, and the current release (three
    queries)."""
    rooms: dict[int, tuple[int, RoomInfo]] = {}
    entries = _entries(
        ScheduleItem.objects.filter(workshop=workshop, start__isnull=False),
        tz=workshop.tz,
        rooms=rooms,
    )
    # Entries come sorted by start, their times already in the workshop's zone.
    days = [
        Day(index=index, date=date, entries=list(group))
        for index, (date, group) in enumerate(groupby(entries, key=lambda e: e.start.date()), 1)
    ]
    return Timetable(
        workshop=workshop,
        rooms=[room for _, room in sorted(rooms.values(), key=lambda r: (r[0], r[1].id))],
        days=days,
        release=current_release(workshop),
    )


def load_entry(workshop: Workshop, item_pk: int) -> Entry | None:
    """Read one placed item with its room and speakers (two queries), or None."""
    found = _entries(
        ScheduleItem.objects.filter(workshop=workshop, pk=item_pk, start__isnull=False),
        tz=workshop.tz,
    )
    return found[0] if found else None


def current_release(workshop: Workshop) -> Release | None:
    row = (
        ScheduleRelease.objects.filter(workshop=workshop)
        .order_by("-published_at", "-pk")
        .values_list("version", "status", "published_at", "notes")
        .first()
    )
    return Release(*row) if row else None


def _entries(
    items: QuerySet[ScheduleItem],
    *,
    tz: dt.tzinfo,
    rooms: dict[int, tuple[int, RoomInfo]] | None = None,
) -> list[Entry]:
    """Read items as entries; collect the rooms they use into ``rooms`` (by id: order, room)."""
    rows = items.order_by("start", "order", "pk").values_list(
        "pk", "kind", "title", "abstract", _text("start"), _text("end"), "revision",
        "room_id", "room__name", "room__capacity", "room__order",
    )  # fmt: skip
    local = LocalTimes(tz)
    entries = {}
    for pk, kind, title, abstract, start, end, revision, room_id, room, capacity, order in rows:
        entries[pk] = Entry(
            pk, kind, title, abstract, local[start], local[end], revision, room_id, room or ""
        )
        if rooms is not None and room_id is not None and room_id not in rooms:
            rooms[room_id] = (order, RoomInfo(room_id, room, capacity))
    if not entries:
        return []
    # Speakers in the order they were added to the item (the through table's order).
    links = (
        ScheduleItem.speakers.through.objects.filter(scheduleitem_id__in=items.values("pk"))
        .order_by("pk")
        .values_list(
            "scheduleitem_id",
            "speakerprofile_id",
            "speakerprofile__name",
            "speakerprofile__affiliation",
            "speakerprofile__homepage",
        )
    )
    speakers: dict[int, Speaker] = {}
    for item_pk, speaker_pk, name, affiliation, homepage in links:
        speaker = speakers.get(speaker_pk)
        if speaker is None:
            speaker = speakers[speaker_pk] = Speaker(speaker_pk, name, affiliation, homepage)
        entries[item_pk].speakers.append(speaker)
    return list(entries.values())


def _text(field: str) -> Cast:
    """Read a datetime column as its text (ISO 8601 on PostgreSQL and SQLite), for LocalTimes.

    psycopg parses timestamps in Python (through Django's time zone loader), about 5 µs each:
    the 600 of the 300-talk schedule were most of the time it took to read it.
    """
    return Cast(field, output_field=TextField())


class LocalTimes(dict):
    """The workshop-zone datetime for each stored time's text (``_text``), parsed once each:
    the starts and ends of a schedule repeat (parallel rooms, back-to-back slots)."""

    def __init__(self, tz: dt.tzinfo) -> None:
        super().__init__()
        self.tz = tz

    def __missing__(self, text: str | None) -> dt.datetime | None:
        if text is None:
            return None
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:  # SQLite stores UTC without an offset
            moment = moment.replace(tzinfo=dt.UTC)
        self[text] = moment = moment.astimezone(self.tz)
        return moment


@dataclass(slots=True)
class ListedTalk:
    title: str
    has_title: bool
    when: str  # "Tue 18 Nov 09:00–09:30, Room", or "" while unplaced or the schedule is hidden


@dataclass(slots=True)
class ListedSpeaker:
    id: int
    name: str
    affiliation: str
    homepage: str
    bio: str
    photo_url: str
    role_label: str
    talks: list[ListedTalk] = field(default_factory=list)


def load_speaker_list(workshop: Workshop) -> list[ListedSpeaker]:
    """Return the confirmed speakers with their items here, in two queries.

    Times are shown only while the schedule is public (not hidden).
    """
    photos = SpeakerProfile._meta.get_field("photo").storage
    roles = dict(SpeakerAppearance.Role.choices)
    rows = (
        SpeakerAppearance.objects.filter(workshop=workshop, confirmed=True)
        .order_by("order", "speaker__name")
        .values_list(
            "speaker_id", "speaker__name", "speaker__affiliation", "speaker__homepage",
            "speaker__bio", "speaker__photo", "role",
        )
    )  # fmt: skip
    speakers = {
        pk: ListedSpeaker(
            id=pk,
            name=name,
            affiliation=affiliation,
            homepage=homepage,
            bio=bio,
            photo_url=photos.url(photo) if photo else "",
            role_label=roles.get(role, role),
        )
        for pk, name, affiliation, homepage, bio, photo, role in rows
    }
    show_times = workshop.schedule_status != Workshop.ScheduleStatus.HIDDEN
    local = LocalTimes(workshop.tz)
    talks = (
        ScheduleItem.speakers.through.objects.filter(scheduleitem__workshop=workshop)
        .order_by(F("scheduleitem__start").asc(nulls_last=True), "scheduleitem__order", "pk")
        .values_list(
            "speakerprofile_id", "scheduleitem__kind", "scheduleitem__title",
            _text("scheduleitem__start"), _text("scheduleitem__end"), "scheduleitem__room__name",
        )
    )  # fmt: skip
    whens: dict[tuple[str, str, str | None], str] = {}
    for speaker_pk, kind, title, start, end, room in talks:
        if speaker_pk not in speakers:  # not confirmed (yet): not listed
            continue
        when = ""
        if show_times and start is not None:
            when = whens.get((start, end, room))
            if when is None:
                when = whens[start, end, room] = _when(local[start], local[end], room)
        speakers[speaker_pk].talks.append(
            ListedTalk(title or KIND_LABELS.get(kind, kind), bool(title), when)
        )
    return list(speakers.values())


def _when(start: dt.datetime, end: dt.datetime, room: str | None) -> str:
    when = f"{start:%a} {start.day} {start:%b} {start:%H:%M}–{end:%H:%M}"
    return f"{when}, {room}" if room else when
