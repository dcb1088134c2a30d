"""The programme as CSV, one row per placed item, for spreadsheets."""

from __future__ import annotations

from workshops.exports import talk_url_prefix, utf8
from workshops.public_schedule import KIND_LABELS, Timetable, clock, item_guid

HEADER = (
    "date", "start", "end", "duration_minutes", "kind", "title", "speakers", "room",
    "abstract", "url", "guid",
)  # fmt: skip
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # without it Excel reads accented names as Latin-1


def programme_csv(timetable: Timetable) -> bytes:
    """Return the placed items in time order, times in the workshop's zone, UTF-8 with a BOM.

    Written as the csv module's default (``excel``) dialect writes it, a row per f-string: the
    csv writer took half of the time, looking at every character of the abstracts twice.
    """
    workshop = timetable.workshop
    prefix = talk_url_prefix(workshop)
    out = [BOM, ",".join(HEADER), "\r\n"]
    for entry in timetable.entries:
        start, end = entry.start, entry.end
        speakers = "; ".join([str(s) for s in entry.speakers])
        out.append(
            f"{start.date().isoformat()},{clock(start)},{clock(end)},"
            f"{int((end - start).total_seconds() // 60)},"
            f"{_field(KIND_LABELS.get(entry.kind, entry.kind))},"
            f"{_cell(entry.title or entry.display_title)},{_cell(speakers)},"
            f"{_cell(entry.room_name)},{_cell(entry.abstract)},{_field(f'{prefix}{entry.id}/')},"
            f"{item_guid(workshop.pk, entry.id)}\r\n"
        )
    return utf8(out)


def _cell(value: str) -> str:
    """Return the field for text that people typed: a formula is shown as text."""
    return _field(f"'{value}" if value.startswith(FORMULA_STARTS) else value)


def _field(value: str) -> str:
    """Return the value as a CSV field (the ``excel`` dialect, csv.QUOTE_MINIMAL): quoted when
    it holds a comma, a quote or a line break, its quotes doubled."""
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return f'"{value}"'
    return value
