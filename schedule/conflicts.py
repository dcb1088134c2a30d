"""The schedule's rules, part one: conflicts between items (part two, changes.py: what a
release keeps and what changed between two).

Conflicts are warnings, never refusals: an organizer often saves a half-finished day. They are:

- ``room``: two placed items overlap in one room.
- ``plenary``: an item without a room takes place in *all* rooms (the model's "Empty: all
  rooms"), so it conflicts with anything that overlaps it, in any room or also without one:
  a coffee break without a room during a talk in Room B means one of them is wrong. An activity
  that really runs in parallel (a poster session, a registration desk) gets a room of its own.
- ``speaker``: one speaker on two overlapping items.
- ``dates``: an item that starts before the workshop's first day or ends after its last one,
  both read in the workshop's time zone (an item ending at midnight after the last day is in).
- ``availability``: a speaker on an item outside the times they said they can be there
  (``SpeakerAvailability``: a day, from and until when); one who said nothing is free.

Intervals are half-open: a talk ending at 10:00 and one starting at 10:00 do not overlap.
An open-ended item (a start, no end: a poster session “from 17:00”) lasts until the next item
in its room starts (any item, for one in all rooms), or until the day's end: the next one in
its room is not a clash, but a speaker it keeps busy until then is.
An all-day item (a day, no times) clashes with nothing; only its day may be outside the dates.
Unplaced items (no start, no day) have no conflicts. An item that ends before it starts is not a
warning but a refusal: ``ScheduleItem.clean`` and a check constraint keep it out of the table.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from schedule.models import ScheduleItem
from workshops.models import SpeakerAvailability, SpeakerProfile, Workshop
from workshops.templatetags.workshop_tags import date_range


def schedule_queryset(workshop: Workshop) -> QuerySet[ScheduleItem]:
    """Return every item of the workshop with its room and speakers, in two queries."""
    return (
        ScheduleItem.objects.filter(workshop=workshop)
        .select_related("room")
        .prefetch_related(Prefetch("speakers", queryset=SpeakerProfile.objects.order_by("name")))
    )


# Conflicts


class ConflictKind(StrEnum):
    ROOM = "room"
    PLENARY = "plenary"
    SPEAKER = "speaker"
    DATES = "dates"
    AVAILABILITY = "availability"


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    message: str
    item_ids: tuple[int, ...]


def find_conflicts(
    workshop: Workshop, *, items: Iterable[ScheduleItem] | None = None
) -> list[Conflict]:
    """Return the schedule's conflicts, earliest first, in a constant number of queries.

    ``items`` lets a caller that has loaded the items (with rooms and speakers) pass them in.
    """
    items = list(schedule_queryset(workshop) if items is None else items)
    tz = workshop.tz
    placed = [i for i in items if i.start is not None]
    ends = lasting_until(placed, tz)
    placed.sort(key=lambda i: (i.start, ends[id(i)], i.pk or 0))
    found: list[tuple[dt.datetime, Conflict]] = []
    for item in placed:
        if _outside_dates(item, ends[id(item)], workshop):
            found.append((item.start, _dates_conflict(item, workshop)))
    for item in items:
        if item.all_day and _day_outside_dates(item.day, workshop):
            midnight = dt.datetime.combine(item.day, dt.time(), tzinfo=tz)
            found.append((midnight, _dates_conflict(item, workshop)))
    for first, second in _overlapping_pairs(placed, ends):
        if first.room_id is None or second.room_id is None:
            found.append((second.start, _plenary_conflict(first, second, ends, tz)))
        elif first.room_id == second.room_id:
            found.append((second.start, _room_conflict(first, second, ends, tz)))
    by_speaker: dict[int, list[ScheduleItem]] = defaultdict(list)
    speakers: dict[int, SpeakerProfile] = {}
    for item in placed:
        for speaker in item.speakers.all():
            by_speaker[speaker.pk].append(item)
            speakers[speaker.pk] = speaker
    for speaker_id, own in by_speaker.items():
        for first, second in _overlapping_pairs(own, ends):
            conflict = _speaker_conflict(speakers[speaker_id], first, second, ends, tz)
            found.append((second.start, conflict))
    found.extend(_availability_conflicts(workshop, items, ends))
    found.sort(key=lambda pair: (pair[0], pair[1].kind, pair[1].item_ids))
    return [conflict for _, conflict in found]


def _availability_conflicts(
    workshop: Workshop, items: list[ScheduleItem], ends: dict[int, dt.datetime]
) -> Iterator[tuple[dt.datetime, Conflict]]:
    """Each speaker on an item outside the times they said they can be there (one query: a
    speaker who stated no availability is free throughout)."""
    windows: dict[int, list[SpeakerAvailability]] = defaultdict(list)
    for window in SpeakerAvailability.objects.filter(appearance__workshop=workshop).annotate(
        speaker_id=F("appearance__speaker_id")
    ):
        windows[window.speaker_id].append(window)
    if not windows:
        return
    tz = workshop.tz
    for item in items:
        if not item.placed:
            continue
        for speaker in item.speakers.all():
            stated = windows.get(speaker.pk)
            if not stated or _fits(item, ends, stated, workshop):
                continue
            when = (
                format_day_slot(item.day, None)
                if item.all_day
                else format_slot(item.start, item.end, None, tz)
            )
            told = "; ".join(w.text for w in stated)
            at = item.start or dt.datetime.combine(item.day, dt.time(), tzinfo=tz)
            yield (
                at,
                Conflict(
                    kind=ConflictKind.AVAILABILITY,
                    message=(
                        f"{speaker.name} is not available for “{item.display_title}” ({when}): "
                        f"they can be there {told}."
                    ),
                    item_ids=(item.pk,),
                ),
            )


def _fits(item: ScheduleItem, ends, stated: list[SpeakerAvailability], workshop) -> bool:
    if item.all_day:
        return any(window.day == item.day for window in stated)
    start, end = item.start, ends[id(item)]
    # Windows that touch are one (09:00–13:00 and from 13:00: the whole day from 09:00).
    merged: list[list[dt.datetime]] = []
    for window_start, window_end in sorted(window.span(workshop) for window in stated):
        if merged and window_start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], window_end)
        else:
            merged.append([window_start, window_end])
    return any(window_start <= start and end <= window_end for window_start, window_end in merged)


def conflicts_for_item(item: ScheduleItem) -> list[Conflict]:
    """Return the conflicts this item takes part in (for the warning after a save)."""
    return [c for c in find_conflicts(item.workshop) if item.pk in c.item_ids]


def conflicts_by_item(conflicts: Iterable[Conflict]) -> dict[int, list[Conflict]]:
    marked: dict[int, list[Conflict]] = defaultdict(list)
    for conflict in conflicts:
        for item_id in conflict.item_ids:
            marked[item_id].append(conflict)
    return dict(marked)


def lasting_until(placed: list[ScheduleItem], tz) -> dict[int, dt.datetime]:
    """Return when each placed item ends (keyed by ``id(item)``): its end, or for an
    open-ended one the start of the next item in its room (in any room, for one in all
    rooms; an item in all rooms ends one in a room too), else the end of its day."""
    ends: dict[int, dt.datetime] = {}
    for item in placed:
        if item.end is not None:
            ends[id(item)] = item.end
            continue
        local = timezone.localtime(item.start, tz)
        until = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        for other in placed:
            if (
                other.start > item.start
                and other.start < until
                and (item.room_id is None or other.room_id in (None, item.room_id))
            ):
                until = other.start
        ends[id(item)] = until
    return ends


def _overlapping_pairs(
    items: list[ScheduleItem], ends: dict[int, dt.datetime]
) -> Iterator[tuple[ScheduleItem, ScheduleItem]]:
    """Yield each overlapping pair of items sorted by start: O(n log n + pairs), one pass."""
    active: list[ScheduleItem] = []
    for item in items:
        # What ended by this start can overlap nothing later: items come in start order.
        active = [other for other in active if ends[id(other)] > item.start]
        for other in active:
            yield other, item
        active.append(item)


def _outside_dates(item: ScheduleItem, end: dt.datetime, workshop: Workshop) -> bool:
    if workshop.start_date is None:
        return False
    first_day = timezone.localtime(item.start, workshop.tz).date()
    # An item ending at 00:00 ends on the day before, not on the day its end names.
    last_day = (timezone.localtime(end, workshop.tz) - dt.timedelta(microseconds=1)).date()
    return first_day < workshop.start_date or last_day > workshop.last_date


def _day_outside_dates(day: dt.date, workshop: Workshop) -> bool:
    return workshop.start_date is not None and not (
        workshop.start_date <= day <= workshop.last_date
    )


def _dates_conflict(item: ScheduleItem, workshop: Workshop) -> Conflict:
    dates = date_range(workshop.start_date, workshop.end_date)
    slot = (
        format_day_slot(item.day, None)
        if item.all_day
        else format_slot(item.start, item.end, None, workshop.tz)
    )
    return Conflict(
        kind=ConflictKind.DATES,
        message=f"“{item.display_title}” ({slot}) is outside the workshop's dates ({dates}).",
        item_ids=(item.pk,),
    )


def _room_conflict(first: ScheduleItem, second: ScheduleItem, ends, tz) -> Conflict:
    return Conflict(
        kind=ConflictKind.ROOM,
        message=(
            f"“{first.display_title}” and “{second.display_title}” overlap in "
            f"{first.room.name} ({_overlap(first, second, ends, tz)})."
        ),
        item_ids=(first.pk, second.pk),
    )


def _plenary_conflict(first: ScheduleItem, second: ScheduleItem, ends, tz) -> Conflict:
    plenary, other = (first, second) if first.room_id is None else (second, first)
    where = f"in {other.room.name}" if other.room_id else "also in all rooms"
    return Conflict(
        kind=ConflictKind.PLENARY,
        message=(
            f"“{plenary.display_title}” is for all rooms but “{other.display_title}” runs "
            f"{where} at the same time ({_overlap(first, second, ends, tz)})."
        ),
        item_ids=(first.pk, second.pk),
    )


def _speaker_conflict(speaker: SpeakerProfile, first, second, ends, tz) -> Conflict:
    return Conflict(
        kind=ConflictKind.SPEAKER,
        message=(
            f"{speaker.name} is in “{first.display_title}” and “{second.display_title}” "
            f"at once ({_overlap(first, second, ends, tz)})."
        ),
        item_ids=(first.pk, second.pk),
    )


def _overlap(first: ScheduleItem, second: ScheduleItem, ends, tz) -> str:
    end = min(ends[id(first)], ends[id(second)])
    return format_slot(max(first.start, second.start), end, None, tz)


# Display


def describe_slot(
    *, day: dt.date | None, start: dt.datetime | None, end: dt.datetime | None, room, tz
) -> str:
    """The one wording of an item's slot: “Tue 4 March, 10:00–10:30, Room A”, “Tue 4 March,
    all day”, or “not placed”; ``room`` None leaves the room out, "" says “all rooms”."""
    if start is not None:
        return format_slot(start, end, room, tz)
    if day is not None:
        return format_day_slot(day, room)
    return "not placed"


def format_day_slot(day: dt.date, room: str | None) -> str:
    """Return “Tue 4 March, all day, Room A” for an all-day item (no room: all rooms)."""
    when = f"{date_format(day, 'D j F')}, all day"
    return when if room is None else f"{when}, {room or 'all rooms'}"


def format_slot(start: dt.datetime, end: dt.datetime | None, room: str | None, tz) -> str:
    """Return “Tue 4 March, 10:00–10:30, Room A” (“Tue 4 March, from 17:00” without an end)
    with the times in ``tz``."""
    start = timezone.localtime(start, tz)
    if end is None:
        when = f"{date_format(start, 'D j F')}, from {start:%H:%M}"
        return when if room is None else f"{when}, {room or 'all rooms'}"
    end = timezone.localtime(end, tz)
    if start.date() == end.date() or end == dt.datetime.combine(
        start.date() + dt.timedelta(days=1), dt.time(0), tzinfo=tz
    ):
        when = f"{date_format(start, 'D j F')}, {start:%H:%M}–{end:%H:%M}"
    else:
        when = (
            f"{date_format(start, 'D j F')}, {start:%H:%M} – "
            f"{date_format(end, 'D j F')}, {end:%H:%M}"
        )
    if room is None:
        return when
    return f"{when}, {room or 'all rooms'}"
