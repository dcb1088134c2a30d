"""The public schedule: a page with every day, a page per item, the changelog, the speakers,
the exports.

Everything is cached per schedule version (``workshops.schedule_cache``); a warm request costs
two cache round trips and no query. A page's template holds the account menu and the
visitor's messages, so for visitors with a session it is rendered per request around the
cached parts; everyone else (no session, no messages: most visitors, every crawler) sees the
same bytes, and gets the whole response as cached (``serve_page``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

from workshops import selectors
from workshops.compression import MARKER, Fragment, gzip_bytes, gzip_response, respond_around
from workshops.exports import csv as csv_export
from workshops.exports import frab, ical
from workshops.models import Workshop
from workshops.public_schedule import (
    Timetable,
    current_release,
    load_entry,
    load_speaker_list,
    load_timetable,
)
from workshops.schedule_cache import (
    StaleWorkshop,
    cached,
    cached_workshop,
    fetch,
    fresh_workshop,
    is_current,
    lookup,
    store,
)
from workshops.schedule_html import render_speakers, render_timetable

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
    workshop = _visible(request, cached_workshop(slug, [name]), slug, schedule=schedule)
    try:
        return workshop, cached(workshop, name, lambda: build(workshop))
    except StaleWorkshop:
        workshop = _visible(request, fresh_workshop(slug), slug, schedule=schedule)
        return workshop, cached(workshop, name, lambda: build(workshop), strict=False)


def serve_page(
    request: HttpRequest,
    slug: str,
    name: str,
    build: Callable[[Workshop], T | None],
    respond: Callable[[HttpRequest, Workshop, T], HttpResponse],
    *,
    schedule: bool = True,
) -> HttpResponse:
    """Return ``respond(request, workshop, parts)`` with ``parts`` the cached
    ``build(workshop)`` (404 when it is None), as ``serve`` does.

    A visitor without a session or messages gets the response that the first such visitor
    got since the last change, as it was sent: the page is the same for all of them.
    """
    public = f"{name}:public:{static_version()}"
    anonymous = is_anonymous_visit(request)
    first = public if anonymous else name
    workshop = _visible(request, cached_workshop(slug, [first]), slug, schedule=schedule)
    try:
        token, found = lookup(workshop, [first])
    except StaleWorkshop:
        workshop = _visible(request, fresh_workshop(slug), slug, schedule=schedule)
        token, found = lookup(workshop, [first], strict=False)
    if public in found:
        return _public_response(request, found[public])
    if anonymous:  # the response is not kept (yet): the parts may be
        found = fetch(workshop, token, [name])
    if name in found:
        parts = found[name]
    else:
        parts = build(workshop)
        if parts is not None:  # not kept: anyone can ask for unknown item ids
            store(workshop, token, name, parts)
    if parts is None:
        raise Http404("Not in this schedule.")
    response = respond(request, workshop, parts)
    if anonymous and _same_for_everyone(request, response):
        compressed = response.content
        if response.get("Content-Encoding") != "gzip":
            compressed = gzip_bytes(compressed)
        store(workshop, token, public, compressed)
    return response


def is_anonymous_visit(request: HttpRequest) -> bool:
    """Whether the visitor has neither a session (so no login) nor messages waiting."""
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    )


def static_version() -> str:
    """Return what names this deploy's static files: a kept page links them (their hashed
    names change with their content, and the old files go with the old deploy)."""
    return getattr(staticfiles_storage, "manifest_hash", "")


def _same_for_everyone(request: HttpRequest, response: HttpResponse) -> bool:
    # A page with a CSRF token (a form) is the visitor's own: get_token() marks the request.
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _public_response(request: HttpRequest, compressed: bytes) -> HttpResponse:
    response = gzip_response(request, compressed, "text/html; charset=utf-8")
    # What a visitor with a session would get is different (their menu, their messages).
    patch_vary_headers(response, ["Cookie"])
    return response


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
    return serve_page(request, slug, "page", _schedule_page, _schedule_response)


def _schedule_response(request: HttpRequest, workshop: Workshop, page: dict) -> HttpResponse:
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


def speakers(request: HttpRequest, slug: str) -> HttpResponse:
    return serve_page(request, slug, "speakers", _speakers_page, _speakers_response, schedule=False)


def _speakers_response(request: HttpRequest, workshop: Workshop, page: dict) -> HttpResponse:
    response = render(
        request,
        "workshops/speakers.html",
        {"workshop": workshop, "nav": page["nav"], "body": mark_safe(MARKER)},
    )
    return respond_around(request, response, page["content"])


def _speakers_page(workshop: Workshop) -> dict:
    html = render_speakers(workshop, load_speaker_list(workshop))
    return {"nav": nav(workshop, active="speakers"), "content": Fragment.of(html)}


def nav(workshop: Workshop, *, active: str) -> str:
    return render_to_string("workshops/_nav.html", {"workshop": workshop, "active": active})


def schedule_item(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    return serve_page(
        request, slug, f"item:{item_id}", partial(_item_parts, item_id=item_id), _item_response
    )


def _item_response(request: HttpRequest, workshop: Workshop, parts: dict) -> HttpResponse:
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
    return serve_page(request, slug, "changes", _changes_body, _changes_response)


def _changes_response(request: HttpRequest, workshop: Workshop, body: str) -> HttpResponse:
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
