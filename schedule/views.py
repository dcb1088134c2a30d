"""The public schedule: its pages, its exports, the speakers; and the organizers' preview.

The schedule pages and exports are the current release's, as stored when it was rendered
(``schedule.serving``). The speakers page is live (bios change between releases), with each
speaker's items from the current release, and cached per schedule version.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

from schedule import rendering, serving
from schedule.changes import describe_changes, diff_snapshots, take_snapshot
from schedule.conflicts import schedule_queryset
from schedule.timetable import release_timetable, speaker_list, timetable
from workshops.models import Workshop
from workshops.schedule_cache import NAV_RELATED, store


def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    return serving.respond_page(request, slug, "page")


def changes(request: HttpRequest, slug: str) -> HttpResponse:
    return serving.respond_page(request, slug, "changes")


def item(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    return serving.respond_page(request, slug, f"item:{item_id}")


def item_ics(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    return serving.respond(request, slug, f"item:{item_id}.ics", download=f"{slug}-{item_id}.ics")


def export(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    suffix = rendering.EXPORTS[name][2]
    return serving.respond(request, slug, name, download=f"{slug}{suffix}" if suffix else "")


def speakers(request: HttpRequest, slug: str) -> HttpResponse:
    """The confirmed speakers: live, the same for every anonymous visitor (cached, with its
    gzip, until the schedule version changes), framed per request for the others."""
    variant = "fragment"
    if serving.is_anonymous_visit(request):
        variant = serving.body_variant(request)
    key = f"speakers|{variant}|{rendering.static_version()}"
    workshop, token, found = serving.entries(request, slug, [key], schedule=False)
    title = f"Speakers · {workshop.title}"
    # Kept with the nav it was framed with: the call's deadline passes without a new version.
    nav = rendering.nav_state(workshop)
    kept_nav, value = found.get(key, (None, None))
    if value is None or kept_nav != nav:
        value = _speakers_fragment(workshop)
        if variant != "fragment":
            value = rendering.frame(workshop, title, value, active="speakers").encode()
            if variant == "gzip":
                value = rendering.compress(value)
        store(workshop, token, key, (nav, value))
    if variant == "fragment":
        html = rendering.frame(
            workshop, title, mark_safe(value), request=request, active="speakers"
        )
        response = HttpResponse(html)
        patch_vary_headers(response, ["Cookie"])
        return response
    response = HttpResponse(value, content_type=rendering.HTML)
    if variant == "gzip":
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
    return response


def _speakers_fragment(workshop: Workshop) -> str:
    release = rendering.current_release(workshop)
    released = release_timetable(release, workshop) if release is not None else None
    with timezone.override(workshop.tz):
        return render_to_string(
            "schedule/_speakers.html",
            {"workshop": workshop, "speakers": speaker_list(workshop, released)},
        )


def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """The organizers' view of the next release: the live items as they would be published,
    and what would change against the current release. 404 to everyone else."""
    workshop = get_object_or_404(
        Workshop.objects.managed_by(request.user).select_related(*NAV_RELATED),
        slug=slug,
    )
    draft = take_snapshot(schedule_queryset(workshop))
    current = rendering.current_release(workshop)
    lines = describe_changes(
        diff_snapshots(current.snapshot if current else [], draft), workshop.tz
    )
    draft_timetable = timetable(workshop, draft, None)
    with timezone.override(workshop.tz):
        content = render_to_string(
            "schedule/_content.html",
            {
                "workshop": workshop,
                "timetable": draft_timetable,
                "preview": True,
                "current": current,
            },
        )
        return render(
            request,
            "schedule/preview.html",
            {
                "workshop": workshop,
                "current": current,
                "lines": lines,
                "content": content,
                "title": f"Preview · {workshop.title}",
            },
        )
