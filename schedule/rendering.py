"""A release, rendered once: every page and export of it, from its snapshot alone.

``render_current_release`` runs in the worker (``schedule.tasks``) when a release is published
and again when what frames its pages changes (the workshop's title or dates, its nav: whether
it takes registrations or abstracts). It stores each page and export with its gzip and ETag
(``ReleaseArtifact``); requests send those bytes and render nothing (``schedule.serving``).
``render`` makes one of them, for the worker and for the rare request that finds no stored
copy (a release not rendered yet).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from schedule import changes
from schedule.exports import csv as csv_export, frab, ical
from schedule.models import ReleaseArtifact, ScheduleRelease
from schedule.timetable import Timetable, release_timetable
from workshops.models import Workshop
from workshops.schedule_cache import NAV_RELATED, bump_schedule_version

logger = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
CALENDAR = "text/calendar; charset=utf-8"
# name: (content type, renderer, download file name suffix or "" to show inline)
EXPORTS: dict[str, tuple[str, Callable[[Timetable], bytes], str]] = {
    "schedule.ics": (CALENDAR, ical.timetable_calendar, ".ics"),
    "schedule.xml": ("application/xml; charset=utf-8", frab.schedule_xml, ""),
    "schedule.json": ("application/json", frab.schedule_json, ""),
    "schedule.csv": ("text/csv; charset=utf-8", csv_export.programme_csv, ".csv"),
}
PAGES = ("page", "changes")
# Made once, when the release is stored: the largest export compresses in about 40 ms.
GZIP_LEVEL = 9


@dataclass(frozen=True, slots=True)
class Rendered:
    name: str
    content_type: str
    body: bytes  # as an anonymous visitor gets it (a page: the whole page)
    fragment: str = ""  # a page's content, to frame for a visitor with a session
    title: str = ""  # a page's title


def frame_key(workshop: Workshop) -> str:
    """What a release's pages show of the workshop besides the release: its row (title,
    dates, venue, published, slug: any save changes ``updated_at``) and its nav (whether it
    takes registrations or abstracts). Needs the workshop read with NAV_RELATED."""
    return f"{workshop.pk}:{workshop.updated_at.isoformat()}:{nav_state(workshop)}"


def nav_state(workshop: Workshop, now=None) -> str:
    """The nav as a key: "Register" while registration settings exist, "Submit an abstract"
    while a call's deadline is ahead. The deadline passes without a save: the key read at
    each request changes then, so a page stored before it is rendered again."""
    registration = "1" if _has(workshop, "registration_settings") else "0"
    cfa = workshop.cfa if _has(workshop, "cfa") else None
    takes_abstracts = cfa is not None and not cfa.is_past_deadline(now)
    return registration + ("1" if takes_abstracts else "0")


def _has(workshop: Workshop, name: str) -> bool:
    try:
        return getattr(workshop, name) is not None
    except ObjectDoesNotExist:
        return False


def static_version() -> str:
    """What names this deploy's static files: a stored page links them by their hashed names."""
    return getattr(staticfiles_storage, "manifest_hash", "")


def names(timetable: Timetable) -> Iterator[str]:
    """Every artifact a release has: the pages, the schedule block of the workshop page, the
    exports, and a page and a calendar file per item."""
    yield from (*PAGES, "block", *EXPORTS)
    for entry in timetable.entries:
        yield f"item:{entry.id}"
        yield f"item:{entry.id}.ics"


def render(timetable: Timetable, name: str) -> Rendered | None:
    """Return the artifact ``name`` of this timetable, or None if it has no such thing (an
    item id that is not in it)."""
    workshop = timetable.workshop
    with timezone.override(workshop.tz):
        if name in EXPORTS:
            content_type, build, _ = EXPORTS[name]
            return Rendered(name, content_type, build(timetable))
        context = {"workshop": workshop, "timetable": timetable, "release": timetable.release}
        if name == "block":
            html = render_to_string("schedule/_block.html", context)
            return Rendered(name, HTML, html.encode(), fragment=html)
        if name == "page":
            title = f"Schedule · {workshop.title}"
            return _page(name, title, "schedule/_content.html", context)
        if name == "changes":
            context["releases"] = changes.release_history(workshop)
            title = f"Schedule changes · {workshop.title}"
            return _page(name, title, "schedule/_changes_page.html", context)
        item_id, _, suffix = name.removeprefix("item:").partition(".")
        if not name.startswith("item:") or not item_id.isdigit() or suffix not in ("", "ics"):
            return None
        entry = timetable.entry(int(item_id))
        if entry is None:
            return None
        if suffix == "ics":
            return Rendered(name, CALENDAR, ical.entry_calendar(timetable, entry))
        context["entry"] = entry
        title = f"{entry.display_title} · {workshop.title}"
        return _page(name, title, "schedule/_item_page.html", context)


def _page(name: str, title: str, template: str, context: dict) -> Rendered:
    fragment = render_to_string(template, context)
    return Rendered(
        name, HTML, frame(context["workshop"], title, fragment).encode(), fragment, title
    )


def frame(workshop: Workshop, title: str, content: str, *, request=None, active="schedule") -> str:
    """Return the whole page around ``content``: for ``request``'s visitor, or without one as
    every anonymous visitor sees it (no account menu, no messages)."""
    context = {
        "workshop": workshop,
        "title": title,
        "content": content,
        "active": active,
        "localtime": active == "schedule",
    }
    if request is None:
        context["user"] = AnonymousUser()
    return render_to_string("schedule/page.html", context, request=request)


def compress(body: bytes) -> bytes:
    """The gzip of a body, as every stored or cached schedule response carries it."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def artifact(
    release: ScheduleRelease, rendered: Rendered, *, now, static: str, frame: str
) -> ReleaseArtifact:
    digest = hashlib.blake2b(rendered.body, digest_size=16).hexdigest()
    return ReleaseArtifact(
        release=release,
        name=rendered.name,
        content_type=rendered.content_type,
        body=rendered.body,
        body_gzip=compress(rendered.body),
        fragment=rendered.fragment,
        title=rendered.title,
        etag=digest,
        static_version=static if rendered.content_type == HTML else "",
        frame=frame,
        rendered_at=now,
    )


def current_release(workshop: Workshop) -> ScheduleRelease | None:
    return workshop.releases.order_by("-published_at", "-pk").first()


def _shown(workshop: Workshop, release: ScheduleRelease | None) -> tuple:
    """Everything besides the snapshot that a render of ``release`` depends on."""
    return frame_key(workshop), getattr(release, "pk", None), workshop.releases.count()


def render_current_release(workshop_pk: int) -> int:
    """Render and store every artifact of the workshop's current release, replacing what was
    stored for its earlier releases; return how many were stored.

    Rendering happens outside the transaction; the store checks, under the workshop's row
    lock, that nothing it shows changed meanwhile (the workshop, its nav, its releases): if
    anything did, that change's own render stores its result, and this one stores nothing.
    """
    workshop = Workshop.objects.select_related(*NAV_RELATED).filter(pk=workshop_pk).first()
    if workshop is None:
        return 0
    release = current_release(workshop)
    if release is None:  # the artifacts went with the releases
        return 0
    started = time.monotonic()
    seen = _shown(workshop, release)
    timetable = release_timetable(release, workshop)
    now, static, frame = timezone.now(), static_version(), frame_key(workshop)
    rows = [
        artifact(release, rendered, now=now, static=static, frame=frame)
        for rendered in (render(timetable, name) for name in names(timetable))
        if rendered is not None
    ]
    with transaction.atomic():
        # of=self: the nav's rows are read (outer joins), only the workshop row is locked.
        locked = (
            Workshop.objects.select_for_update(of=("self",))
            .select_related(*NAV_RELATED)
            .filter(pk=workshop_pk)
            .first()
        )
        if locked is None or _shown(locked, current_release(locked)) != seen:
            return 0  # changed meanwhile: that change's own render stores its result
        ReleaseArtifact.objects.filter(release__workshop=workshop).delete()
        ReleaseArtifact.objects.bulk_create(rows, batch_size=100)
        bump_schedule_version(workshop_pk)
    logger.info(
        "schedule release rendered",
        extra={
            "workshop": workshop_pk,
            "release": release.pk,
            "artifacts": len(rows),
            "seconds": round(time.monotonic() - started, 3),
        },
    )
    return len(rows)
