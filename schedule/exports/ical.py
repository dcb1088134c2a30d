"""iCalendar (RFC 5545) for the whole schedule or one item, built from icalendar components.

The library escapes and folds every value; the VTIMEZONE comes from it too
(``Timezone.from_tzid``, derived from tzdata). Events carry their zone's TZID (or UTC), a UID
that stays when the site moves, and a SEQUENCE that the release bumps when the item changes.
"""

from __future__ import annotations

import datetime as dt

import icalendar

from schedule.exports import talk_url_prefix
from schedule.timetable import KIND_LABELS, Entry, Timetable, item_guid

PRODID = "-//Workshop platform//Schedule//EN"
# UIDs must not change when the site moves to another host name, so their domain is fixed.
UID_DOMAIN = "schedule.workshop-platform"
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu"})


def timetable_calendar(timetable: Timetable, *, now: dt.datetime | None = None) -> bytes:
    """Return the whole schedule as one calendar."""
    return _calendar(timetable, timetable.entries, now=now)


def entry_calendar(timetable: Timetable, entry: Entry, *, now: dt.datetime | None = None) -> bytes:
    """Return a calendar with one item (``timetable`` gives the workshop and release)."""
    return _calendar(timetable, [entry], now=now)


def _calendar(timetable: Timetable, entries: list[Entry], *, now: dt.datetime | None) -> bytes:
    workshop = timetable.workshop
    zone = workshop.time_zone
    stamp = timetable.release.published_at if timetable.release else now or dt.datetime.now(dt.UTC)
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", icalendar.vText(text(str(workshop))))  # X- names default to raw
    calendar.add("x-wr-timezone", zone)
    in_utc = zone in UTC_ZONES
    if entries and not in_utc:
        first = min(e.start for e in entries).year
        last = max(e.until for e in entries).year
        calendar.add_component(
            icalendar.Timezone.from_tzid(
                zone, first_date=dt.date(first, 1, 1), last_date=dt.date(last + 1, 1, 1)
            )
        )
    status = "TENTATIVE" if timetable.status == "tentative" else "CONFIRMED"
    url_prefix = talk_url_prefix(workshop)
    for entry in entries:
        event = icalendar.Event()
        event.add("uid", f"{item_guid(workshop.pk, entry.id)}@{UID_DOMAIN}")
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        # In the workshop's zone (a TZID that the VTIMEZONE above defines), or in UTC.
        if entry.all_day:  # a DATE alone: that one day (RFC 5545, 3.6.1)
            event.add("dtstart", entry.start.date())
        else:
            event.add("dtstart", entry.start.astimezone(dt.UTC) if in_utc else entry.start)
        if entry.end is not None:  # open-ended: a DTSTART alone (RFC 5545, 3.6.1)
            event.add("dtend", entry.end.astimezone(dt.UTC) if in_utc else entry.end)
        event.add("sequence", entry.revision)
        event.add("status", status)
        event.add("summary", text(entry.display_title))
        if entry.location:  # the room and venue, as every page says them; else none
            event.add("location", text(entry.location))
        event.add("categories", [text(KIND_LABELS.get(entry.kind, entry.kind))])
        event.add("url", f"{url_prefix}{entry.id}/")
        speakers = ", ".join(str(s) for s in entry.speakers)
        abstract = entry.abstract.strip()
        description = "\n\n".join(part for part in (speakers, abstract) if part)
        if description:
            event.add("description", text(description))
        calendar.add_component(event)
    return calendar.to_ical()


CONTROLS = dict.fromkeys([*range(0x09), *range(0x0B, 0x20), 0x7F])


def text(value: str) -> str:
    """A TEXT value as RFC 5545 allows it: line breaks as LF (the library escapes them), no
    other control characters."""
    return value.replace("\r\n", "\n").replace("\r", "\n").translate(CONTROLS)
