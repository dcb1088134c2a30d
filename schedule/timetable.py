"""The schedule as the public pages and the exports read it: a release's snapshot.

A release keeps its items as plain data (``schedule.changes.take_snapshot``); ``timetable``
turns that data into the objects every renderer shares (pages, iCalendar, frab XML and JSON,
CSV), its times in the workshop's zone. The organizer's preview builds the same objects from
the live items (``take_snapshot`` of them), so what the preview shows is what publishing shows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import OuterRef, Q, Subquery
from django.utils.safestring import mark_safe

from schedule.models import ScheduleItem, ScheduleRelease
from workshops.models import SpeakerAppearance, SpeakerProfile, Workshop, surname_key

# Export identities are uuid5 names in this namespace: never change it, schedule apps key
# favourites and reminders on these GUIDs (and calendars their events on the iCal UIDs).
GUID_NAMESPACE = uuid.UUID("6f1e2b9c-3a57-4d0e-9c1b-8a4f2d6e7b30")

KIND_LABELS = dict(ScheduleItem.Kind.choices)


def clock(moment: dt.datetime | dt.time) -> str:
    return f"{moment.hour:02}:{moment.minute:02}"


def midnight_after(moment: dt.datetime) -> dt.datetime:
    """The end of ``moment``'s day, in its zone."""
    return dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time(), moment.tzinfo)


def slot_text(entry: Entry) -> str:
    """“09:00–09:30”, “from 17:00” for an open-ended item, “all day” for an all-day one."""
    if entry.all_day:
        return "all day"
    if entry.end is None:
        return f"from {clock(entry.start)}"
    return f"{clock(entry.start)}–{clock(entry.end)}"


def item_guid(workshop_pk: int, item_pk: int) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"workshop:{workshop_pk}:item:{item_pk}"))


def room_guid(workshop_pk: int, room_pk: int | None) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"workshop:{workshop_pk}:room:{room_pk or 'all'}"))


@dataclass(slots=True)
class Speaker:
    id: int
    name: str
    affiliation: str
    homepage: str
    orcid: str = ""  # releases before ORCIDs were kept have none

    @property
    def links(self) -> list[tuple[str, str]]:
        """(title, URL) of the person's pages: homepage, ORCID record."""
        links = [("Homepage", self.homepage)] if self.homepage else []
        if self.orcid:
            links.append(("ORCID", f"https://orcid.org/{self.orcid}"))
        return links

    def __str__(self) -> str:
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name


@dataclass(slots=True)
class Entry:
    """A placed schedule item, with its times in the workshop's zone.

    ``end`` is None for an open-ended item (“from 17:00”); ``until`` is then what formats that
    need an end are given: the latest end of that day's other items, or the day's midnight
    when none ends after it starts (``timetable`` sets it).

    An all-day item (``all_day``: a day, no times) has no end either; what formats that need
    times are given is the day's programme: ``start`` is when that day's first item starts
    (midnight on a day without timed items), ``until`` when its last one ends.
    """

    id: int
    kind: str
    title: str
    abstract: str
    abstract_html: str  # rendered when the item was saved
    start: dt.datetime
    end: dt.datetime | None
    revision: int
    room_id: int | None
    room_name: str
    speakers: list[Speaker] = field(default_factory=list)
    until: dt.datetime | None = None
    # Where, the same in every page and export (``timetable`` sets them): the room, “All
    # rooms” for an item without one while others have rooms, else the venue's name or "".
    where: str = ""
    location: str = ""  # ``where`` and the venue's name: “Room B, IDMC”
    all_day: bool = False

    def __post_init__(self) -> None:
        if self.until is None:
            self.until = self.end if self.end is not None else midnight_after(self.start)

    @property
    def open_ended(self) -> bool:
        return self.end is None

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
        return self.until - self.start


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
        return max(e.until for e in self.entries)

    @property
    def anchor(self) -> str:
        return f"day-{self.date.isoformat()}"


@dataclass(frozen=True, slots=True)
class Release:
    version: str
    status: str
    published_at: dt.datetime
    notes: str

    @classmethod
    def of(cls, release: ScheduleRelease | None) -> Release | None:
        if release is None:
            return None
        return cls(release.version, release.status, release.published_at, release.notes)


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

    @property
    def status(self) -> str:
        return self.release.status if self.release else self.workshop.schedule_status

    def entry(self, item_id: int) -> Entry | None:
        return next((e for e in self.entries if e.id == item_id), None)


def timetable(workshop: Workshop, snapshot: list[dict], release: Release | None) -> Timetable:
    """Return the snapshot's items as a timetable: by day in the workshop's zone, in time
    order, with the rooms they use (in the rooms' order)."""
    tz = workshop.tz
    rooms: dict[int, tuple[int, RoomInfo]] = {}
    entries = []
    for data in snapshot:
        entries.append(_entry(data, tz))
        room_id = data.get("room_id")
        if room_id is not None and room_id not in rooms:
            info = RoomInfo(room_id, data.get("room", ""), data.get("room_capacity"))
            rooms[room_id] = (data.get("room_order", 0), info)
    # Stable: the snapshot's order within a start; an all-day item (at its day's midnight
    # until the day's first start is known) first in its day.
    entries.sort(key=lambda e: e.start)
    days = [
        Day(index=index, date=date, entries=list(group))
        for index, (date, group) in enumerate(groupby(entries, key=lambda e: e.start.date()), 1)
    ]
    for entry in entries:
        entry.where, entry.location = _where(entry, bool(rooms), workshop.venue_name)
    for day in days:
        timed = [e for e in day.entries if not e.all_day]
        for entry in day.entries:
            if entry.all_day:  # the day's programme, for formats that need times
                entry.start = timed[0].start if timed else entry.start
                entry.until = max((e.until for e in timed), default=midnight_after(entry.start))
            elif entry.end is None:
                later = [e.end for e in timed if e.end is not None and e.end > entry.start]
                entry.until = max(later) if later else midnight_after(entry.start)
    return Timetable(
        workshop=workshop,
        rooms=[room for _, room in sorted(rooms.values(), key=lambda r: (r[0], r[1].id))],
        days=days,
        release=release,
    )


SHARED_ROOM = "All rooms"


def _where(entry: Entry, has_rooms: bool, venue: str) -> tuple[str, str]:
    if entry.room_name:
        return entry.room_name, ", ".join(part for part in (entry.room_name, venue) if part)
    if has_rooms:
        return SHARED_ROOM, ", ".join(part for part in (SHARED_ROOM, venue) if part)
    return venue, venue


def _entry(data: dict, tz: dt.tzinfo) -> Entry:
    if data["start"] is None:  # all day: its day's midnight, until the day's start is known
        start = dt.datetime.combine(dt.date.fromisoformat(data["day"]), dt.time(), tzinfo=tz)
    else:
        start = dt.datetime.fromisoformat(data["start"]).astimezone(tz)
    return Entry(
        id=data["id"],
        kind=data["kind"],
        title=data["title"],
        abstract=data.get("abstract", ""),
        abstract_html=mark_safe(data.get("abstract_html", "")),  # sanitized when saved
        start=start,
        end=dt.datetime.fromisoformat(data["end"]).astimezone(tz) if data.get("end") else None,
        all_day=data["start"] is None,
        revision=data.get("revision", 0),
        room_id=data.get("room_id"),
        room_name=data.get("room", ""),
        speakers=[
            Speaker(
                s["id"],
                s["name"],
                s.get("affiliation", ""),
                s.get("homepage", ""),
                s.get("orcid", ""),
            )
            for s in data.get("speakers", [])
        ],
    )


def release_timetable(release: ScheduleRelease, workshop: Workshop) -> Timetable:
    """The release's timetable, for its ``workshop`` as the caller read it (with its nav)."""
    return timetable(workshop, release.snapshot, Release.of(release))


@dataclass(slots=True)
class ListedTalk:
    title: str
    has_title: bool
    when: str  # "Tue 18 Nov 09:00–09:30, Room", or "" while the schedule is hidden


@dataclass(slots=True)
class ListedSpeaker:
    id: int
    name: str
    affiliation: str
    homepage: str
    orcid: str
    bio_html: str  # rendered when the profile was saved
    photo_url: str
    role_label: str
    talks: list[ListedTalk] = field(default_factory=list)


def speaker_list(workshop: Workshop, released: Timetable | None) -> list[ListedSpeaker]:
    """Return the workshop's speakers, sorted by surname, each with their items in the
    current release (``released``), in two queries: the confirmed ones (live: bios change
    between releases), and everyone on a released item, confirmed or not (the schedule names
    them already; a speaker is never missing here while their talk is on the schedule).

    Times are shown only while the schedule is public (not hidden).
    """
    show_times = workshop.schedule_status != Workshop.ScheduleStatus.HIDDEN
    talks: dict[int, list[ListedTalk]] = {}
    for entry in released.entries if released else ():
        when = ""
        if show_times:
            when = f"{entry.start:%a} {entry.start.day} {entry.start:%b} {slot_text(entry)}"
            if entry.where:
                when += f", {entry.where}"
        for speaker in entry.speakers:
            talks.setdefault(speaker.id, []).append(
                ListedTalk(entry.title or entry.kind_label, bool(entry.title), when)
            )
    roles = SpeakerAppearance.objects.filter(workshop=workshop, speaker=OuterRef("pk"))
    # A hidden schedule names nobody: then only the confirmed speakers are listed.
    on_schedule = list(talks) if show_times else []
    profiles = (
        SpeakerProfile.objects.filter(
            Q(appearances__workshop=workshop, appearances__confirmed=True) | Q(pk__in=on_schedule)
        )
        .annotate(role=Subquery(roles.values("role")[:1]))
        .distinct()
    )
    labels = dict(SpeakerAppearance.Role.choices)
    photos = SpeakerProfile._meta.get_field("photo").storage
    return [
        ListedSpeaker(
            id=speaker.pk,
            name=speaker.name,
            affiliation=speaker.affiliation,
            homepage=speaker.homepage,
            orcid=speaker.orcid,
            bio_html=mark_safe(speaker.bio_html),
            photo_url=photos.url(speaker.photo.name) if speaker.photo else "",
            role_label=labels.get(speaker.role, "Speaker"),
            talks=talks.get(speaker.pk, []),
        )
        for speaker in sorted(profiles, key=lambda s: surname_key(s.name))
    ]
