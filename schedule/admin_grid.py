"""The organizer's schedule grid in the admin: a day at a time, rooms as columns, each item a
block as long as it lasts (schedule.grid), conflicts on the blocks and listed on top, and the
items without a slot beside it.

Everything is a plain request, so the page works without JavaScript and the script only
drives it: a block's link opens the item in a dialog (``?edit=<id>``), an empty slot's link a
new item there (``?new=HH:MM&room=<id>``); a drag fills the move form (a block's bottom edge:
its end); the last moves can be undone; a release is published from here as from the table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from schedule import conflicts, grid, selectors, services
from schedule.admin_desk import pending_changes, publish_posted, release_form
from schedule.forms import ItemDialogForm, MoveItemForm
from schedule.models import ScheduleItem
from workshops.models import Workshop

UNDO_DEPTH = 10


def _undo_key(workshop: Workshop) -> str:
    return f"schedule-grid-undo:{workshop.pk}"


def grid_page(model_admin, request: HttpRequest, workshop: Workshop) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    if post is not None and "_undo" in post:
        return _undo(request, workshop)
    items = list(conflicts.schedule_queryset(workshop))
    tz = workshop.tz
    placed_days = {_day_of(i, workshop) for i in items if i.placed}
    days = sorted({*workshop.days(), *placed_days})
    day = _chosen_day(request, days)
    step = _chosen_step(request)
    rooms = list(workshop.rooms.all())
    move_form = MoveItemForm(
        post if post is not None and "_move" in post else None,
        workshop=workshop,
        items=items,
        rooms=rooms,
        days=days,
        initial={"day": day.isoformat() if day else None},
    )
    if move_form.is_bound and move_form.is_valid():
        return _move(request, workshop, move_form, step)
    dialog = _dialog_form(request, workshop, items, rooms, day)
    if dialog is not None and dialog.is_bound and dialog.is_valid():
        return _save_item(request, workshop, dialog, step)
    publish_form = None
    if post is not None and "_publish" in post:
        publish_form, release = publish_posted(request, workshop)
        if release is not None:
            return _back_to(workshop, day, step)
    found = conflicts.find_conflicts(workshop, items=items)
    layout = grid.day_grid(day, items, rooms, found, tz=tz, step=step) if day else None
    on_day = {b.item.pk for b in layout.blocks} if layout else set()
    here = {"day": day and day.isoformat(), "step": layout.step if layout else None}
    # Whether there is a release at all: the page links the public schedule then, and
    # measures its pending changes against it (its history is the table's to show).
    has_release = workshop.releases.exists()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Schedule grid of {workshop}",
        "opts": model_admin.opts,
        "original": workshop,
        "workshop": workshop,
        "grid": layout,
        "here": _query(here),
        "days": [(d, date_format(d, "D j M"), d == day) for d in days],
        "steps": [(s, s == (layout.step if layout else grid.DEFAULT_STEP)) for s in grid.STEPS],
        "conflicts": [c for c in found if on_day.intersection(c.item_ids)],
        "all_conflicts": found,
        "unplaced": [i for i in items if not i.placed],
        "schedule_url": reverse("admin:workshops_workshop_schedule", args=[workshop.pk]),
        "move_form": move_form,
        "dialog": dialog,
        "can_undo": bool(request.session.get(_undo_key(workshop))),
        "publish_form": publish_form or release_form(workshop, found),
        "publish_open": publish_form is not None or "publish" in request.GET,
        "pending": pending_changes(workshop, items, has_release=has_release),
        "has_release": has_release,
    }
    return render(request, "admin/schedule/grid.html", context)


def _dialog_form(request, workshop, items, rooms, day) -> ItemDialogForm | None:
    """The item dialog's form: posted (``_save_item``), or asked for by ``?edit=<id>`` or
    ``?new=HH:MM[&room=<id>]``; None when the page has no dialog open."""
    source = request.POST if "_save_item" in request.POST else request.GET
    by_pk = {str(i.pk): i for i in items}
    if source.get("edit"):
        instance = by_pk.get(source["edit"])
        if instance is None:  # not this workshop's, or deleted meanwhile
            messages.error(request, "That item is not in this workshop's schedule.")
            return None
        initial = {}
    elif "new" in source:
        instance = ScheduleItem(workshop=workshop)
        initial = {"day": day, "start": source.get("new") or None, "room": source.get("room")}
    else:
        return None
    return ItemDialogForm(
        request.POST if "_save_item" in request.POST else None,
        instance=instance,
        initial=initial,
        prefix="item",
        workshop=workshop,
        rooms=rooms,
        speakers=selectors.speaker_choices(workshop),
        user=request.user,
    )


def _save_item(request: HttpRequest, workshop: Workshop, form: ItemDialogForm, step: int):
    created = form.instance.pk is None
    with transaction.atomic():
        item = form.save()
    what = "added" if created else "saved"
    messages.success(request, f"“{item.display_title}” {what}.")
    for conflict in conflicts.conflicts_for_item(item):
        messages.warning(request, conflict.message)
    return _back_to(workshop, _day_of(item, workshop) or form.cleaned_data.get("day"), step)


def _move(request: HttpRequest, workshop: Workshop, form: MoveItemForm, step: int):
    item = form.cleaned_data["item"]
    room = form.cleaned_data["room"]
    end = form.end_at
    try:
        before = services.move_item(
            item,
            start=form.start_at,
            room=room,
            end=services.KEEP if end is None else end,
            day=form.cleaned_data["day"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        stack = request.session.get(_undo_key(workshop), [])
        request.session[_undo_key(workshop)] = [*stack, asdict(before)][-UNDO_DEPTH:]
        item.refresh_from_db()
        messages.success(request, f"“{item.display_title}” moved to {_where(item, workshop)}.")
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
    messages.success(request, f"Undone: “{item.display_title}” is back ({_where(item, workshop)}).")
    return _back_to(workshop, _day_of(item, workshop), None)


def _where(item: ScheduleItem, workshop: Workshop) -> str:
    return conflicts.describe_slot(
        day=item.day if item.all_day else None,
        start=item.start,
        end=item.end,
        room=item.room.name if item.room else "",
        tz=workshop.tz,
    )


def _day_of(item: ScheduleItem, workshop: Workshop) -> dt.date | None:
    if item.start is not None:
        return timezone.localtime(item.start, workshop.tz).date()
    return item.day


def _query(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _back_to(workshop: Workshop, day: dt.date | None, step: int | None):
    url = reverse("admin:workshops_workshop_schedule_grid", args=[workshop.pk])
    query = _query({"day": day and day.isoformat(), "step": step})
    return redirect(f"{url}?{query}" if query else url)


def _chosen_step(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("step", grid.DEFAULT_STEP))
    except ValueError:
        return grid.DEFAULT_STEP


def _chosen_day(request: HttpRequest, days: list[dt.date]) -> dt.date | None:
    try:
        wanted = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        wanted = None
    if wanted in days:
        return wanted
    return days[0] if days else None
