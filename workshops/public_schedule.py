"""The schedule as the public pages and the exports read it.

``load_timetable`` reads a workshop's placed items with their rooms and speakers in one query
and the current release in another, whatever the number of items, into plain objects that
every renderer (page, iCalendar, frab XML and JSON, CSV) shares. The first request after any
change reads them again, so these reads are plain SQL (the ``*_SQL`` below) on a cursor: the
ORM took longer to build and run the queries (about 0.3 ms each) than PostgreSQL to answer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby

from django.db import connection
from django.utils.safestring import mark_safe

from workshops.models import (
    Room,
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


# Both are pure functions of ids, and every export writes one GUID per item (uuid5 and its text
# take about 4 µs): remembered, bounded (a 300-item schedule is 300 entries of about 200 bytes).
@lru_cache(maxsize=20_000)
def item_guid(workshop_pk: int, item_pk: int) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"workshop:{workshop_pk}:item:{item_pk}"))


@lru_cache(maxsize=1_000)
def room_guid(workshop_pk: int, room_pk: int | None) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"workshop:{workshop_pk}:room:{room_pk or 'all'}"))


# Not frozen: a frozen dataclass's __init__ takes three times as long, for hundreds of them.
@dataclass(slots=True)
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
    abstract_html: str  # rendered when the item was saved
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


def _quoted(model) -> str:
    return f'"{model._meta.db_table}"'


# Plain SQL that PostgreSQL and SQLite both run. Times are read as text (see LocalTimes).
ENTRIES_SQL = f"""
SELECT i.id, i.kind, i.title, i.abstract, i.abstract_html,
    CAST(i."start" AS TEXT), CAST(i."end" AS TEXT), i.revision, i.room_id,
    r.name, r.capacity, r."order",
    s.id, s.name, s.affiliation, s.homepage
FROM {_quoted(ScheduleItem)} i
LEFT JOIN {_quoted(Room)} r ON r.id = i.room_id
LEFT JOIN {_quoted(ScheduleItem.speakers.through)} l ON l.scheduleitem_id = i.id
LEFT JOIN {_quoted(SpeakerProfile)} s ON s.id = l.speakerprofile_id
WHERE i.workshop_id = %s AND i."start" IS NOT NULL{{only}}
ORDER BY i."start", i."order", i.id, l.id
"""
RELEASE_SQL = f"""
SELECT version, status, CAST(published_at AS TEXT), notes FROM {_quoted(ScheduleRelease)}
WHERE workshop_id = %s ORDER BY published_at DESC, id DESC LIMIT 1
"""
# Confirmed speakers, each with this workshop's items (the first row of a speaker without any
# holds NULLs; rows of the speaker's items elsewhere hold NULL items and are skipped).
SPEAKERS_SQL = f"""
SELECT s.id, s.name, s.affiliation, s.homepage, s.bio_html, s.photo, a.role,
    i.id, i.kind, i.title, CAST(i."start" AS TEXT), CAST(i."end" AS TEXT), r.name
FROM {_quoted(SpeakerAppearance)} a
JOIN {_quoted(SpeakerProfile)} s ON s.id = a.speaker_id
LEFT JOIN {_quoted(ScheduleItem.speakers.through)} l ON l.speakerprofile_id = s.id
LEFT JOIN {_quoted(ScheduleItem)} i ON i.id = l.scheduleitem_id AND i.workshop_id = a.workshop_id
LEFT JOIN {_quoted(Room)} r ON r.id = i.room_id
WHERE a.workshop_id = %s AND a.confirmed
ORDER BY a."order", s.name, s.id, i."start" ASC NULLS LAST, i."order", l.id
"""


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def load_timetable(workshop: Workshop) -> Timetable:
    """Read the placed items with their rooms and speakers, and the current release (two
    queries)."""
    rooms: dict[int, tuple[int, RoomInfo]] = {}
    entries = _entries(workshop, rooms=rooms)
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
    """Read one placed item with its room and speakers (one query), or None."""
    found = _entries(workshop, item_pk=item_pk)
    return found[0] if found else None


def current_release(workshop: Workshop) -> Release | None:
    rows = _rows(RELEASE_SQL, [workshop.pk])
    if not rows:
        return None
    version, status, published_at, notes = rows[0]
    return Release(version, status, LocalTimes(dt.UTC)[published_at], notes)


def _entries(
    workshop: Workshop,
    *,
    item_pk: int | None = None,
    rooms: dict[int, tuple[int, RoomInfo]] | None = None,
) -> list[Entry]:
    """Read the placed items (or the one item) as entries, in time order; collect the rooms
    they use into ``rooms`` (by id: order, room).

    One row per item and speaker, in the order the speakers were added to the item (the
    through table's), an item's rows together.
    """
    if item_pk is None:
        rows = _rows(ENTRIES_SQL.format(only=""), [workshop.pk])
    else:
        rows = _rows(ENTRIES_SQL.format(only=" AND i.id = %s"), [workshop.pk, item_pk])
    local = LocalTimes(workshop.tz)
    entries: dict[int, Entry] = {}
    speakers: dict[int, Speaker] = {}
    for (
        pk, kind, title, abstract, abstract_html, start, end, revision, room_id, room, capacity,
        order, speaker_pk, name, affiliation, homepage,
    ) in rows:  # fmt: skip
        entry = entries.get(pk)
        if entry is None:
            entry = entries[pk] = Entry(
                pk,
                kind,
                title,
                abstract,
                mark_safe(abstract_html),
                local[start],
                local[end],
                revision,
                room_id,
                room or "",
            )
            if rooms is not None and room_id is not None and room_id not in rooms:
                rooms[room_id] = (order, RoomInfo(room_id, room, capacity))
        if speaker_pk is not None:
            speaker = speakers.get(speaker_pk)
            if speaker is None:
                speaker = speakers[speaker_pk] = Speaker(speaker_pk, name, affiliation, homepage)
            entry.speakers.append(speaker)
    return list(entries.values())


class LocalTimes(dict):
    """The zone's datetime for each stored time's text, parsed once each: the starts and ends
    of a schedule repeat (parallel rooms, back-to-back slots).

    Times are read as text (ISO 8601 on PostgreSQL and SQLite) and parsed here: psycopg parses
    timestamps in Python (through Django's time zone loader), about 5 µs each, and the 600 of
    the 300-talk schedule were most of the time it took to read it.
    """

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
    bio_html: str  # rendered when the profile was saved
    photo_url: str
    role_label: str
    talks: list[ListedTalk] = field(default_factory=list)


def load_speaker_list(workshop: Workshop) -> list[ListedSpeaker]:
    """Return the confirmed speakers with their items here, in one query.

    Times are shown only while the schedule is public (not hidden).
    """
    photos = SpeakerProfile._meta.get_field("photo").storage
    roles = dict(SpeakerAppearance.Role.choices)
    show_times = workshop.schedule_status != Workshop.ScheduleStatus.HIDDEN
    whens = Whens(workshop.tz)
    speakers: dict[int, ListedSpeaker] = {}
    for (
        pk, name, affiliation, homepage, bio_html, photo, role,
        item_pk, kind, title, start, end, room,
    ) in _rows(SPEAKERS_SQL, [workshop.pk]):  # fmt: skip
        speaker = speakers.get(pk)
        if speaker is None:
            photo_url = photos.url(photo) if photo else ""
            speaker = speakers[pk] = ListedSpeaker(
                pk, name, affiliation, homepage, bio_html, photo_url, roles.get(role, role)
            )
        if item_pk is None:  # no item, or not this workshop's
            continue
        when = whens[start, end, room] if show_times and start is not None else ""
        speaker.talks.append(ListedTalk(title or KIND_LABELS.get(kind, kind), bool(title), when))
    return list(speakers.values())


class Whens(dict):
    """``Tue 18 Nov 09:00–09:30, Room`` for each stored (start, end, room), the day's part
    made once per date (strftime's names are a third of the time a talk's line takes)."""

    def __init__(self, tz: dt.tzinfo) -> None:
        super().__init__()
        self.local = LocalTimes(tz)
        self.dates: dict[dt.date, str] = {}

    def __missing__(self, key: tuple[str, str, str | None]) -> str:
        start, end = self.local[key[0]], self.local[key[1]]
        date = start.date()
        day = self.dates.get(date)
        if day is None:
            day = self.dates[date] = f"{start:%a} {start.day} {start:%b}"
        when = f"{day} {clock(start)}–{clock(end)}"
        self[key] = when = f"{when}, {key[2]}" if key[2] else when
        return when
