"""The organizer's schedule page in the admin: items by day, conflicts, and releases.

Every row is a form of one formset, so a whole day is moved and retitled in one save; the
page is rendered in the workshop's time zone, where the rows read and write their times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format

from outbox.models import OutgoingMail
from schedule import changes, conflicts, selectors, services
from schedule.changes import release_history
from schedule.conflicts import Conflict
from schedule.forms import (
    BLANK_ROWS,
    MAX_BLANK_ROWS,
    PublishReleaseForm,
    ScheduleRowForm,
    schedule_formset,
)
from schedule.models import ScheduleRelease
from workshops.models import Workshop


@dataclass
class Row:
    form: ScheduleRowForm
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass
class DayTable:
    label: str
    date: dt.date | None
    rows: list[Row] = field(default_factory=list)


def schedule_page(model_admin, request: HttpRequest, workshop: Workshop) -> HttpResponse:
    """Show and save the schedule's rows, draft talk slots, publish a release."""
    publish_form = PublishReleaseForm(prefix="release", initial=_release_initial(workshop))
    formset = None
    if request.method == "POST":
        if "_draft" in request.POST:
            created = services.draft_items_for_speakers(workshop=workshop)
            messages.success(
                request, f"{len(created)} talk slot(s) drafted for confirmed speakers."
            )
            return redirect(request.path)
        if "_publish" in request.POST:
            publish_form, release = publish_posted(request, workshop)
            if release is not None:
                return redirect(f"{request.path}#releases")
        else:
            formset = _formset(workshop, data=request.POST)
            if formset.is_valid():
                with transaction.atomic():
                    formset.save()
                touched = {item.pk for item in formset.new_objects} | {
                    item.pk for item, _ in formset.changed_objects
                }
                for conflict in conflicts.find_conflicts(workshop):
                    if touched.intersection(conflict.item_ids):
                        messages.warning(request, conflict.message)
                messages.success(request, "The schedule was saved.")
                return redirect(request.path)

    if formset is None:
        formset = _formset(workshop, extra=_blank_rows(request))
        items = list(formset.get_queryset())  # loaded by the formset already
    else:
        # The rows of a refused save hold unsaved times: read the stored schedule afresh.
        items = list(conflicts.schedule_queryset(workshop))
    found = conflicts.find_conflicts(workshop, items=items)
    if not publish_form.is_bound:  # with the box to tick when there are conflicts
        publish_form = release_form(workshop, found)
    history = release_history(workshop)
    pending = pending_changes(workshop, items, has_release=bool(history))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Schedule of {workshop}",
        "opts": model_admin.opts,
        "original": workshop,
        "workshop": workshop,
        "formset": formset,
        "days": _day_tables(formset, conflicts.conflicts_by_item(found)),
        "new_rows": formset.extra_forms,
        "more_rows": [n for n in (len(formset.extra_forms) + 10, 50) if n <= MAX_BLANK_ROWS],
        "row_errors": _row_errors(formset),
        "conflicts": found,
        "publish_form": publish_form,
        "pending": pending,
        "history": history,
        "add_item_url": reverse("admin:schedule_scheduleitem_add") + f"?workshop={workshop.pk}",
        "add_speaker_url": reverse("admin:workshops_speakerprofile_add")
        + f"?home_workshop={workshop.pk}",
    }
    return render(request, "admin/schedule/desk.html", context)


def publish_posted(
    request: HttpRequest, workshop: Workshop
) -> tuple[PublishReleaseForm, ScheduleRelease | None]:
    """Publish the release the posted form describes (the table view's and the grid's): with
    conflicts, only once the organizer ticked that they publish it as it is. Returns the
    form (with its errors when refused) and the release, or None."""
    form = PublishReleaseForm(
        request.POST, prefix="release", conflicts=conflicts.find_conflicts(workshop)
    )
    if not form.is_valid():
        return form, None
    try:
        release = services.publish_schedule(
            workshop=workshop,
            version=form.cleaned_data["version"],
            status=form.cleaned_data["status"],
            notes=form.cleaned_data["notes"],
            notify=form.cleaned_data["notify"],
            user=request.user,
        )
    except services.ScheduleError as exc:
        form.add_error(None, str(exc))
        return form, None
    messages.success(request, _published_message(release))
    return form, release


def release_form(workshop: Workshop, found: list[Conflict]) -> PublishReleaseForm:
    """The publish form as first shown: the next version, and the box to tick when the
    schedule has conflicts."""
    return PublishReleaseForm(prefix="release", initial=_release_initial(workshop), conflicts=found)


def _blank_rows(request: HttpRequest) -> int:
    """How many blank rows to offer: ``?rows=N`` (the “more rows” links), within bounds."""
    try:
        wanted = int(request.GET.get("rows", BLANK_ROWS))
    except ValueError:
        wanted = BLANK_ROWS
    return min(max(wanted, 1), MAX_BLANK_ROWS)


def _formset(workshop: Workshop, data=None, extra: int = BLANK_ROWS):
    # Rooms and speakers are read once for all rows (the forms' choices never query).
    rooms = list(workshop.rooms.all())
    speakers = selectors.speaker_choices(workshop)
    return schedule_formset(extra)(
        data,
        queryset=conflicts.schedule_queryset(workshop),
        prefix="items",
        form_kwargs={"workshop": workshop, "rooms": rooms, "speakers": speakers},
    )


def _row_errors(formset) -> list[tuple[str, str, list[str]]]:
    """Each refused row once, for the summary at the top: its anchor, label and errors."""
    found = []
    for index, form in enumerate(formset.forms, start=1):
        if not form.errors:
            continue
        anchor = f"item-{form.instance.pk}" if form.instance.pk else f"row-{form.prefix}"
        title = form.data.get(f"{form.prefix}-title") or form.instance.title
        label = f"“{title}”" if title else f"row {index}"
        messages_ = [str(e) for e in form.non_field_errors()]
        messages_ += [
            f"{form[name].label}: {error}"
            for name, errors in form.errors.items()
            if name != "__all__"
            for error in errors
        ]
        found.append((anchor, label, messages_))
    return found


def _day_tables(formset, marked: dict[int, list[Conflict]]) -> list[DayTable]:
    by_day: dict[dt.date | None, DayTable] = {}
    for form in formset.initial_forms:
        day = form.initial.get("day")
        table = by_day.get(day)
        if table is None:
            label = date_format(day, "l j F Y") if day else "Not placed yet"
            table = by_day[day] = DayTable(label=label, date=day)
        table.rows.append(Row(form=form, conflicts=marked.get(form.instance.pk, [])))
    return sorted(by_day.values(), key=lambda t: (t.date is None, t.date or dt.date.min))


def pending_changes(workshop: Workshop, items, *, has_release: bool) -> list:
    """Return what publishing now would announce, against the latest release."""
    latest = (
        ScheduleRelease.objects.filter(workshop=workshop)
        .order_by("-published_at", "-pk")
        .only("snapshot")
        .first()
        if has_release
        else None
    )
    diff = changes.diff_snapshots(latest.snapshot if latest else [], changes.take_snapshot(items))
    return changes.describe_changes(diff, workshop.tz)


def _release_initial(workshop: Workshop) -> dict:
    count = ScheduleRelease.objects.filter(workshop=workshop).count()
    status = workshop.schedule_status
    if status == Workshop.ScheduleStatus.HIDDEN:
        status = Workshop.ScheduleStatus.TENTATIVE
    return {"version": f"v{count + 1}", "status": status, "notify": True}


def _published_message(release: ScheduleRelease) -> str:
    counts = {kind: len(release.changes.get(kind, [])) for kind in changes.CHANGE_KINDS}
    mailed = OutgoingMail.objects.filter(key__startswith=f"schedule-change:{release.pk}:").count()
    summary = ", ".join(
        f"{n} {changes.CHANGE_COUNT_LABELS.get(kind, kind)}" for kind, n in counts.items()
    )
    return (
        f"Published {release.version} ({release.get_status_display().lower()}): {summary}; "
        f"{mailed} speaker mail(s) queued."
    )
