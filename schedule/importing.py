"""A programme from a spreadsheet: read (CSV, XLSX, or a frab schedule.xml/json from pretalx,
Indico or an earlier edition), planned row by row, then written at once.

``plan_import`` reads the table and says, for every row, what it would create and what is
wrong with it (an unknown day, a time that is no time, an end before the start, two rows in
one room at once, an unknown kind) and how each speaker is matched: an existing profile, a new
one, or several that could be meant (the organizer chooses). It writes nothing.
``apply_import`` writes a plan that has no error, all in one transaction.

Columns are found by their header, in any order and case: day (or date), start, end (may be
empty: open-ended), title, kind (guessed from the title when empty: “Coffee break” is a break,
“Lunch” a meal, “Poster session” a poster session), speakers (“Name (Affiliation); Name”), and
room. A row with a day and nothing else starts that day (as the day headings of a printed
programme do); a row without a day is on the day of the row before. A start cell may hold the
whole slot (“13:45-14:00”).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from schedule import services
from schedule.models import Room, ScheduleItem, skipped_by_the_clocks
from workshops.models import SpeakerProfile, Workshop, folded

MAX_ROWS = 2000
MAX_BYTES = 2_000_000
HEADERS = {
    "day": ("day", "date"),
    "start": ("start", "from", "time", "begin"),
    "end": ("end", "until", "to"),
    "title": ("title", "session", "item", "what"),
    "kind": ("kind", "type"),
    "speakers": ("speakers", "speaker", "presenter", "presenters", "by"),
    "room": ("room", "where", "location"),
}
Kind = ScheduleItem.Kind
# First match wins: “Lunch break” is a meal, “Farewell coffee break” a break, “Cocktail +
# posters” a social event.
GUESSES = (
    (r"lunch|dinner|breakfast|\bmeal\b|banquet", Kind.MEAL),
    (r"coffee|\bbreak\b|\bpause\b", Kind.BREAK),
    (r"registration|check-in", Kind.REGISTRATION),
    (r"opening|welcome remarks|\bwelcome\b", Kind.OPENING),
    (r"closing|farewell|wrap-up", Kind.CLOSING),
    (r"spotlight", Kind.SPOTLIGHT),
    (r"cocktail|reception|social|excursion|\btour\b", Kind.SOCIAL),
    (r"poster", Kind.POSTER_SESSION),
    (r"keynote", Kind.KEYNOTE),
    (r"tutorial", Kind.TUTORIAL),
)
TIME = re.compile(r"^\s*(\d{1,2})(?:[:h.](\d{2}))?\s*([ap]\.?m\.?)?\s*$", re.IGNORECASE)
HEADING = re.compile(r"[(*\s]*(day\s*\d+)?[)*\s]*")  # empty, or “(Day 1)”
SLOT = re.compile(r"^\s*(.+?)\s*[-–—]\s*(.+?)\s*$")
MONTHS = {
    name: n
    for n, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class TableError(Exception):
    """The table cannot be read at all (``str(exc)`` says why)."""


@dataclass
class SpeakerMatch:
    name: str
    affiliation: str
    key: str  # the choice's form field: one per distinct name
    candidates: list[SpeakerProfile] = field(default_factory=list)
    profile: SpeakerProfile | None = None  # chosen or the only match; None: a new profile
    choice: str = ""  # what the organizer chose among several: a profile's pk, or "new"

    @property
    def choosable(self) -> bool:
        """Several profiles carry the name (the page keeps offering the choice)."""
        return len(self.candidates) > 1 and not self.by_affiliation

    by_affiliation: bool = False

    @property
    def status(self) -> str:
        if self.profile is not None:
            return "existing"
        if self.choosable and self.choice != "new":
            return "ambiguous"
        return "new"


@dataclass
class PlannedRow:
    line: int  # in the table, the header being line 1
    day: dt.date | None = None
    start: dt.time | None = None
    end: dt.time | None = None
    title: str = ""
    kind: str = Kind.TALK
    kind_guessed: bool = False
    speakers: list[SpeakerMatch] = field(default_factory=list)
    room: str = ""
    room_is_new: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def slot(self) -> str:
        if self.day is None:
            return ""
        if self.start is None:
            return f"{date_format(self.day, 'D j M')}, all day"
        when = f"{date_format(self.day, 'D j M')}, {self.start:%H:%M}"
        return f"{when}–{self.end:%H:%M}" if self.end else f"{when}, open-ended"


@dataclass
class Plan:
    rows: list[PlannedRow]
    problems: list[str] = field(default_factory=list)  # about the table as a whole

    @property
    def errors(self) -> int:
        return len(self.problems) + sum(len(row.errors) for row in self.rows)

    @property
    def first_error_line(self) -> int | None:
        return next((row.line for row in self.rows if row.errors), None)

    @property
    def unresolved(self) -> list[SpeakerMatch]:
        seen = {m.key: m for row in self.rows for m in row.speakers if m.status == "ambiguous"}
        return list(seen.values())

    @property
    def ready(self) -> bool:
        return bool(self.rows) and not self.errors and not self.unresolved

    @property
    def new_rooms(self) -> list[str]:
        return list(dict.fromkeys(row.room for row in self.rows if row.room_is_new))

    @property
    def new_speakers(self) -> list[str]:
        names = (m.name for r in self.rows for m in r.speakers if m.status == "new")
        return list(dict.fromkeys(names))


# Reading


def table_text(upload, tz: dt.tzinfo) -> str:
    """Return an uploaded CSV, XLSX or frab schedule (XML or JSON, as pretalx, Indico and our
    own exports write them; times turned to ``tz``) as CSV text, which the preview carries to
    the import."""
    if upload.size > MAX_BYTES:
        raise TableError(f"The file is larger than {MAX_BYTES // 1_000_000} MB.")
    data = upload.read()
    if data[:4] == b"PK\x03\x04":  # a zip: XLSX
        return _xlsx_as_csv(data)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        head = text.lstrip()[:200]
        if head.startswith("{"):
            return _frab_json_as_csv(text, tz)
        if head.startswith("<"):
            return _frab_xml_as_csv(text, tz)
        return text
    raise TableError("The file is neither UTF-8 nor Windows-1252 text, nor an XLSX workbook.")


FRAB_HEADER = ("day", "start", "end", "title", "kind", "speakers", "room")


def _frab_row(tz, when: str, duration: str, title: str, kind: str, people, room: str):
    try:
        start = dt.datetime.fromisoformat(when)
        # Without an offset, a frab time is the conference's wall clock: this workshop's.
        start = start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)
        hours, minutes = (int(part) for part in duration.split(":")[:2])
    except (TypeError, ValueError, AttributeError):
        raise TableError(f"An event of this schedule has no readable time: {title!r}.") from None
    end = start + dt.timedelta(hours=hours, minutes=minutes)
    labels = {folded(k.label): k.label for k in Kind}
    names = ", ".join(name for name in people if name)
    if names and any(title == f"{k.label} by {names}" for k in Kind):
        title = ""  # what our export writes for an untitled talk ("Talk by Ada Lovelace")
    return (
        start.date().isoformat(),
        f"{start:%H:%M}",
        f"{end:%H:%M}" if end > start else "",
        title,
        labels.get(folded(kind or ""), ""),  # pretalx's own types: guessed from the title
        "; ".join(name for name in people if name),
        "" if room == "All rooms" else room,
    )


def _rows_as_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FRAB_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _frab_json_as_csv(text: str, tz) -> str:
    try:
        days = json.loads(text)["schedule"]["conference"]["days"]
        rows = [
            _frab_row(
                tz,
                event["date"],
                event["duration"],
                event.get("title", ""),
                event.get("type", ""),
                [p.get("public_name") or p.get("name", "") for p in event.get("persons", [])],
                room,
            )
            for day in days
            for room, events in day["rooms"].items()
            for event in events
        ]
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise TableError("This JSON is not a frab schedule (schedule.json).") from None
    return _rows_as_csv(sorted(rows))


def _frab_xml_as_csv(text: str, tz) -> str:
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        raise TableError("This XML cannot be read.") from None
    if root.tag != "schedule":
        raise TableError("This XML is not a frab schedule (schedule.xml).")
    rows = [
        _frab_row(
            tz,
            event.findtext("date", ""),
            event.findtext("duration", ""),
            event.findtext("title", ""),
            event.findtext("type", ""),
            [person.text or "" for person in event.iter("person")],
            room.get("name", ""),
        )
        for room in root.iter("room")
        for event in room.iter("event")
    ]
    return _rows_as_csv(sorted(rows))


def _xlsx_as_csv(data: bytes) -> str:
    import openpyxl  # only for workbooks: it takes a while to import

    out = io.StringIO()
    writer = csv.writer(out)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # Read only the rows a table may have: a small file can unpack into millions.
        for n, values in enumerate(book.worksheets[0].iter_rows(values_only=True)):
            if n > MAX_ROWS or out.tell() > MAX_BYTES:
                raise TableError(f"The workbook has more than {MAX_ROWS} rows.")
            writer.writerow(["" if v is None else _cell(v) for v in values])
    except TableError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError("This is not an XLSX workbook openpyxl can read.") from exc
    return out.getvalue()


def _cell(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else f"{value:%H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    return str(value)


def read_rows(text: str) -> tuple[dict[str, int], list[list[str]]]:
    """Return the columns found (name → index) and the data rows."""
    if len(text) > MAX_BYTES:
        raise TableError(f"The table is larger than {MAX_BYTES // 1_000_000} MB.")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.reader(io.StringIO(text), dialect)
        rows = [row for row in reader if any(c.strip() for c in row)]
    except csv.Error as exc:  # a stray quote that runs past the field limit, a NUL
        raise TableError(f"The table cannot be read as CSV ({exc}).") from None
    if not rows:
        raise TableError("The table is empty.")
    columns = {}
    for index, header in enumerate(rows[0]):
        name = folded(header).strip(" *:")
        for column, names in HEADERS.items():
            if name in names and column not in columns:
                columns[column] = index
    missing = [c for c in ("start", "title") if c not in columns]
    if missing:
        known = ", ".join(names[0] for names in HEADERS.values())
        raise TableError(
            f"No {' or '.join(missing)} column in the first row. The columns it may name: {known}."
        )
    if len(rows) - 1 > MAX_ROWS:
        raise TableError(f"The table has more than {MAX_ROWS} rows.")
    return columns, rows[1:]


# Planning


def plan_import(
    workshop: Workshop, text: str, *, user, choices: dict[str, str] | None = None
) -> Plan:
    """Plan the table's rows for ``workshop``; write nothing. ``choices`` maps a speaker's key
    to a profile's pk (or "new") for names that several profiles carry."""
    try:
        columns, data = read_rows(text)
    except TableError as exc:
        return Plan(rows=[], problems=[str(exc)])
    choices = choices or {}
    rooms = {folded(room.name): room for room in workshop.rooms.all()}
    profiles = _profiles_by_name(user)
    days = workshop.days()
    plan = Plan(rows=[])
    current_day: dt.date | None = None
    for line, cells in enumerate(data, start=2):

        def cell(column: str, cells=cells) -> str:
            index = columns.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row = PlannedRow(line=line)
        if cell("day"):
            row.day = _day(cell("day"), workshop, days)
            if row.day is None or (days and row.day not in days):
                row.errors.append(f"Unknown day “{cell('day')}”: {_days_hint(days)}.")
                row.day = None
            elif not cell("start") and HEADING.fullmatch(folded(cell("title"))):
                current_day = row.day  # a day heading (“Tue 26 Nov … (Day 1)”)
                continue
            current_day = row.day or current_day
        elif not (cell("start") or cell("title")):
            continue
        else:
            row.day = current_day
            if row.day is None:
                row.errors.append("No day: give one on this row or a row above.")
        _times(row, cell("start"), cell("end"))
        _on_the_clock(row, workshop)
        row.title = cell("title")[:300]
        _kind(row, cell("kind"))
        row.speakers = [
            _match(name, affiliation, profiles, choices)
            for name, affiliation in _speakers(cell("speakers"))
        ]
        if name := cell("room"):
            room = rooms.get(folded(name))
            row.room = room.name if room else name[:150]
            row.room_is_new = room is None
        if not row.title and not row.speakers:
            if row.kind_guessed:
                row.errors.append("No title, kind or speaker: what is this row?")
            else:
                row.title = Kind(row.kind).label  # “Lunch” from a kind column alone
        plan.rows.append(row)
    _overlaps(plan.rows)
    for row in _already_there([r for r in plan.rows if not r.errors], workshop):
        row.errors.append("Already in the schedule, at this time with this title.")
    if not plan.rows and not plan.problems:
        plan.problems.append("No row with a time or a title below the header.")
    return plan


def _day(value: str, workshop: Workshop, days: list[dt.date]) -> dt.date | None:
    text = folded(value).strip("* ")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    if match := re.fullmatch(r"(?:day\s*)?(\d{1,2})", text):
        index = int(match[1]) - 1
        return days[index] if 0 <= index < len(days) else None
    if match := re.search(r"(\d{1,2})\s+([a-z]{3})", text):  # "Tue 26 Nov", "26 November"
        month = MONTHS.get(match[2])
        year = (workshop.start_date or timezone.localdate()).year
        if month:
            try:
                return dt.date(year, month, int(match[1]))
            except ValueError:
                return None
    weekday = [d for d in days if WEEKDAYS[d.weekday()] == text[:3]]
    return weekday[0] if len(weekday) == 1 else None


def _days_hint(days: list[dt.date]) -> str:
    if not days:
        return "give dates as 2030-03-04 (the workshop has no dates yet)"
    first, last = date_format(days[0], "D j M"), date_format(days[-1], "D j M")
    return f"the workshop runs {first} – {last} (write a date, “Day 1”, or “{first}”)"


def _time(value: str) -> dt.time | None:
    match = TIME.match(value)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        return None
    return dt.time(0) if hour == 24 else dt.time(hour, minute)


def _times(row: PlannedRow, start: str, end: str) -> None:
    if not end and (slot := SLOT.match(start)):
        start, end = slot[1], slot[2]
    if not start:
        if end:
            row.errors.append("An end and no start: give the start (or neither, for all day).")
        return  # neither: all day on its day
    row.start = _time(start)
    if row.start is None:
        row.errors.append(f"“{start}” is not a time (write 09:30 or 9:30 am).")
    if end:
        row.end = _time(end)
        if row.end is None:
            row.errors.append(f"“{end}” is not a time (write 10:15, or leave it empty).")
    if row.start and row.end and row.end <= row.start and row.end != dt.time(0):
        row.errors.append(f"It ends ({row.end:%H:%M}) before it starts ({row.start:%H:%M}).")


def _on_the_clock(row: PlannedRow, workshop: Workshop) -> None:
    """Refuse a time the workshop's clocks skip that day (the spring change: 02:30)."""
    if row.day is None:
        return
    for moment in (row.start, row.end):
        if moment is None or moment == dt.time(0):
            continue
        if skipped_by_the_clocks(workshop.local_datetime(row.day, moment)):
            row.errors.append(
                f"{moment:%H:%M} does not exist on {date_format(row.day, 'D j M')} in "
                f"{workshop.time_zone}: the clocks change that night."
            )


def _already_there(rows: list[PlannedRow], workshop: Workshop) -> list[PlannedRow]:
    """The rows whose item exists, same time and title: the table was imported before (or
    a double click sent it twice)."""
    existing = set(
        ScheduleItem.objects.filter(workshop=workshop)
        .filter(Q(start__isnull=False) | Q(day__isnull=False))
        .values_list("start", "end", "day", "title")
    )
    return [row for row in rows if row.day and _slot_key(row, workshop) in existing]


def _slot_key(row: PlannedRow, workshop: Workshop) -> tuple:
    if row.start is None:
        return (None, None, row.day, row.title)
    return (*workshop.local_span(row.day, row.start, row.end), None, row.title)


def _kind(row: PlannedRow, value: str) -> None:
    if value:
        wanted = folded(value)
        for kind in Kind:
            if wanted in (kind.value, folded(kind.label)):
                row.kind = kind.value
                return
        known = ", ".join(kind.label for kind in Kind)
        row.errors.append(f"Unknown kind “{value}”; the kinds are: {known}.")
        return
    title = folded(row.title)
    row.kind_guessed = True
    for pattern, kind in GUESSES:
        if re.search(pattern, title):
            row.kind = kind.value
            return
    row.kind = Kind.TALK.value


def _speakers(value: str) -> list[tuple[str, str]]:
    found = []
    for part in re.split(r"[;\n]", value):
        part = " ".join(part.split())
        if not part:
            continue
        if match := re.fullmatch(r"(.+?)\s*\((.*)\)", part):
            found.append((match[1][:200], match[2].strip()[:250]))
        else:
            found.append((part[:200], ""))
    return found


def _profiles_by_name(user) -> dict[str, list[SpeakerProfile]]:
    by_name: dict[str, list[SpeakerProfile]] = {}
    for profile in SpeakerProfile.objects.selectable_by(user).order_by("pk"):
        by_name.setdefault(folded(profile.name), []).append(profile)
    return by_name


def _match(name, affiliation, profiles, choices) -> SpeakerMatch:
    # Stable across processes (the preview and the import may be served by two workers).
    key = "speaker-" + hashlib.sha256(folded(name).encode()).hexdigest()[:12]
    candidates = profiles.get(folded(name), [])
    match = SpeakerMatch(name=name, affiliation=affiliation, key=key, candidates=candidates)
    if affiliation and len(candidates) > 1:
        same = [c for c in candidates if folded(c.affiliation) == folded(affiliation)]
        if len(same) == 1:
            match.profile, match.by_affiliation = same[0], True
            return match
    chosen = choices.get(key, "")
    if len(candidates) == 1:
        match.profile = candidates[0]
    elif chosen == "new":
        match.choice = "new"  # someone else of that name: a new profile
    elif chosen:
        match.profile = next((c for c in candidates if str(c.pk) == chosen), None)
        match.choice = str(match.profile.pk) if match.profile else ""
    return match


def _overlaps(rows: list[PlannedRow]) -> None:
    placed = [r for r in rows if r.day and r.start and not r.errors]
    for index, row in enumerate(placed):
        for earlier in placed[:index]:
            if earlier.day != row.day or folded(earlier.room) != folded(row.room):
                continue
            if _span(earlier)[0] < _span(row)[1] and _span(row)[0] < _span(earlier)[1]:
                where = f"in {row.room}" if row.room else "(both in all rooms)"
                row.errors.append(f"Overlaps line {earlier.line} “{earlier.title}” {where}.")
                break


def _span(row: PlannedRow) -> tuple[int, int]:
    start = row.start.hour * 60 + row.start.minute
    if row.end is None:
        return start, start + 1  # open-ended: only its start can clash with a row
    end = row.end.hour * 60 + row.end.minute
    return start, end or 24 * 60


# Writing


@transaction.atomic
def apply_import(workshop: Workshop, plan: Plan, *, user=None) -> list[ScheduleItem]:
    """Create the plan's rooms, new speakers and items in one transaction; return the items.
    ``user``: who imports (recorded on the profiles made for new speakers)."""
    if not plan.ready:
        raise services.ScheduleError("The table still has errors or speakers to choose.")
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if _already_there(plan.rows, workshop):  # under the lock: a second click finds the first's
        raise services.ScheduleError(
            "Some of these items are in the schedule already: the table was imported before."
        )
    rooms = {folded(room.name): room for room in workshop.rooms.all()}
    order = max(workshop.schedule_items.values_list("order", flat=True), default=0)
    made: dict[tuple[str, str], SpeakerProfile] = {}
    items = []
    for row in plan.rows:
        room = None
        if row.room:
            room = rooms.get(folded(row.room))
            if room is None:
                room = rooms[folded(row.room)] = Room.objects.create(
                    workshop=workshop, name=row.room, order=len(rooms)
                )
        if row.start is None:  # all day
            start = end = None
        else:
            start, end = workshop.local_span(row.day, row.start, row.end)
        order += 1
        item = ScheduleItem(
            workshop=workshop,
            kind=row.kind,
            title=row.title,
            start=start,
            end=end,
            day=row.day if start is None else None,
            room=room,
            order=order,
        )
        item.full_clean()
        item.save()
        speakers = []
        for match in row.speakers:
            person = (folded(match.name), folded(match.affiliation))
            profile = match.profile or made.get(person)
            if profile is None:
                profile = made[person] = services.new_speaker_profile(
                    workshop, name=match.name, affiliation=match.affiliation, user=user
                )
            speakers.append(profile)
        services.set_item_speakers(item, speakers)
        items.append(item)
    return items
