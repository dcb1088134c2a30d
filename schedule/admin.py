"""The schedule in the admin: rooms, items, releases, and the workshop's schedule desk.

The workshop's own admin (workshops/admin.py) knows nothing of schedules; this app extends it,
as Django's docs extend ``UserAdmin``: the registered ``WorkshopAdmin`` is replaced by a
subclass that adds the rooms inline, the "Schedule" column and button (the desk, at
``<workshop>/schedule/``) and the "draft talk slots" action.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from schedule import changes, conflicts, services
from schedule.admin_desk import schedule_page
from schedule.admin_grid import grid_page
from schedule.admin_import import import_page
from schedule.models import Room, ScheduleItem, ScheduleRelease
from workshops.access import WorkshopScopedAdmin, WorkshopScopedInline
from workshops.admin import RelatedOnly, WorkshopZoneMixin, in_workshop_zone, person_field
from workshops.models import Workshop
from workshops.widgets import DATE_WIDGET, TIME_WIDGET


class RoomInline(WorkshopScopedInline, admin.TabularInline):
    model = Room
    extra = 0
    fields = ("order", "name", "capacity")


# The workshop admin as the workshops app registered it, extended (registration/admin.py
# extends this one in turn).
RegisteredWorkshopAdmin = type(admin.site.get_model_admin(Workshop))


class WorkshopAdmin(RegisteredWorkshopAdmin):
    inlines = (*RegisteredWorkshopAdmin.inlines, RoomInline)
    list_display = (*RegisteredWorkshopAdmin.list_display[:-1], "schedule", "site")
    actions = ("draft_talk_slots",)
    change_form_template = "admin/schedule/workshop_change_form.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_schedule"
        # Before the inherited URLs: their "<path:object_id>/" would swallow ".../schedule/".
        return [
            path(
                "<path:object_id>/schedule/grid/",
                self.admin_site.admin_view(self.grid_view),
                name=f"{name}_grid",
            ),
            path(
                "<path:object_id>/schedule/import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{name}_import",
            ),
            path(
                "<path:object_id>/schedule/",
                self.admin_site.admin_view(self.schedule_view),
                name=name,
            ),
            *super().get_urls(),
        ]

    def schedule_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._workshop_page(request, object_id, schedule_page)

    def import_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._workshop_page(request, object_id, import_page)

    def grid_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._workshop_page(request, object_id, grid_page)

    def _workshop_page(self, request: HttpRequest, object_id: str, page) -> HttpResponse:
        """``page`` for a workshop this organizer may change (else 404), in its time zone."""
        workshop = self.get_object(request, unquote(object_id))
        if workshop is None or not self.has_change_permission(request, workshop):
            raise Http404("No such workshop.")
        with timezone.override(workshop.tz):
            return page(self, request, workshop)

    @admin.display(description="Schedule")
    def schedule(self, obj: Workshop):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:workshops_workshop_schedule", args=[obj.pk]),
            obj.get_schedule_status_display().lower(),
        )

    @admin.action(description="Draft talk slots for confirmed speakers")
    def draft_talk_slots(self, request, queryset):
        created = sum(
            len(services.draft_items_for_speakers(workshop=workshop)) for workshop in queryset
        )
        self.message_user(
            request, f"{created} talk slot(s) drafted for confirmed speakers.", messages.SUCCESS
        )


admin.site.unregister(Workshop)
admin.site.register(Workshop, WorkshopAdmin)


@admin.register(Room)
class RoomAdmin(WorkshopScopedAdmin):
    list_display = ("name", "workshop", "capacity")
    list_filter = (("workshop", RelatedOnly),)
    search_fields = ("name",)
    list_select_related = ("workshop",)


@admin.register(ScheduleItem)
class ScheduleItemAdmin(WorkshopZoneMixin, WorkshopScopedAdmin):
    list_display = ("display_title", "kind", "workshop", "when", "room")
    list_filter = (("workshop", RelatedOnly), "kind", ("room", RelatedOnly))
    search_fields = ("title", "abstract", "speakers__name")
    list_select_related = ("workshop", "room")
    autocomplete_fields = ("speakers",)
    date_hierarchy = "start"
    # A date and a 24-hour HH:MM field, read in the workshop's zone (WorkshopZoneMixin), not
    # the admin's calendar and clock widgets: those warn “You are 1 hour behind server time”
    # for a time that is neither the browser's nor the server's, and show AM/PM.
    formfield_overrides = {
        models.DateTimeField: {
            "widget": forms.SplitDateTimeWidget(
                date_attrs={"type": "date"},
                date_format="%Y-%m-%d",
                time_attrs=TIME_WIDGET.attrs,
                time_format="%H:%M",
            )
        },
        models.DateField: {"widget": DATE_WIDGET},
    }

    def view_on_site(self, obj: ScheduleItem) -> str:
        return obj.workshop.get_absolute_url()

    @admin.display(description="when (workshop's zone)", ordering="start")
    def when(self, obj: ScheduleItem) -> str:
        return conflicts.describe_slot(
            day=obj.day if obj.all_day else None,
            start=obj.start,
            end=obj.end,
            room=None,
            tz=obj.workshop.tz,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Whoever is put on an item speaks at its workshop (the speakers page lists them).
        services.ensure_appearances(
            form.instance.workshop_id, [s.pk for s in form.cleaned_data["speakers"]]
        )
        # After the speakers are saved: a double-booked speaker is a conflict too.
        for conflict in conflicts.conflicts_for_item(form.instance):
            self.message_user(request, conflict.message, messages.WARNING)


@admin.register(ScheduleRelease)
class ScheduleReleaseAdmin(WorkshopScopedAdmin):
    """Releases are written by publishing from the schedule page; here they are only read."""

    list_display = ("version", "workshop", "status", "published", "published_by", "summary")
    list_filter = (("workshop", RelatedOnly), "status")
    list_select_related = ("workshop", "published_by")
    search_fields = ("version", "notes", "workshop__title")
    fields = (
        "workshop",
        "version",
        "status",
        "published",
        "published_by_person",
        "notes",
        "summary",
        "change_lines",
    )
    readonly_fields = fields
    published_by_person = person_field("published_by", "published by")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("snapshot")

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Deleting stays with the organizers: a workshop's deletion cascades to its releases,
    # and the admin refuses to delete what holds rows one may not delete.

    @admin.display(description="published (workshop's zone)", ordering="published_at")
    def published(self, obj: ScheduleRelease) -> str:
        return in_workshop_zone(obj.published_at, obj.workshop)

    @admin.display(description="changes")
    def summary(self, obj: ScheduleRelease) -> str:
        counts = [(kind, len(obj.changes.get(kind, []))) for kind in changes.CHANGE_KINDS]
        return ", ".join(f"{n} {kind}" for kind, n in counts if n) or "no change"

    @admin.display(description="what changed")
    def change_lines(self, obj: ScheduleRelease):
        lines = changes.describe_changes(obj.changes, obj.workshop.tz)
        if not lines:
            return "—"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line.text,) for line in lines))
        )
