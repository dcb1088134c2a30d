"""The programme as CSV, one row per placed item, for spreadsheets."""

from __future__ import annotations

from schedule.exports import talk_url_prefix
from schedule.timetable import KIND_LABELS, Timetable, clock, item_guid
from workshops.spreadsheet import csv_bytes

HEADER = (
    "date", "start", "end", "duration_minutes", "kind", "title", "speakers", "room",
    "abstract", "url", "guid",
)  # fmt: skip


def programme_csv(timetable: Timetable) -> bytes:
    """Return the placed items in time order, times in the workshop's zone, UTF-8 with a BOM;
    an open-ended item's end and duration are empty, an all-day item's start too."""
    workshop = timetable.workshop
    prefix = talk_url_prefix(workshop)
    rows = [HEADER]
    for entry in timetable.entries:
        start, end = entry.start, entry.end
        rows.append(
            (
                start.date().isoformat(),
                "" if entry.all_day else clock(start),
                clock(end) if end else "",
                int((end - start).total_seconds() // 60) if end else "",
                KIND_LABELS.get(entry.kind, entry.kind),
                entry.title or entry.display_title,
                "; ".join(str(s) for s in entry.speakers),
                entry.where,
                entry.abstract,
                f"{prefix}{entry.id}/",
                item_guid(workshop.pk, entry.id),
            )
        )
    return csv_bytes(rows)
