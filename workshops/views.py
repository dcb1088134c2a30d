from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from workshops import selectors
from workshops.models import Series


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


def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    series = get_object_or_404(Series, slug=slug)
    workshops = series.workshops.published().order_by("-start_date")
    return render(request, "workshops/series.html", {"series": series, "workshops": workshops})
