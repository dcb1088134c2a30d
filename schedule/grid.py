"""The schedule as a grid for one day: rooms as columns, time down the side at a chosen step,
each item a block as long as it lasts, items without a room across every room's column, and
the day's all-day items (a day, no times) in a strip above.

Pure layout (no query, no request): ``day_grid`` places the items it is given, the view draws
what it returns. An open-ended item runs to the grid's end, drawn faded; an item that does
not fit the step still covers the rows it touches.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.utils import timezone

from schedule.conflicts import Conflict, conflicts_by_item
from schedule.models import Room, ScheduleItem

STEPS = (5, 10, 15, 30)
DEFAULT_STEP = 15
ALL_ROOMS = "All rooms"
EMPTY_DAY = (dt.time(9), dt.time(18))  # the hours a day without items shows


@dataclass
class Block:
    item: ScheduleItem
    row: int  # first grid row (1 is the header)
    rows: int  # how many rows it covers
    column: int  # first grid column (1 is the time)
    columns: int  # 1, or every room's column for an item in all rooms
    when: str  # "09:00–09:30", or "from 17:00"
    open_ended: bool
    start: str  # "HH:MM", where a drag of its edge keeps it
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def style(self) -> str:
        return (
            f"grid-row: {self.row} / span {self.rows}; "
            f"grid-column: {self.column} / span {self.columns};"
        )


@dataclass
class TimeLabel:
    row: int
    text: str

    @property
    def style(self) -> str:
        return f"grid-row: {self.row}; grid-column: 1;"


@dataclass(frozen=True)
class Cell:
    """A slot to drop an item on: a row's start time in one room's column."""

    row: int
    column: int
    start: str  # "HH:MM"
    end: str  # "HH:MM" a step later ("00:00" at midnight): a block's edge dropped here ends it
    room: str  # the room's pk, or "" for all rooms

    @property
    def style(self) -> str:
        return f"grid-row: {self.row}; grid-column: {self.column};"


@dataclass
class DayGrid:
    day: dt.date
    step: int
    rooms: list[str]  # column headers after the time column: "All rooms", then the rooms
    times: list[TimeLabel]
    blocks: list[Block]
    rows: int
    cells: list[Cell] = field(default_factory=list)
    all_day: list[ScheduleItem] = field(default_factory=list)  # the day's items without times

    @property
    def style(self) -> str:
        rooms = len(self.rooms) - 1
        columns = (
            f"4.5em minmax(6em, 0.6fr) repeat({rooms}, minmax(9em, 1fr))"
            if rooms
            else "4.5em minmax(9em, 1fr)"
        )
        return (
            f"grid-template-columns: {columns}; "
            f"grid-template-rows: 2.2em repeat({self.rows - 1}, minmax(1.4em, auto));"
        )

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [(name, f"grid-row: 1; grid-column: {n};") for n, name in enumerate(self.rooms, 2)]


def day_grid(
    day: dt.date,
    items: list[ScheduleItem],
    rooms: list[Room],
    conflicts: list[Conflict],
    *,
    tz,
    step: int = DEFAULT_STEP,
) -> DayGrid:
    """Lay out the placed ``items`` that start on ``day`` (in ``tz``)."""
    step = step if step in STEPS else DEFAULT_STEP
    on_day = [
        i for i in items if i.start is not None and timezone.localtime(i.start, tz).date() == day
    ]
    # The first column is the "all rooms" band (drop an item there to take it out of its
    # room); an item without a room spans it and every room's column.
    columns = {room.pk: n for n, room in enumerate(rooms, start=3)}
    names = [ALL_ROOMS, *(room.name for room in rooms)] if rooms else [ALL_ROOMS]
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)

    def minutes(moment: dt.datetime) -> int:
        return int((timezone.localtime(moment, tz) - midnight).total_seconds() // 60)

    if on_day:
        first = min(minutes(i.start) for i in on_day)
        last = max(minutes(i.end) if i.end else minutes(i.start) + 60 for i in on_day)
    else:
        first, last = (t.hour * 60 for t in EMPTY_DAY)
    top = first // 60 * 60
    # An hour past the last item's end: room to add what comes after it.
    bottom = min(math.ceil(last / 60) * 60 + 60, 24 * 60)
    rows = (bottom - top) // step
    marked = conflicts_by_item(conflicts)
    blocks = []
    for item in on_day:
        start = minutes(item.start)
        end = min(minutes(item.end), 24 * 60) if item.end else bottom
        column, span = (columns[item.room_id], 1) if item.room_id in columns else (2, len(names))
        first_row = 2 + (start - top) // step
        last_row = 2 + max(math.ceil((end - top) / step), (start - top) // step + 1)
        local = timezone.localtime(item.start, tz)
        when = f"{local:%H:%M}–{timezone.localtime(item.end, tz):%H:%M}" if item.end else ""
        blocks.append(
            Block(
                item=item,
                row=first_row,
                rows=last_row - first_row,
                column=column,
                columns=span,
                when=when or f"from {local:%H:%M}",
                open_ended=item.end is None,
                start=f"{local:%H:%M}",
                conflicts=marked.get(item.pk, []),
            )
        )
    times = [
        TimeLabel(row=2 + n, text=_hhmm(top + n * step))
        for n in range(rows)
        if (top + n * step) % max(step, 15) == 0
    ]
    room_keys = ["", *(str(room.pk) for room in rooms)]
    cells = [
        Cell(
            row=2 + n,
            column=2 + c,
            start=_hhmm(top + n * step),
            end=_hhmm(top + (n + 1) * step),
            room=key,
        )
        for n in range(rows)
        for c, key in enumerate(room_keys)
    ]
    return DayGrid(
        day=day,
        step=step,
        rooms=names,
        times=times,
        blocks=blocks,
        rows=rows + 1,
        cells=cells,
        all_day=[i for i in items if i.all_day and i.day == day],
    )


def _hhmm(minutes: int) -> str:
    """Minutes after midnight as a clock time; the midnight that ends the day is 00:00."""
    minutes %= 24 * 60
    return f"{minutes // 60:02}:{minutes % 60:02}"
