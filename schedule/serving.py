"""Sending a release's stored pages and exports: cached bytes, 304s, gzip as stored.

A warm request costs one cache round trip for the workshop (by slug) and one for the version
token with the artifact (``workshops.schedule_cache``; often both in one), and no query. A
cold one reads the workshop and the one stored artifact (only the column it sends: the gzip
for clients that take gzip). Nothing is rendered, unless the current release has not been
rendered yet: then the one artifact asked for is rendered from the snapshot (and the worker
asked to render them all).

Pages are stored whole, as an anonymous visitor sees them. A visitor with a session (logged
in, or with messages waiting) gets the stored content in a page rendered for them: their
account menu, their messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db.models import Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.safestring import mark_safe

from schedule import rendering, tasks
from schedule.models import ReleaseArtifact, ScheduleRelease
from schedule.timetable import Timetable, release_timetable
from workshops import selectors
from workshops.models import Workshop
from workshops.schedule_cache import (
    StaleWorkshop,
    cached_workshop,
    fresh_workshop,
    is_current,
    lookup,
    store,
)

ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# The column each variant sends.
COLUMNS = {"gzip": "body_gzip", "plain": "body", "fragment": "fragment"}
# A request that finds the current release not rendered asks the worker at most this often.
RENDER_ASK_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Stored:
    """One variant of an artifact, as cached: the bytes it sends and what its headers need."""

    release_id: int | None
    content_type: str
    etag: str
    last_modified: float
    body: bytes | str
    title: str
    static_version: str
    frame: str = ""  # rendering.frame_key() when it was rendered


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))


def body_variant(request: HttpRequest) -> str:
    """The stored body this client takes: the gzip, or the plain one."""
    return "gzip" if accepts_gzip(request) else "plain"


def is_anonymous_visit(request: HttpRequest) -> bool:
    """Whether the visitor has neither a session (so no login) nor messages waiting."""
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    )


def entries(
    request: HttpRequest, slug: str, keys: list[str], *, schedule: bool = True
) -> tuple[Workshop, str, dict]:
    """Return the workshop with this slug if this visitor may see it (else 404), its schedule
    version token, and those of the cache entries ``keys`` kept under that token.

    With ``schedule``, the schedule must be public too (not hidden).
    """
    workshop = cached_workshop(slug, keys)
    if workshop is None or not _may_see(request, workshop, schedule):
        if workshop is None or is_current(workshop):  # the answer stands
            raise Http404("No such workshop or schedule.")
        workshop = _fresh(request, slug, schedule)
    try:
        token, found = lookup(workshop, keys)
    except StaleWorkshop:
        workshop = _fresh(request, slug, schedule)
        token, found = lookup(workshop, keys, strict=False)
    return workshop, token, found


def _fresh(request: HttpRequest, slug: str, schedule: bool) -> Workshop:
    workshop = fresh_workshop(slug)
    if workshop is None or not _may_see(request, workshop, schedule):
        raise Http404("No such workshop or schedule.")
    return workshop


def _may_see(request: HttpRequest, workshop: Workshop, schedule: bool) -> bool:
    hidden = schedule and workshop.schedule_status == Workshop.ScheduleStatus.HIDDEN
    return not hidden and selectors.may_view(workshop, request.user)


def artifact(request: HttpRequest, slug: str, name: str, variant: str) -> tuple[Workshop, Stored]:
    """Return the visible workshop and ``variant`` of its current release's artifact ``name``
    (cached per schedule version), else 404."""
    workshop, token, found = entries(request, slug, [artifact_key(name, variant)])
    stored = kept(workshop, token, found, name, variant)
    if stored is None:
        raise Http404("Not in this schedule.")
    return workshop, stored


def artifact_key(name: str, variant: str) -> str:
    return f"{name}|{variant}"


def kept(workshop: Workshop, token: str, found: dict, name: str, variant: str) -> Stored | None:
    """Return the artifact from ``found`` (the cache entries read under ``token``), else
    from ``load``, kept under the token (a None is not: anyone can ask for unknown ids)."""
    key = artifact_key(name, variant)
    # A nav that changed without a new version (a call's deadline passed) is rendered again.
    if key in found and found[key].frame == rendering.frame_key(workshop):
        return found[key]
    stored = load(workshop, name, variant)
    if stored is not None:
        store(workshop, token, key, stored)
    return stored


def load(workshop: Workshop, name: str, variant: str) -> Stored | None:
    """Read the artifact from the database (one query), or render it from the snapshot if
    the current release has not been rendered yet, or not since the workshop changed."""
    current = ScheduleRelease.objects.filter(workshop=workshop).order_by("-published_at", "-pk")
    column = COLUMNS[variant]
    fields = ("release_id", "content_type", "etag", "rendered_at", "title", "static_version")
    stored = ReleaseArtifact.objects.filter(release=Subquery(current.values("pk")[:1]))
    wanted = stored.filter(name=name).values(*fields, "frame", column)
    row = wanted.first()
    if row is None and stored.exists():  # rendered: unknown here, or stored just now
        row = wanted.first()  # a new query: .first() on values() does not cache
        if row is None:
            return None
    if row is not None and row["frame"] == rendering.frame_key(workshop):
        body = row[column]
        return Stored(
            release_id=row["release_id"],
            content_type=row["content_type"],
            etag=f'"{row["etag"]}-gz"' if variant == "gzip" else f'"{row["etag"]}"',
            last_modified=row["rendered_at"].timestamp(),
            body=body if variant == "fragment" else bytes(body),
            title=row["title"],
            static_version=row["static_version"],
            frame=row["frame"],
        )
    # Not rendered yet, or rendered before the workshop changed (its render still to come).
    return _render_now(workshop, name, variant)


def _render_now(workshop: Workshop, name: str, variant: str) -> Stored | None:
    release = rendering.current_release(workshop)
    if release is None:
        timetable = Timetable(workshop=workshop, rooms=[], days=[], release=None)
    else:
        timetable = release_timetable(release, workshop)
        if cache.add(f"schedule-render-asked:{release.pk}", True, RENDER_ASK_SECONDS):
            tasks.render_schedule.delay(workshop_id=workshop.pk)
    rendered = rendering.render(timetable, name)
    if rendered is None:
        return None
    body: bytes | str = rendered.body
    if variant == "gzip":
        body = rendering.compress(rendered.body)
    elif variant == "fragment":
        body = rendered.fragment
    return Stored(
        release_id=release.pk if release else None,
        content_type=rendered.content_type,
        etag="",  # not stored: nothing to compare with
        last_modified=0.0,
        body=body,
        title=rendered.title,
        static_version=rendering.static_version(),
        frame=rendering.frame_key(workshop),
    )


def respond(request: HttpRequest, slug: str, name: str, *, download: str = "") -> HttpResponse:
    """Send the artifact as stored (gzip if the client takes it), or 304 if the client has it."""
    variant = body_variant(request)
    _, stored = artifact(request, slug, name, variant)
    response = _send(request, stored, variant)
    if download and response.status_code == 200:
        response["Content-Disposition"] = f'attachment; filename="{download}"'
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def respond_page(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """Send a stored page: whole to anonymous visitors, framed for a visitor with a session."""
    if is_anonymous_visit(request):
        variant = body_variant(request)
        _, stored = artifact(request, slug, name, variant)
        if stored.static_version == rendering.static_version():
            response = _send(request, stored, variant)
            # What a visitor with a session gets differs (their menu, their messages).
            patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
            return response
    workshop, stored = artifact(request, slug, name, "fragment")
    html = rendering.frame(workshop, stored.title, mark_safe(stored.body), request=request)
    response = HttpResponse(html)
    patch_vary_headers(response, ["Cookie"])
    return response


def _send(request: HttpRequest, stored: Stored, variant: str) -> HttpResponse:
    response = _conditional(request, stored)
    if response is None:
        response = HttpResponse(stored.body, content_type=stored.content_type)
        if variant == "gzip":
            response["Content-Encoding"] = "gzip"
    _validators(response, stored)
    return response


def _conditional(request: HttpRequest, stored: Stored) -> HttpResponse | None:
    if not stored.etag:
        return None
    return get_conditional_response(
        request, etag=stored.etag, last_modified=int(stored.last_modified)
    )


def _validators(response: HttpResponse, stored: Stored) -> None:
    if stored.etag:
        response["ETag"] = stored.etag
        response["Last-Modified"] = http_date(stored.last_modified)
    # Stored bytes change only with a release or its frame: ask again each time (a 304).
    response["Cache-Control"] = "no-cache"
