"""The organizer's schedule grid in the admin: a day at a time, rooms as columns, each item a
block as long as it lasts (schedule.grid), conflicts on the blocks and listed on top, and the
items without a slot beside it. Each block opens the item's form."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from schedule import conflicts, grid, services
from schedule.forms import MoveItemForm
from workshops.models import Workshop

UNDO_DEPTH = 10


def _undo_key(workshop: Workshop) -> str:
    return f"schedule-grid-undo:{workshop.pk}"


def grid_page(model_admin, request: HttpRequest, workshop: Workshop) -> HttpResponse:
    if request.method == "POST" and "_undo" in request.POST:
        return _undo(request, workshop)
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
    move_form = MoveItemForm(
        request.POST if request.method == "POST" else None,
        workshop=workshop,
        items=items,
        rooms=rooms,
        days=days,
        initial={"day": day.isoformat() if day else None},
    )
    if request.method == "POST" and move_form.is_valid():
        return _move(request, workshop, move_form, step)
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
        "move_form": move_form,
        "can_undo": bool(request.session.get(_undo_key(workshop))),
    }
    return render(request, "admin/schedule/grid.html", context)


def _move(request: HttpRequest, workshop: Workshop, form: MoveItemForm, step: int):
    item = form.cleaned_data["item"]
    room = form.cleaned_data["room"]
    try:
        before = services.move_item(item, start=form.start_at, room=room)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        stack = request.session.get(_undo_key(workshop), [])
        request.session[_undo_key(workshop)] = [*stack, asdict(before)][-UNDO_DEPTH:]
        item.refresh_from_db()
        slot = conflicts.format_slot(item.start, item.end, room.name if room else "", workshop.tz)
        messages.success(request, f"“{item.display_title}” moved to {slot}.")
        for conflict in conflicts.conflicts_for_item(item):
            messages.warning(request, conflict.message)
    return _back_to(workshop, form.cleaned_data["day"], step)


def _undo(request: HttpRequest, workshop: Workshop):
    stack = request.session.get(_undo_key(workshop), [])
    if not stack:
        messages.info(request, "Nothing to undo.")
        return redirect(request.get_full_path())
    slot = services.Slot(**stack.pop())
    request.session[_undo_key(workshop)] = stack
    item = services.restore_slot(workshop, slot)
    if item is None:
        messages.warning(request, "That item is gone: nothing to undo.")
        return redirect(request.get_full_path())
    where = (
        conflicts.format_slot(
            item.start, item.end, item.room.name if item.room else "", workshop.tz
        )
        if item.start
        else "not placed"
    )
    messages.success(request, f"Undone: “{item.display_title}” is back ({where}).")
    day = timezone.localtime(item.start, workshop.tz).date() if item.start else None
    return _back_to(workshop, day, None)


def _back_to(workshop: Workshop, day: dt.date | None, step: int | None):
    url = reverse("admin:workshops_workshop_schedule_grid", args=[workshop.pk])
    query = {k: v for k, v in (("day", day and day.isoformat()), ("step", step)) if v}
    return redirect(f"{url}?{urlencode(query)}" if query else url)


def _chosen_day(request: HttpRequest, days: list[dt.date]) -> dt.date | None:
    try:
        wanted = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        wanted = None
    if wanted in days:
        return wanted
    return days[0] if days else None
