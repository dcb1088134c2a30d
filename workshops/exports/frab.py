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
from collections.abc import Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring as _j  # json.dumps(ensure_ascii=False)'s own

from django.utils.text import slugify

from workshops.exports import absolute_url, talk_url_prefix, utf8
from workshops.public_schedule import KIND_LABELS, Entry, Timetable, clock, item_guid, room_guid

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
# The same in ASCII, as bytes that bytes.translate deletes: for ASCII text (most abstracts),
# deleting them and comparing lengths takes a quarter of the search's time.
XML_UNSAFE_ASCII = bytes([*b'&<>"', *range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
MAX_DURATION = dt.timedelta(hours=23, minutes=59)
# What slugify drops from ASCII text (all but the characters of r"[\w\s-]"), as bytes.
SLUG_DROP_ASCII = bytes(c for c in range(128) if not re.fullmatch(r"[\w\s-]", chr(c)))


def acronym(slug: str) -> str:
    """Return an acronym both schemas accept (``[a-z0-9_]{4,}``) derived from the slug."""
    value = re.sub(r"[^a-z0-9_]", "_", slug.lower())
    return value.ljust(4, "_")


def ascii_slugify(value: str) -> str:
    """Return ``slugify(value)``, in a tenth of the time for ASCII text (most titles; NFKD
    changes none of it): an export slugs every title.

    slugify drops what is not a word character, whitespace or a dash, turns every run of
    dashes and whitespace into one dash, and strips dashes and underscores from both ends.
    """
    if not value.isascii():
        return slugify(value)
    kept = value.lower().encode().translate(None, SLUG_DROP_ASCII).decode()
    return "-".join(kept.replace("-", " ").split()).strip("-_")


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

    def events(self, entries: list[Entry]) -> Iterator[tuple[Entry, str, str, str, str, str]]:
        """Yield what both formats write of each entry: the entry, its GUID, title, kind
        label, duration (HH:MM) and slug.

        A schedule has a few kinds and lengths for hundreds of items: their text is made
        once per export.
        """
        workshop_pk, conference = self.workshop.pk, self.acronym
        durations: dict[dt.timedelta, str] = {}
        for entry in entries:
            length = entry.end - entry.start
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
    """Return schedule.json (the c3voc JSON schema), as ``json.dumps(document,
    ensure_ascii=False)`` writes it.

    The days are written here, each event as one f-string with its text escaped by the C
    function that json.dumps uses: building the 300 events' nested dicts and encoding them
    took twice as long. The tests check the text against json.dumps of its own parse.
    """
    frab = FrabSchedule(timetable)
    workshop = frab.workshop
    head = {
        "acronym": frab.acronym,
        "title": workshop.title,
        "start": frab.days[0].date.isoformat(),
        "end": frab.days[-1].date.isoformat(),
        "daysCount": len(frab.days),
        "timeslot_duration": frab.timeslot,
        "url": frab.workshop_url,
        "rooms": [{"name": r.name, "guid": r.guid, "capacity": r.capacity} for r in frab.all_rooms],
    }
    out = [
        '{"$schema": "https://c3voc.de/schedule/schema.json", '
        f'"generator": {{"name": {_j(GENERATOR)}}}, "schedule": {{'
        f'"version": {_j(frab.version)}, "base_url": {_j(frab.schedule_url)}, '
        f'"conference": {json.dumps(head, ensure_ascii=False)[:-1]}, "days": ['
    ]
    for n, day in enumerate(frab.days):
        out.append(
            f'{", " if n else ""}{{"index": {day.index}, "date": "{day.date.isoformat()}", '
            f'"day_start": "{day.start.isoformat()}", "day_end": "{day.end.isoformat()}", '
            '"rooms": {'
        )
        for m, (room, entries) in enumerate(day.rooms):
            out.append(f"{', ' if m else ''}{_j(room.name)}: [")
            out += _json_events(frab, room, entries)
            out.append("]")
        out.append("}}")
    zone = ""
    if ZONE_NAME.search(workshop.time_zone):
        zone = f', "time_zone_name": {_j(workshop.time_zone)}'
    out.append(f"]{zone}}}}}}}")
    return utf8(out)


def _json_events(frab: FrabSchedule, room: FrabRoom, entries: list[Entry]) -> list[str]:
    """Return each event's JSON object, all but the first after a comma; what is written
    unescaped is text made here (ids, GUIDs, ISO times, slugs of ``[a-z0-9_-]``) and the
    URL's escaped prefix."""
    room_name, url = _j(room.name), _j(frab.schedule_url)[:-1]
    kinds: dict[str, str] = {}
    out = []
    comma = ""
    for entry, guid, title, kind, duration, slug in frab.events(entries):
        type_ = kinds.get(kind)
        if type_ is None:
            type_ = kinds[kind] = _j(kind)
        persons = ", ".join(
            [f'{{"id": {s.id}, "public_name": {_j(s.name)}}}' for s in entry.speakers]
        )
        out.append(
            f'{comma}{{"guid": "{guid}", "id": {entry.id}, "date": "{entry.start.isoformat()}", '
            f'"start": "{clock(entry.start)}", "end": "{entry.end.isoformat()}", '
            f'"duration": "{duration}", "room": {room_name}, "slug": "{slug}", '
            f'"url": {url}{entry.id}/", "title": {_j(title)}, "subtitle": "", "track": null, '
            f'"type": {type_}, "language": null, "abstract": {_j(entry.abstract)}, '
            f'"description": null, "persons": [{persons}], "links": [], "attachments": []}}'
        )
        comma = ", "
    return out


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
            out += _xml_events(frab, room, entries)
            out.append("    </room>\n")
        out.append("  </day>\n")
    out.append("</schedule>\n")
    return utf8(out)


def _xml_events(frab: FrabSchedule, room: FrabRoom, entries: list[Entry]) -> list[str]:
    room_name, url = _x(room.name), _x(frab.schedule_url)
    kinds: dict[str, str] = {}
    out = []
    for entry, guid, title, kind, duration, slug in frab.events(entries):
        type_ = kinds.get(kind)
        if type_ is None:
            type_ = kinds[kind] = _x(kind)
        persons = "".join([f'<person id="{s.id}">{_x(s.name)}</person>' for s in entry.speakers])
        out.append(
            f'      <event guid="{guid}" id="{entry.id}">\n'
            f"        <room>{room_name}</room>\n"
            f"        <title>{_x(title)}</title>\n"
            "        <subtitle></subtitle>\n"
            f"        <type>{type_}</type>\n"
            f"        <date>{entry.start.isoformat()}</date>\n"
            f"        <start>{clock(entry.start)}</start>\n"
            f"        <duration>{duration}</duration>\n"
            f"        <abstract>{_x(entry.abstract)}</abstract>\n"
            f"        <slug>{slug}</slug>\n"
            "        <track></track>\n"
            f"        <persons>{persons}</persons>\n"
            "        <links></links>\n"
            f"        <url>{url}{entry.id}/</url>\n"
            "      </event>\n"
        )
    return out


def _x(value: str) -> str:
    if len(value) > 32 and value.isascii():  # shorter, the search costs less
        data = value.encode()
        safe = len(data.translate(None, XML_UNSAFE_ASCII)) == len(data)
    else:
        safe = XML_UNSAFE.search(value) is None
    return value if safe else value.translate(XML_TEXT)
