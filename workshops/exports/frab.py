"""The frab schedule formats (schedule.xml and schedule.json) that pretalx, the c3voc tools
and apps such as Giggity, EventFahrplan and ConfClerk read.

Both validate against the c3voc schemas (``../shared/spec/``). What the schemas and the apps
insist on: a ``version``; the conference first (Giggity sniffs the first KiB for ``<schedule``
and ``<conference``); an acronym of ``[a-z0-9_]`` characters; days with a unique index and
start and end with a UTC offset; every event in a room, with a positive ``id``, a stable
``guid``, a ``slug`` of the form ``acronym-rest``, times as HH:MM; persons with an ``id`` and a
``public_name`` only (adding ``name`` would match both person shapes of the JSON schema and
fail its ``oneOf``); no empty URL elements.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass

from django.utils.text import slugify

from workshops.exports import absolute_url, talk_url_prefix
from workshops.public_schedule import Entry, Timetable, clock, item_guid, room_guid

GENERATOR = "workshop-platform"
# The JSON schema's time_zone_name pattern (unanchored, like every JSON Schema pattern).
ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
# Escape markup and drop what XML 1.0 cannot hold at all (most control characters), in one pass.
XML_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    | dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
)
# Any character that XML_TEXT changes: most values have none, and a search is much cheaper
# than translate(), which looks every character up in Python's table.
XML_UNSAFE = re.compile(r'[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
MAX_DURATION = dt.timedelta(hours=23, minutes=59)
# django.utils.text.slugify's two steps.
SLUG_DROP = re.compile(r"[^\w\s-]")
SLUG_DASHES = re.compile(r"[-\s]+")


def acronym(slug: str) -> str:
    """Return an acronym both schemas accept (``[a-z0-9_]{4,}``) derived from the slug."""
    value = re.sub(r"[^a-z0-9_]", "_", slug.lower())
    return value.ljust(4, "_")


def ascii_slugify(value: str) -> str:
    """Return ``slugify(value)``, in a third of the time for ASCII text (most titles; NFKD
    changes none of it): an export slugs every title."""
    if not value.isascii():
        return slugify(value)
    return SLUG_DASHES.sub("-", SLUG_DROP.sub("", value.lower())).strip("-_")


def event_slug(conference: str, entry: Entry) -> str:
    """Return ``<acronym>-<id>-<title>``, unique through the id (voc-slug-new in the XSD)."""
    title = ascii_slugify(entry.title[:60])[:50].strip("-_")
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
        # Items without a room (breaks, plenary sessions) share one room: the venue when the
        # workshop has no rooms, "All rooms" when it has.
        shared_name = "All rooms" if timetable.rooms else (workshop.venue_name or "Main room")
        self.shared_room = FrabRoom(shared_name, str(room_guid(workshop.pk, None)), None)
        self.rooms = {
            room.id: FrabRoom(room.name, str(room_guid(workshop.pk, room.id)), room.capacity)
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
        return FrabDay(index, date, entries[0].start, max(e.end for e in entries), rooms=rooms)

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

    def room_of(self, entry: Entry) -> FrabRoom:
        return self.rooms.get(entry.room_id, self.shared_room)


def schedule_json(timetable: Timetable) -> bytes:
    """Return schedule.json (the c3voc JSON schema)."""
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
                    room.name: [_json_event(frab, e) for e in entries]
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
    # No indent: with one, json.dumps falls back from its C encoder to a Python one (5x slower).
    return json.dumps(document, ensure_ascii=False).encode()


def _json_event(frab: FrabSchedule, entry: Entry) -> dict:
    return {
        "guid": str(item_guid(frab.workshop.pk, entry.id)),
        "id": entry.id,
        "date": entry.start.isoformat(),
        "start": clock(entry.start),
        "end": entry.end.isoformat(),
        "duration": hhmm(entry.duration),
        "room": frab.room_of(entry).name,
        "slug": event_slug(frab.acronym, entry),
        "url": f"{frab.schedule_url}{entry.id}/",
        "title": entry.display_title,
        "subtitle": "",
        "track": None,
        "type": entry.kind_label,
        "language": None,
        "abstract": entry.abstract,
        "description": None,
        "persons": [{"id": s.id, "public_name": s.name} for s in entry.speakers],
        "links": [],
        "attachments": [],
    }


def schedule_xml(timetable: Timetable) -> bytes:
    """Return schedule.xml (the c3voc XSD)."""
    frab = FrabSchedule(timetable)
    workshop = frab.workshop
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<schedule>\n',
        f'  <generator name="{GENERATOR}"/>\n',
        f"  <version>{_x(frab.version)}</version>\n",
        "  <conference>\n",
        f"    <title>{_x(workshop.title)}</title>\n",
        f"    <acronym>{frab.acronym}</acronym>\n",
        f"    <start>{frab.days[0].date.isoformat()}</start>\n",
        f"    <end>{frab.days[-1].date.isoformat()}</end>\n",
        f"    <days>{len(frab.days)}</days>\n",
        f"    <timeslot_duration>{frab.timeslot}</timeslot_duration>\n",
        f"    <base_url>{_x(frab.schedule_url)}</base_url>\n",
        f"    <url>{_x(frab.workshop_url)}</url>\n",
        f"    <time_zone_name>{_x(workshop.time_zone)}</time_zone_name>\n",
        "  </conference>\n",
    ]
    for day in frab.days:
        out.append(
            f'  <day index="{day.index}" date="{day.date.isoformat()}" '
            f'start="{day.start.isoformat()}" end="{day.end.isoformat()}">\n'
        )
        for room, entries in day.rooms:
            out.append(f'    <room name="{_x(room.name)}" guid="{room.guid}">\n')
            out += [_xml_event(frab, room, entry) for entry in entries]
            out.append("    </room>\n")
        out.append("  </day>\n")
    out.append("</schedule>\n")
    return "".join(out).encode()


def _xml_event(frab: FrabSchedule, room: FrabRoom, entry: Entry) -> str:
    persons = "".join(f'<person id="{s.id}">{_x(s.name)}</person>' for s in entry.speakers)
    return (
        f'      <event guid="{item_guid(frab.workshop.pk, entry.id)}" id="{entry.id}">\n'
        f"        <room>{_x(room.name)}</room>\n"
        f"        <title>{_x(entry.display_title)}</title>\n"
        "        <subtitle></subtitle>\n"
        f"        <type>{_x(entry.kind_label)}</type>\n"
        f"        <date>{entry.start.isoformat()}</date>\n"
        f"        <start>{clock(entry.start)}</start>\n"
        f"        <duration>{hhmm(entry.duration)}</duration>\n"
        f"        <abstract>{_x(entry.abstract)}</abstract>\n"
        f"        <slug>{event_slug(frab.acronym, entry)}</slug>\n"
        "        <track></track>\n"
        f"        <persons>{persons}</persons>\n"
        "        <links></links>\n"
        f"        <url>{_x(frab.schedule_url)}{entry.id}/</url>\n"
        "      </event>\n"
    )


def _x(value: str) -> str:
    return value.translate(XML_TEXT) if XML_UNSAFE.search(value) else value
