"""The schedule page's day sections and the speakers list, rendered in Python rather than with
the template engine.

The template engine needs about 28 ms for the 300 talks of the benchmark workshop, this code
about 2 ms (and for its 330 speakers 25 ms against 1); the result is cached either way, but
the first visitor after every change waits for it. Everything interpolated goes through
``escape``.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString, mark_safe

from workshops.models import ScheduleItem, Workshop
from workshops.public_schedule import KIND_LABELS, Day, Entry, ListedSpeaker, Timetable, clock

HTML_SPECIAL = re.compile("[&<>\"']")


def escape(value: str) -> str:
    """Return ``html.escape(value)``; most names and titles need nothing, and a search costs
    a fraction of its five replacements."""
    return html.escape(value) if HTML_SPECIAL.search(value) else value


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
    time_tags, kinds = TimeTags(), KindParts()
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
        out += [_row(entry, base, with_rooms, time_tags, kinds) for entry in day.entries]
        out.append("</tbody></table></div></section>")
    return mark_safe("".join(out))


def _row(entry: Entry, base: str, with_rooms: bool, time_tags: TimeTags, kinds: KindParts) -> str:
    row_class, is_break, label, badge = kinds[entry.kind]
    time_cell = (
        f'<td class="schedule-time text-nowrap">{time_tags[entry.start]}–'
        f"{time_tags[entry.end]}</td>"
    )
    if is_break:  # untitled: its kind (by its speakers if it has any)
        title = escape(entry.display_title) if entry.title or entry.speakers else label
        session = f'<span class="schedule-title">{title}</span>'
    else:
        title = escape(entry.title) if entry.title else f'<span class="fst-italic">{label}</span>'
        session = f'<a class="schedule-title" href="{base}{entry.id}/">{title}</a>{badge}'
    if entry.speakers:
        names = ", ".join(
            [
                f'<span class="schedule-speaker">{escape(s.name)} <span '
                f'class="text-body-secondary">({escape(s.affiliation)})</span></span>'
                if s.affiliation
                else f'<span class="schedule-speaker">{escape(s.name)}</span>'
                for s in entry.speakers
            ]
        )
        session += f'<div class="schedule-speakers">{names}</div>'
    room = f'<td class="text-nowrap">{escape(entry.room_name)}</td>' if with_rooms else ""
    return f'<tr class="{row_class}">{time_cell}<td>{session}</td>{room}</tr>'


class KindParts(dict):
    """For each kind: the row's classes, whether it is a break, its escaped label and the
    badge after the title (none for talks and others): a few kinds for hundreds of rows."""

    def __missing__(self, kind: str) -> tuple[str, bool, str, str]:
        is_break = kind in ScheduleItem.BREAK_KINDS
        row_class = f"schedule-row schedule-row-{kind}" + (
            " schedule-row-break" if is_break else ""
        )
        label = escape(KIND_LABELS.get(kind, kind))
        badge = ""
        if kind not in ("talk", "other"):
            badge = f' <span class="badge schedule-kind schedule-kind-{kind}">{label}</span>'
        self[kind] = parts = (row_class, is_break, label, badge)
        return parts


def time_tag(moment: dt.datetime) -> str:
    """A ``<time>`` that localtime.js can show in the visitor's zone."""
    return f'<time datetime="{moment.isoformat()}" data-time>{clock(moment)}</time>'


class TimeTags(dict):
    """``time_tag`` of each moment, made once: a schedule's times repeat (parallel rooms,
    back-to-back slots)."""

    def __missing__(self, moment: dt.datetime) -> str:
        self[moment] = tag = time_tag(moment)
        return tag


def render_speakers(workshop: Workshop, speakers: list[ListedSpeaker]) -> str:
    """Return the speakers page's body: each speaker with photo, role, bio and items."""
    head = (
        f'<h1>Speakers</h1>\n<p class="lead"><a href="{escape(workshop.get_absolute_url())}">'
        f"{escape(workshop.title)}</a></p>\n"
    )
    if not speakers:
        return f"{head}<p>The speakers will be announced soon.</p>\n"
    items = "".join(_speaker(speaker) for speaker in speakers)
    return f'{head}<ul class="list-unstyled" data-testid="speakers">\n{items}</ul>\n'


def _speaker(s: ListedSpeaker) -> str:
    name = escape(s.name)
    photo = (
        f'<img class="speaker-photo rounded" src="{escape(s.photo_url)}" '
        f'alt="Photo of {name}" width="96" height="96">'
        if s.photo_url
        else ""
    )
    heading = f'<a href="{escape(s.homepage)}">{name}</a>' if s.homepage else name
    role = escape(s.role_label)
    if s.affiliation:
        role = f"{escape(s.affiliation)} · {role}"
    bio = f"<div>{s.bio_html}</div>" if s.bio_html else ""
    talks = ""
    if s.talks:
        talks = "".join(
            "<li>"
            + (f"<em>{escape(t.title)}</em>" if t.has_title else escape(t.title))
            + (f", {escape(t.when)}" if t.when else "")
            + "</li>"
            for t in s.talks
        )
        talks = f'<ul class="mb-0">{talks}</ul>'
    return (
        f'<li class="d-flex gap-3 mb-4" id="speaker-{s.id}">{photo}<div>'
        f'<h2 class="h5 mb-0">{heading}</h2>'
        f'<p class="mb-1 text-body-secondary">{role}</p>{bio}{talks}</div></li>\n'
    )
