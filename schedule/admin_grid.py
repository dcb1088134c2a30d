"""The organizer's schedule grid in the admin: a day at a time, rooms as columns, each item a
block as long as it lasts (schedule.grid), conflicts on the blocks and listed on top, and the
items without a slot beside it. Each block opens the item's form."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from schedule import conflicts, grid
from workshops.models import Workshop


def grid_page(model_admin, request: HttpRequest, workshop: Workshop) -> HttpResponse:
    items = list(conflicts.schedule_queryset(workshop))
    found = conflicts.find_conflicts(workshop, items=items)
    tz = workshop.tz
    placed_days = {timezone.localtime(i.start, tz).date() for i in items if i.start}
    days = sorted({*workshop.days(), *placed_days})
    day = _chosen_day(request, days)
    try:
        step = int(request.GET.get("step", grid.DEFAULT_STEP))
    except ValueError:
        step = grid.DEFAULT_STEP
    rooms = list(workshop.rooms.all())
    layout = grid.day_grid(day, items, rooms, found, tz=tz, step=step) if day else None
    on_day = {b.item.pk for b in layout.blocks} if layout else set()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Schedule grid of {workshop}",
        "opts": model_admin.opts,
        "original": workshop,
        "workshop": workshop,
        "grid": layout,
        "days": [(d, date_format(d, "D j M"), d == day) for d in days],
        "steps": [(s, s == (layout.step if layout else grid.DEFAULT_STEP)) for s in grid.STEPS],
        "conflicts": [c for c in found if on_day.intersection(c.item_ids)],
        "all_conflicts": len(found),
        "unplaced": [i for i in items if i.start is None],
        "schedule_url": reverse("admin:workshops_workshop_schedule", args=[workshop.pk]),
    }
    return render(request, "admin/schedule/grid.html", context)


def _chosen_day(request: HttpRequest, days: list[dt.date]) -> dt.date | None:
    try:
        wanted = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        wanted = None
    if wanted in days:
        return wanted
    return days[0] if days else None
