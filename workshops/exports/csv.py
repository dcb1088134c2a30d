"""The programme as CSV, one row per placed item, for spreadsheets."""

from __future__ import annotations

import csv
import io

from workshops.exports import talk_url_prefix
from workshops.public_schedule import Timetable, item_guid

HEADER = (
    "date", "start", "end", "duration_minutes", "kind", "title", "speakers", "room",
    "abstract", "url", "guid",
)  # fmt: skip
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def programme_csv(timetable: Timetable) -> bytes:
    """Return the placed items in time order, times in the workshop's zone, UTF-8 with a BOM
    (without it Excel reads accented names as Latin-1)."""
    workshop = timetable.workshop
    prefix = talk_url_prefix(workshop)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for entry in timetable.entries:
        writer.writerow(
            (
                entry.start.date().isoformat(),
                f"{entry.start:%H:%M}",
                f"{entry.end:%H:%M}",
                int(entry.duration.total_seconds() // 60),
                entry.kind_label,
                _cell(entry.display_title),
                _cell("; ".join(str(s) for s in entry.speakers)),
                _cell(entry.room_name),
                _cell(entry.abstract),
                f"{prefix}{entry.id}/",
                item_guid(workshop.pk, entry.id),
            )
        )
    return ("\ufeff" + out.getvalue()).encode()


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
