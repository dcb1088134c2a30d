"""The schedule page's day sections, rendered in Python rather than with the template engine.

The template engine needs about 28 ms for the 300 talks of the benchmark workshop, this code
about 2 ms; the result is cached either way, but the first visitor after every change (and
every export) waits for it. Everything interpolated goes through ``escape``.
"""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString, mark_safe

from workshops.public_schedule import Day, Entry, Timetable


def day_anchor(day: Day) -> str:
    return f"day-{day.date.isoformat()}"


def day_label(day: Day) -> str:
    return format_date(day.date, "D j M")


def render_timetable(timetable: Timetable) -> SafeString:
    """Return the day navigation and one section per day, with a table of its items."""
    if not timetable.days:
        return mark_safe("")
    base = reverse("workshops:schedule", kwargs={"slug": timetable.workshop.slug})
    with_rooms = timetable.has_rooms
    out = [
        '<nav aria-label="Days" class="schedule-day-nav bg-body mb-3"><ul class="nav nav-pills">'
    ]
    out += [
        f'<li class="nav-item"><a class="nav-link" href="#{day_anchor(day)}">'
        f"{escape(day_label(day))}</a></li>"
        for day in timetable.days
    ]
    out.append("</ul></nav>")
    room_head = '<th scope="col">Room</th>' if with_rooms else ""
    for day in timetable.days:
        anchor = day_anchor(day)
        out.append(
            f'<section class="schedule-day mb-4" id="{anchor}" aria-labelledby="{anchor}-h" '
            f'data-testid="schedule-day" data-date="{day.date.isoformat()}">'
            f'<h2 class="h4" id="{anchor}-h">{escape(day_label(day))} '
            f'<span class="text-body-secondary fw-normal">(Day {day.index})</span></h2>'
            '<div class="table-responsive"><table class="table table-sm align-middle '
            'schedule-table"><thead><tr><th scope="col" class="schedule-time">Time</th>'
            f'<th scope="col">Session</th>{room_head}</tr></thead><tbody>'
        )
        out += [_row(entry, base, with_rooms) for entry in day.entries]
        out.append("</tbody></table></div></section>")
    return mark_safe("".join(out))


def _row(entry: Entry, base: str, with_rooms: bool) -> str:
    classes = f"schedule-row schedule-row-{entry.kind}"
    if entry.is_break:
        classes += " schedule-row-break"
    time_cell = (
        f'<td class="schedule-time text-nowrap">{time_tag(entry.start)}–{time_tag(entry.end)}</td>'
    )
    if entry.is_break:
        session = f'<span class="schedule-title">{escape(entry.display_title)}</span>'
    else:
        if entry.title:
            title = escape(entry.title)
        else:
            title = f'<span class="fst-italic">{escape(entry.kind_label)}</span>'
        session = f'<a class="schedule-title" href="{base}{entry.id}/">{title}</a>'
        if entry.kind not in ("talk", "other"):
            session += (
                f' <span class="badge schedule-kind schedule-kind-{entry.kind}">'
                f"{escape(entry.kind_label)}</span>"
            )
    if entry.speakers:
        names = ", ".join(
            f'<span class="schedule-speaker">{escape(s.name)}'
            + (f' <span class="text-body-secondary">({escape(s.affiliation)})</span>'
               if s.affiliation else "")
            + "</span>"
            for s in entry.speakers
        )  # fmt: skip
        session += f'<div class="schedule-speakers">{names}</div>'
    room = f'<td class="text-nowrap">{escape(entry.room_name)}</td>' if with_rooms else ""
    return f'<tr class="{classes}">{time_cell}<td>{session}</td>{room}</tr>'


def time_tag(moment) -> str:
    """A ``<time>`` that localtime.js can show in the visitor's zone."""
    return f'<time datetime="{moment.isoformat()}" data-time>{moment:%H:%M}</time>'
