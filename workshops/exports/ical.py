"""iCalendar (RFC 5545) for the whole schedule or one item.

The VTIMEZONE comes from the icalendar library (``Timezone.from_tzid``); the events are
written here, line by line, because building them as icalendar components takes about 130 ms
for 300 talks and this takes a few. The tests parse every file back with icalendar and check
it with vobject's ``validate()``.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import icalendar

from workshops.exports import talk_url_prefix, utf8, venue_label
from workshops.public_schedule import KIND_LABELS, Entry, Timetable, item_guid

PRODID = "-//Workshop platform//Schedule//EN"
# UIDs must not change when the site moves to another host name, so their domain is fixed.
UID_DOMAIN = "schedule.workshop-platform"
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu"})
# RFC 5545 TEXT: no control characters but horizontal tab (line breaks are escaped first).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The same as bytes that bytes.translate deletes, for ASCII text: a third of the regex's time.
CONTROL_ASCII = bytes([*range(0x09), *range(0x0B, 0x20), 0x7F])
# What _text changes: most names and titles have none of it.
TEXT_SPECIAL = re.compile(r"[\\;,\x00-\x08\x0a-\x1f\x7f]")


def timetable_calendar(timetable: Timetable, *, now: dt.datetime | None = None) -> bytes:
    """Return the whole schedule as one calendar."""
    return _calendar(timetable, timetable.entries, now=now)


def entry_calendar(timetable: Timetable, entry: Entry, *, now: dt.datetime | None = None) -> bytes:
    """Return a calendar with one item (``timetable`` gives the workshop and release)."""
    return _calendar(timetable, [entry], now=now)


def _calendar(timetable: Timetable, entries: list[Entry], *, now: dt.datetime | None) -> bytes:
    workshop = timetable.workshop
    zone = workshop.time_zone
    if timetable.release is not None:
        stamp = timetable.release.published_at
    else:
        stamp = now or dt.datetime.now(dt.UTC)
    stamp_text = _utc(stamp)
    status = "TENTATIVE" if workshop.schedule_status == "tentative" else "CONFIRMED"
    venue = venue_label(workshop)
    url_prefix = talk_url_prefix(workshop)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_text(str(workshop))}",
        f"X-WR-TIMEZONE:{zone}",
    ]
    in_utc = zone in UTC_ZONES
    if entries and not in_utc:
        first = min(e.start for e in entries).year
        last = max(e.end for e in entries).year
        lines.append(_vtimezone(zone, first, last))  # already folded, ends with CRLF
    # The text of each moment, made once: a schedule's times repeat; so do rooms and kinds.
    stamps = _Stamps(_utc if in_utc else _local)
    start_prefix, end_prefix = (
        ("DTSTART:", "DTEND:") if in_utc else (f"DTSTART;TZID={zone}:", f"DTEND;TZID={zone}:")
    )
    locations: dict[str, str] = {}
    categories: dict[str, str] = {}
    out = ["".join(line if line.endswith("\r\n") else _fold(line) for line in lines)]
    for entry in entries:
        location = locations.get(entry.room_name)
        if location is None:
            text = ", ".join(p for p in (entry.room_name, venue) if p) or str(workshop)
            location = locations[entry.room_name] = _fold(f"LOCATION:{_text(text)}")
        category = categories.get(entry.kind)
        if category is None:
            label = KIND_LABELS.get(entry.kind, entry.kind)
            category = categories[entry.kind] = _fold(f"CATEGORIES:{_text(label)}")
        speakers = ", ".join([str(s) for s in entry.speakers])
        abstract = entry.abstract.strip()
        description = f"{speakers}\n\n{abstract}" if speakers and abstract else speakers or abstract
        # The lines up to STATUS are short by construction (a zone name is under 40
        # characters); the others may need folding.
        out.append(
            f"BEGIN:VEVENT\r\nUID:{item_guid(workshop.pk, entry.id)}@{UID_DOMAIN}\r\n"
            f"DTSTAMP:{stamp_text}\r\n{start_prefix}{stamps[entry.start]}\r\n"
            f"{end_prefix}{stamps[entry.end]}\r\nSEQUENCE:{entry.revision}\r\n"
            f"STATUS:{status}\r\n{_fold(f'SUMMARY:{_text(entry.display_title)}')}"
            f"{location}{category}{_fold(f'URL:{url_prefix}{entry.id}/')}"
            f"{_fold(f'DESCRIPTION:{_text(description)}') if description else ''}END:VEVENT\r\n"
        )
    out.append("END:VCALENDAR\r\n")
    return utf8(out)


def _utc(moment: dt.datetime) -> str:
    return _local(moment.astimezone(dt.UTC)) + "Z"


def _local(moment: dt.datetime) -> str:
    """Return the DATE-TIME form of the moment's wall time (strftime takes three times as long)."""
    m = moment
    return f"{m.year:04}{m.month:02}{m.day:02}T{m.hour:02}{m.minute:02}{m.second:02}"


class _Stamps(dict):
    def __init__(self, write) -> None:
        super().__init__()
        self.write = write

    def __missing__(self, moment: dt.datetime) -> str:
        self[moment] = text = self.write(moment)
        return text


def _text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    if not TEXT_SPECIAL.search(value):
        return value
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    if value.isascii():
        return value.encode().translate(None, CONTROL_ASCII).decode()
    return CONTROL.sub("", value)


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 sequence (§3.1)."""
    if len(line) <= 18:  # at most 4 octets a character
        return line + "\r\n"
    if line.isascii():  # a character is an octet: cut the string itself
        if len(line) <= 75:
            return line + "\r\n"
        parts = [line[:75], *[line[i : i + 74] for i in range(75, len(line), 74)]]
        return "\r\n ".join(parts) + "\r\n"
    data = line.encode()
    if len(data) <= 75:
        return line + "\r\n"
    parts, limit = [], 75
    while len(data) > limit:
        cut = limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: back off to its first byte
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
        limit = 74  # continuation lines start with a space
    parts.append(data.decode())
    return "\r\n ".join(parts) + "\r\n"


@lru_cache(maxsize=64)
def _vtimezone(zone: str, first_year: int, last_year: int) -> str:
    """Return the VTIMEZONE lines for ``zone`` over these years (derived from tzdata only)."""
    component = icalendar.Timezone.from_tzid(
        zone, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year + 1, 1, 1)
    )
    return component.to_ical().decode()
