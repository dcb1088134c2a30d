from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from workshops import selectors
from workshops.compression import MARKER, Fragment, respond_around
from workshops.models import Series, Workshop
from workshops.public_schedule import load_speaker_list
from workshops.schedule_views import nav, serve


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "workshops/home.html", selectors.home_sections())


def workshop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = selectors.visible_workshop(slug=slug, user=request.user)
    with timezone.override(workshop.tz):
        return render(
            request,
            "workshops/detail.html",
            {"page": selectors.workshop_page(workshop), "workshop": workshop},
        )


def speakers(request: HttpRequest, slug: str) -> HttpResponse:
    workshop, page = serve(request, slug, "speakers", _speakers_page, schedule=False)
    response = render(
        request,
        "workshops/speakers.html",
        {"workshop": workshop, "nav": page["nav"], "body": mark_safe(MARKER)},
    )
    return respond_around(request, response, page["content"])


def _speakers_page(workshop: Workshop) -> dict:
    html = render_to_string(
        "workshops/_speakers_list.html",
        {"workshop": workshop, "speakers": load_speaker_list(workshop)},
    )
    return {"nav": nav(workshop, active="speakers"), "content": Fragment.of(html)}


def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    series = get_object_or_404(Series, slug=slug)
    workshops = series.workshops.published().order_by("-start_date")
    return render(request, "workshops/series.html", {"series": series, "workshops": workshops})
