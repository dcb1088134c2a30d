"""The frab schedule formats (schedule.xml and schedule.json) that pretalx, the c3voc tools
and apps such as Giggity, EventFahrplan and ConfClerk read.

Both validate against the c3voc schemas (``../shared/spec/``). What the schemas and the apps
insist on: a ``version``; the conference first (Giggity sniffs the first KiB for ``<schedule``
and ``<conference``); an acronym of ``[a-z0-9_]`` characters; days with a unique index and
start and end with a UTC offset; every event in a room, with a positive ``id``, a stable
``guid``, a ``slug`` of the form ``acronym-rest``, times as HH:MM; persons with an ``id`` and a
``public_name`` only (adding ``name`` would match both person shapes of the JSON schema and
fail its ``oneOf``); no empty URL elements. Both need every event's duration: an open-ended
item (“from 17:00”) lasts until its day's last item ends, or until midnight when it is the
last (``Entry.until``); an all-day item takes the day's programme, from its first start to its
last end.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.text import slugify

from schedule.exports import absolute_url, talk_url_prefix
from schedule.timetable import (
    KIND_LABELS,
    SHARED_ROOM,
    Entry,
    Timetable,
    clock,
    item_guid,
    room_guid,
)

GENERATOR = "workshop-platform"
# The JSON schema's time_zone_name pattern (unanchored, like every JSON Schema pattern).
ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
MAX_DURATION = dt.timedelta(hours=23, minutes=59)


def acronym(slug: str) -> str:
    """Return an acronym both schemas accept (``[a-z0-9_]{4,}``) derived from the slug."""
    value = re.sub(r"[^a-z0-9_]", "_", slug.lower())
    return value.ljust(4, "_")


def event_slug(conference: str, entry: Entry) -> str:
    """Return ``<acronym>-<id>-<title>``, unique through the id (voc-slug-new in the XSD)."""
    title = slugify(entry.title[:60])[:50].strip("-_")
    rest = f"{entry.id}-{title}" if title else str(entry.id)
    return f"{conference}-{rest.rjust(4, '0')}"


def hhmm(value: dt.timedelta) -> str:
    # Durations of a day or more are not valid in the apps' formats; the JSON "end" is exact.
    minutes = int(min(value, MAX_DURATION).total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class FrabRoom:
    name: str
    guid: str
    capacity: int | None


@dataclass(frozen=True, slots=True)
class FrabDay:
    index: int
    date: dt.date
    start: dt.datetime
    end: dt.datetime
    rooms: list[tuple[FrabRoom, list[Entry]]]


class FrabSchedule:
    """What both formats share: conference data, rooms, days, per-event fields."""

    def __init__(self, timetable: Timetable) -> None:
        workshop = timetable.workshop
        self.timetable = timetable
        self.workshop = workshop
        self.acronym = acronym(workshop.slug)
        self.version = timetable.version
        self.schedule_url = talk_url_prefix(workshop)
        self.workshop_url = absolute_url(workshop.get_absolute_url())
        # Items without a room (breaks, plenary sessions) share one room, named as the pages
        # name it (Entry.where): "All rooms" when the workshop has rooms, else the venue's
        # name; the formats need a name, so the workshop's title stands for a venue not given.
        shared_name = SHARED_ROOM if timetable.rooms else (workshop.venue_name or str(workshop))
        self.shared_room = FrabRoom(shared_name, room_guid(workshop.pk, None), None)
        self.rooms = {
            room.id: FrabRoom(room.name, room_guid(workshop.pk, room.id), room.capacity)
            for room in timetable.rooms
        }
        self.days = [self._day(day.index, day.date, day.entries) for day in timetable.days]
        if not self.days:
            # Both schemas want at least one day: the workshop's first (or today), empty.
            first = workshop.start_date or dt.datetime.now(workshop.tz).date()
            midnight = dt.datetime.combine(first, dt.time(), tzinfo=workshop.tz)
            self.days = [FrabDay(1, first, midnight, midnight + dt.timedelta(days=1), [])]

    def _day(self, index: int, date: dt.date, entries: list[Entry]) -> FrabDay:
        by_room: dict[str, tuple[FrabRoom, list[Entry]]] = {}
        ordered = [self.shared_room, *self.rooms.values()]
        for room in ordered:
            by_room.setdefault(room.name, (room, []))
        for entry in entries:
            room = self.rooms.get(entry.room_id, self.shared_room)
            by_room[room.name][1].append(entry)
        rooms = [(room, items) for room, items in by_room.values() if items]
        return FrabDay(index, date, entries[0].start, max(e.until for e in entries), rooms=rooms)

    @property
    def all_rooms(self) -> list[FrabRoom]:
        used_shared = any(room is self.shared_room for d in self.days for room, _ in d.rooms)
        return ([self.shared_room] if used_shared else []) + list(self.rooms.values())

    @property
    def timeslot(self) -> str:
        """The largest slot that divides every start and length (at least 5 minutes)."""
        step = 0
        for day in self.timetable.days:
            for entry in day.entries:
                step = math.gcd(step, entry.start.minute, int(entry.duration.total_seconds()) // 60)
        return hhmm(dt.timedelta(minutes=min(max(step, 5), 60) if step else 15))

    def events(self, entries: list[Entry]) -> Iterator[tuple[Entry, str, str, str, str, str]]:
        """Yield what both formats write of each entry: the entry, its GUID, title, kind
        label, duration (HH:MM) and slug.

        A schedule has a few kinds and lengths for hundreds of items: their text is made
        once per export.
        """
        workshop_pk, conference = self.workshop.pk, self.acronym
        durations: dict[dt.timedelta, str] = {}
        for entry in entries:
            length = entry.duration  # an open-ended item's: to ``until``
            duration = durations.get(length)
            if duration is None:
                duration = durations[length] = hhmm(length)
            yield (
                entry,
                item_guid(workshop_pk, entry.id),
                entry.title or entry.display_title,
                KIND_LABELS.get(entry.kind, entry.kind),
                duration,
                event_slug(conference, entry),
            )


def schedule_json(timetable: Timetable) -> bytes:
    """Return schedule.json (the c3voc JSON schema): plain data, encoded by ``json.dumps``."""
    frab = FrabSchedule(timetable)
    workshop = frab.workshop
    conference = {
        "acronym": frab.acronym,
        "title": workshop.title,
        "start": frab.days[0].date.isoformat(),
        "end": frab.days[-1].date.isoformat(),
        "daysCount": len(frab.days),
        "timeslot_duration": frab.timeslot,
        "url": frab.workshop_url,
        "rooms": [{"name": r.name, "guid": r.guid, "capacity": r.capacity} for r in frab.all_rooms],
        "days": [
            {
                "index": day.index,
                "date": day.date.isoformat(),
                "day_start": day.start.isoformat(),
                "day_end": day.end.isoformat(),
                "rooms": {
                    room.name: [json_event(frab, room, *event) for event in frab.events(entries)]
                    for room, entries in day.rooms
                },
            }
            for day in frab.days
        ],
    }
    if ZONE_NAME.search(workshop.time_zone):
        conference["time_zone_name"] = workshop.time_zone
    document = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": GENERATOR},
        "schedule": {
            "version": frab.version,
            "base_url": frab.schedule_url,
            "conference": conference,
        },
    }
    return json.dumps(document, ensure_ascii=False).encode()


def json_event(
    frab: FrabSchedule, room: FrabRoom, entry: Entry, guid, title, kind, duration, slug
) -> dict:
    return {
        "guid": guid,
        "id": entry.id,
        "date": entry.start.isoformat(),
        "start": clock(entry.start),
        "end": entry.until.isoformat(),
        "duration": duration,
        "room": room.name,
        "slug": slug,
        "url": f"{frab.schedule_url}{entry.id}/",
        "title": title,
        "subtitle": "",
        "track": None,
        "type": kind,
        "language": None,
        "abstract": entry.abstract,
        "description": None,
        # A frab person (id, public_name) with its links: homepage, ORCID record.
        "persons": [
            {
                "id": s.id,
                "public_name": s.name,
                "links": [{"url": url, "title": title} for title, url in s.links],
            }
            for s in entry.speakers
        ],
        "links": [],
        "attachments": [],
    }


def schedule_xml(timetable: Timetable) -> bytes:
    """Return schedule.xml (the c3voc XSD), built with ElementTree."""
    frab = FrabSchedule(timetable)
    workshop = frab.workshop
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR)
    element(root, "version", frab.version)
    conference = ET.SubElement(root, "conference")
    for name, value in (
        ("title", workshop.title),
        ("acronym", frab.acronym),
        ("start", frab.days[0].date.isoformat()),
        ("end", frab.days[-1].date.isoformat()),
        ("days", str(len(frab.days))),
        ("timeslot_duration", frab.timeslot),
        ("base_url", frab.schedule_url),
        ("url", frab.workshop_url),
        ("time_zone_name", workshop.time_zone),
    ):
        element(conference, name, value)
    for day in frab.days:
        day_element = ET.SubElement(
            root,
            "day",
            index=str(day.index),
            date=day.date.isoformat(),
            start=day.start.isoformat(),
            end=day.end.isoformat(),
        )
        for room, entries in day.rooms:
            room_element = ET.SubElement(day_element, "room", name=xml_text(room.name))
            room_element.set("guid", room.guid)
            for entry, guid, title, kind, duration, slug in frab.events(entries):
                event = ET.SubElement(room_element, "event", guid=guid, id=str(entry.id))
                for name, value in (
                    ("room", room.name),
                    ("title", title),
                    ("subtitle", ""),
                    ("type", kind),
                    ("date", entry.start.isoformat()),
                    ("start", clock(entry.start)),
                    ("duration", duration),
                    ("abstract", entry.abstract),
                    ("slug", slug),
                    ("track", ""),
                ):
                    element(event, name, value)
                persons = ET.SubElement(event, "persons")
                for speaker in entry.speakers:
                    element(persons, "person", speaker.name).set("id", str(speaker.id))
                ET.SubElement(event, "links")
                element(event, "url", f"{frab.schedule_url}{entry.id}/")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def element(parent: ET.Element, tag: str, text: str) -> ET.Element:
    child = ET.SubElement(parent, tag)
    child.text = xml_text(text)
    return child


# What XML 1.0 cannot hold at all: most control characters, and U+FFFE and U+FFFF.
NOT_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def xml_text(value: str) -> str:
    return value.translate(NOT_XML)
