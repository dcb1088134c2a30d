"""The public schedule: a page with every day, a page per item, the changelog, the exports.

Every body is cached per schedule version (``workshops.schedule_cache``); a warm request costs
two cache round trips and no query. The pages' template is rendered per request around the
cached parts: it holds the account menu and the visitor's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from workshops import selectors
from workshops.compression import MARKER, Fragment, gzip_bytes, gzip_response, respond_around
from workshops.exports import csv as csv_export
from workshops.exports import frab, ical
from workshops.models import Workshop
from workshops.public_schedule import Timetable, current_release, load_entry, load_timetable
from workshops.schedule_cache import (
    StaleWorkshop,
    cached,
    cached_workshop,
    fresh_workshop,
    is_current,
)
from workshops.schedule_html import render_timetable

T = TypeVar("T")


def serve(
    request: HttpRequest,
    slug: str,
    name: str,
    build: Callable[[Workshop], T],
    *,
    schedule: bool = True,
) -> tuple[Workshop, T]:
    """Return the workshop, if this visitor may see it, and its cached ``name``; else 404.

    ``build(workshop)`` makes the value on a cache miss. With ``schedule`` the workshop's
    schedule must be public too (not hidden).
    """
    workshop = _visible(request, cached_workshop(slug), slug, schedule=schedule)
    try:
        return workshop, cached(workshop, name, lambda: build(workshop))
    except StaleWorkshop:
        workshop = _visible(request, fresh_workshop(slug), slug, schedule=schedule)
        return workshop, cached(workshop, name, lambda: build(workshop), strict=False)


def _visible(request: HttpRequest, workshop: Workshop | None, slug: str, *, schedule: bool):
    if workshop is not None and _may_see(request.user, workshop, schedule=schedule):
        return workshop
    if workshop is not None and not is_current(workshop):  # check before saying no
        return _visible(request, fresh_workshop(slug), slug, schedule=schedule)
    raise Http404("No such workshop or schedule.")


def _may_see(user, workshop: Workshop, *, schedule: bool) -> bool:
    """Published (or managed by this user), and for the schedule pages: schedule not hidden."""
    if schedule and workshop.schedule_status == Workshop.ScheduleStatus.HIDDEN:
        return False
    if workshop.published:
        return True
    return bool(
        user.is_authenticated and Workshop.objects.managed_by(user).filter(pk=workshop.pk).exists()
    )


def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    workshop, page = serve(request, slug, "page", _schedule_page)
    response = render(
        request,
        "workshops/schedule/schedule.html",
        {"workshop": workshop, "nav": page["nav"], "content": mark_safe(MARKER)},
    )
    return respond_around(request, response, page["content"])


def _schedule_page(workshop: Workshop) -> dict:
    """Render all of the page that is the same for every visitor: all but the account menu
    and the messages (the content is kept compressed, see workshops.compression)."""
    timetable = load_timetable(workshop)
    with timezone.override(workshop.tz):
        content = render_to_string(
            "workshops/schedule/_content.html",
            {
                "workshop": workshop,
                "release": timetable.release,
                "timetable_html": render_timetable(timetable),
            },
        )
    return {"nav": nav(workshop, active="schedule"), "content": Fragment.of(content)}


def nav(workshop: Workshop, *, active: str) -> str:
    return render_to_string("workshops/_nav.html", {"workshop": workshop, "active": active})


def schedule_item(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    workshop, parts = serve(request, slug, f"item:{item_id}", partial(_item_parts, item_id=item_id))
    if parts is None:
        raise Http404("No such item in this schedule.")
    with timezone.override(workshop.tz):
        return render(
            request,
            "workshops/schedule/item.html",
            {
                "workshop": workshop,
                "release": parts["release"],
                "title": parts["title"],
                "body": mark_safe(parts["body"]),
            },
        )


def _item_parts(workshop: Workshop, *, item_id: int) -> dict | None:
    entry = load_entry(workshop, item_id)
    if entry is None:
        return None
    release = current_release(workshop)
    with timezone.override(workshop.tz):
        body = render_to_string(
            "workshops/schedule/_item_body.html", {"workshop": workshop, "entry": entry}
        )
    return {"title": entry.display_title, "body": body, "release": release}


def schedule_changes(request: HttpRequest, slug: str) -> HttpResponse:
    workshop, body = serve(request, slug, "changes", _changes_body)
    with timezone.override(workshop.tz):
        return render(
            request,
            "workshops/schedule/changes.html",
            {"workshop": workshop, "body": mark_safe(body)},
        )


def _changes_body(workshop: Workshop) -> str:
    releases = selectors.release_history(workshop)
    with timezone.override(workshop.tz):
        return render_to_string(
            "workshops/schedule/_changes_body.html", {"workshop": workshop, "releases": releases}
        )


# name: (content type, renderer, download file name suffix or "" to show inline)
EXPORTS: dict[str, tuple[str, Callable[[Timetable], bytes], str]] = {
    "schedule.ics": ("text/calendar; charset=utf-8", ical.timetable_calendar, ".ics"),
    "schedule.xml": ("application/xml; charset=utf-8", frab.schedule_xml, ""),
    "schedule.json": ("application/json", frab.schedule_json, ""),
    "schedule.csv": ("text/csv; charset=utf-8", csv_export.programme_csv, ".csv"),
}


def schedule_export(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    content_type, build, suffix = EXPORTS[name]
    # Cached gzipped (the 300-talk schedule.xml: 480 kB, 60 kB gzipped) and sent as it is.
    workshop, compressed = serve(
        request, slug, name, lambda workshop: gzip_bytes(build(load_timetable(workshop)))
    )
    response = gzip_response(request, compressed, content_type)
    if suffix:
        response["Content-Disposition"] = f'attachment; filename="{workshop.slug}{suffix}"'
    return response


def schedule_item_ics(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    workshop, body = serve(
        request, slug, f"item:{item_id}.ics", partial(_item_calendar, item_id=item_id)
    )
    if body is None:
        raise Http404("No such item in this schedule.")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{workshop.slug}-{item_id}.ics"'
    return response


def _item_calendar(workshop: Workshop, *, item_id: int) -> bytes | None:
    entry = load_entry(workshop, item_id)
    if entry is None:
        return None
    timetable = Timetable(workshop=workshop, rooms=[], days=[], release=current_release(workshop))
    return ical.entry_calendar(timetable, entry)
