from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from workshops.access import (
    WorkshopScopedAdmin,
    WorkshopScopedInline,
    is_organizer,
    managed_workshops,
)
from workshops.models import (
    KeyDate,
    Series,
    SpeakerAppearance,
    SpeakerAvailability,
    SpeakerProfile,
    TeamMember,
    Topic,
    Workshop,
)
from workshops.selectors import still_on_items
from workshops.templatetags.workshop_tags import date_range
from workshops.timezones import zone_choices
from workshops.widgets import DATE_WIDGET, TIME_WIDGET

# Every filter that lists rows of another model lists only those of rows this user sees: a
# plain filter on "workshop" named every workshop of the site, and their ids.
RelatedOnly = admin.RelatedOnlyFieldListFilter

admin.site.site_header = "Workshop platform"
admin.site.site_title = "Workshop platform"
admin.site.index_title = "Organize"
# The lists need the width (their key columns were off-screen at 1280 px); the breadcrumbs
# and the index lead everywhere the sidebar did.
admin.site.enable_nav_sidebar = False


class ZoneChoiceMixin:
    """Offer time zones as a list (AoE included) rather than a free text box."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            blank = [("", "— the workshop's zone —")] if db_field.blank else []
            kwargs["widget"] = forms.Select(choices=blank + zone_choices())
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class WorkshopZoneMixin:
    """Show and read the datetimes of a workshop's object in that workshop's time zone."""

    def _object_and_workshop(self, request: HttpRequest, object_id: str | None):
        if object_id:
            obj = self.get_object(request, object_id)
            return obj, (obj.workshop if obj else None)
        workshop_id = request.POST.get("workshop") or request.GET.get("workshop") or ""
        # isdigit() alone says yes to "²" and to a thousand nines, which int() or the database
        # refuse (a 500): ASCII digits, short enough for a 64-bit id.
        if workshop_id.isascii() and workshop_id.isdigit() and len(workshop_id) <= 18:
            return None, Workshop.objects.managed_by(request.user).filter(pk=workshop_id).first()
        return None, None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj, workshop = self._object_and_workshop(request, object_id)
        tz = workshop.tz if workshop else timezone.get_current_timezone()
        extra_context = {**(extra_context or {}), "workshop_time_zone": str(tz)}
        if obj is not None and workshop is not None:
            # Under the title, where the admin names the object: which zone its times are in.
            extra_context["subtitle"] = f"{obj} · times in {tz}"
        with timezone.override(tz):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # The admin answers with a lazy TemplateResponse: render it while the zone holds,
            # or the form shows UTC and saving it unchanged shifts every time by the offset.
            if hasattr(response, "render"):
                response.render()
            return response


def person_field(field: str, label: str):
    """A read-only field naming the account in ``field`` with its address, never linking to
    the account's admin page: only superusers may open that, and an organizer must not be
    led to a page they cannot open."""

    @admin.display(description=label)
    def column(self, obj) -> str:
        user = getattr(obj, field)
        if user is None:
            return "—"
        return format_html(
            '{} &lt;<a href="mailto:{}">{}</a>&gt;',
            user.full_name or user.email,
            user.email,
            user.email,
        )

    return column


def zoned_column(field: str, label: str):
    """A list column showing ``field`` (a datetime of the row's workshop) in that zone."""

    @admin.display(description=label, ordering=field)
    def column(self, obj) -> str:
        # Short (“7 Dec 2026, 23:36 CET”, the zone on the value): a list has many columns.
        return in_workshop_zone(getattr(obj, field), obj.workshop, "SHORT_DATETIME_FORMAT")

    return column


def in_workshop_zone(value, workshop: Workshop, style: str = "DATETIME_FORMAT") -> str:
    """“7 December 2026, 23:36 CET”: a moment in the workshop's zone, labelled."""
    if value is None:
        return "—"
    local = timezone.localtime(value, workshop.tz)
    return f"{date_format(local, style)} {local:%Z}"


class KeyDateInline(ZoneChoiceMixin, WorkshopScopedInline, admin.TabularInline):
    model = KeyDate
    extra = 0
    fields = ("order", "label", "date", "end_date", "time", "time_zone", "note")


class TopicInline(WorkshopScopedInline, admin.TabularInline):
    model = Topic
    extra = 0
    fields = ("order", "name", "parent", "description")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            workshop_id = request.resolver_match.kwargs.get("object_id")
            field.queryset = field.queryset.filter(workshop_id=workshop_id, parent=None)
        return field


class TeamMemberInline(WorkshopScopedInline, admin.TabularInline):
    model = TeamMember
    extra = 0
    fields = ("order", "name", "role", "affiliation", "url")


class SpeakerAppearanceInline(WorkshopScopedInline, admin.TabularInline):
    model = SpeakerAppearance
    extra = 0
    fields = ("order", "speaker", "role", "confirmed")
    autocomplete_fields = ("speaker",)


@admin.register(Workshop)
class WorkshopAdmin(ZoneChoiceMixin, WorkshopScopedAdmin):
    workshop_path = ""
    list_display = (
        "title",
        "short_title",
        "kind",
        "dates",
        "published",
        "site",
    )
    list_filter = ("published", "kind", ("series", RelatedOnly), "schedule_status")
    search_fields = ("title", "short_title", "slug", "venue_name", "city")
    prepopulated_fields = {"slug": ("short_title",)}
    date_hierarchy = "start_date"
    inlines = (KeyDateInline, TopicInline, TeamMemberInline, SpeakerAppearanceInline)
    fieldsets = (
        (
            None,
            {"fields": ("title", "short_title", "slug", "series", "edition", "kind", "tagline")},
        ),
        ("Description", {"fields": ("description",)}),
        ("Dates", {"fields": ("start_date", "end_date", "dates_note", "time_zone")}),
        (
            "Venue",
            {
                "fields": (
                    "venue_name",
                    "venue_url",
                    "venue_address",
                    "city",
                    "country",
                    ("latitude", "longitude"),
                    "directions_url",
                    "attendance_note",
                )
            },
        ),
        (
            "Public page",
            {
                "fields": (
                    "contact_email",
                    "contact_note",
                    "website",
                    "registration_note",
                    "speakers_note",
                    "schedule_status",
                    "published",
                )
            },
        ),
        ("Who manages it", {"fields": ("organizers",)}),
    )
    filter_horizontal = ("organizers",)

    def get_queryset(self, request: HttpRequest):
        qs = Workshop.objects.all()
        if request.user.is_superuser:
            return qs
        if not is_organizer(request.user):
            return qs.none()
        return qs.filter(organizers=request.user)

    def manages(self, request, obj=None) -> bool:
        user = request.user
        if not is_organizer(user):
            return False
        if user.is_superuser or obj is None:
            return True
        return obj.organizers.filter(pk=user.pk).exists()

    def get_readonly_fields(self, request, obj=None):
        # Only superusers hand out workshops: the user list is not an organizer's to browse.
        return () if request.user.is_superuser else ("organizers",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not request.user.is_superuser:
            form.instance.organizers.add(request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is SpeakerAppearance:
            leaving = [f.instance for f in formset.deleted_forms if f.instance.pk]
            leaving += [
                f.instance
                for f in formset.initial_forms
                if "confirmed" in f.changed_data and not f.cleaned_data.get("confirmed")
            ]
            warnings = [still_on_items(appearance) for appearance in leaving]
        else:
            warnings = []
        super().save_formset(request, form, formset, change)
        for warning in filter(None, warnings):
            self.message_user(request, warning, messages.WARNING)

    @admin.display(description="dates", ordering="start_date")
    def dates(self, obj: Workshop) -> str:
        """“26–27 January 2027”: one column, written as the public pages write dates."""
        return date_range(obj.start_date, obj.end_date)

    @admin.display(description="Public page")
    def site(self, obj: Workshop):
        if not obj.published:
            return "unpublished"
        return format_html('<a href="{}">view</a>', obj.get_absolute_url())


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "website")
    search_fields = ("name", "short_name")
    prepopulated_fields = {"slug": ("name",)}

    def has_module_permission(self, request):
        return is_organizer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_organizer(request.user)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(SpeakerProfile)
class SpeakerProfileAdmin(WorkshopScopedAdmin):
    """Speakers: editable as SpeakerProfile.objects.editable_by() says, shown read-only (public
    fields only) to the organizers of every workshop that lists them."""

    list_display = ("name", "affiliation", "homepage", "home_workshop", "user")
    list_filter = ("appearances__role",)
    autocomplete_fields = ("user",)
    created_by_person = person_field("created_by", "created by")
    account = person_field("user", "account")
    # Shown by name and address (person_field), never as a link to the account's admin page,
    # which only superusers may open; still read-only, so never in the form.
    SHOWN_AS = {"created_by": "created_by_person", "user": "account"}
    # Never the private email: the organizers who may search here see other workshops' speakers.
    search_fields = ("name", "affiliation")
    PRIVATE_FIELDS = ("email",)

    def get_queryset(self, request):
        return SpeakerProfile.objects.visible_to(request.user).select_related("home_workshop")

    def get_search_results(self, request, queryset, search_term):
        # The speaker picker of a workshop offers public speakers too, so an organizer can
        # book someone who spoke elsewhere instead of creating a duplicate profile.
        if request.path.endswith("/autocomplete/"):
            queryset = SpeakerProfile.objects.selectable_by(request.user)
        return super().get_search_results(request, queryset, search_term)

    def may_edit(self, request, obj) -> bool:
        return SpeakerProfile.objects.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None) -> bool:
        if not is_organizer(request.user):
            return False
        if request.user.is_superuser or obj is None:
            return True
        return SpeakerProfile.objects.visible_to(request.user).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None) -> bool:
        if not is_organizer(request.user):
            return False
        return obj is None or request.user.is_superuser or self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not self.has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        # Deleting a profile deletes its appearances: only where it appears nowhere else.
        managed = managed_workshops(request.user)
        return not (
            obj.appearances.exclude(workshop__in=managed).exists()
            or obj.schedule_items.exclude(workshop__in=managed).exists()
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            fields = [f for f in fields if f not in self.PRIVATE_FIELDS]
        readonly = self.get_readonly_fields(request, obj)
        shown = [self.SHOWN_AS.get(f, f) if f in readonly else f for f in fields]
        return list(dict.fromkeys(shown))

    def get_autocomplete_fields(self, request):
        return ("user",) if request.user.is_superuser else ()

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ("created_by", "created_by_person")
        return ("created_by", "created_by_person", "user", "account")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        home = form.base_fields.get("home_workshop")
        if home is not None:
            # A speaker's page is no place to add, edit or delete a workshop.
            for action in ("add", "change", "delete", "view"):
                setattr(home.widget, f"can_{action}_related", False)
        if home is not None and not request.user.is_superuser:
            # An organizer's new profile belongs to one of their workshops, or nobody edits it.
            home.required = obj is None or obj.user_id is None
            managed = managed_workshops(request.user)
            if obj is None and managed.count() == 1:
                home.initial = managed.get().pk
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class SpeakerAvailabilityInline(admin.TabularInline):
    """When the speaker can be there (the workshop's clock); none: any time. The schedule's
    conflicts name an item outside these times."""

    model = SpeakerAvailability
    extra = 1
    fields = ("day", "start", "end")
    verbose_name = "time the speaker can be there"
    verbose_name_plural = "when the speaker can be there (none: any time, on the workshop's clock)"
    formfield_overrides = {
        models.DateField: {"widget": DATE_WIDGET},
        models.TimeField: {"widget": TIME_WIDGET},
    }

    # Rows of an appearance: whoever may change the appearance (its workshop's organizers,
    # WorkshopScopedAdmin) may change these.
    def has_view_permission(self, request, obj=None):
        return is_organizer(request.user)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(SpeakerAppearance)
class SpeakerAppearanceAdmin(WorkshopScopedAdmin):
    inlines = (SpeakerAvailabilityInline,)
    list_display = ("speaker", "workshop", "role", "confirmed", "available")
    list_filter = ("role", "confirmed", ("workshop", RelatedOnly))
    search_fields = ("speaker__name", "speaker__affiliation", "workshop__title")
    list_select_related = ("speaker", "workshop")
    autocomplete_fields = ("speaker",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("availabilities")

    @admin.display(description="can be there")
    def available(self, obj: SpeakerAppearance) -> str:
        return "; ".join(w.text for w in obj.availabilities.all()) or "any time"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "confirmed" in form.changed_data and not obj.confirmed:
            self._warn_if_on_items(request, obj)

    def delete_model(self, request, obj):
        warning = still_on_items(obj)
        super().delete_model(request, obj)
        if warning:
            self.message_user(request, warning, messages.WARNING)

    def delete_queryset(self, request, queryset):
        warnings = [still_on_items(a) for a in queryset.select_related("speaker")]
        super().delete_queryset(request, queryset)
        for warning in filter(None, warnings):
            self.message_user(request, warning, messages.WARNING)

    def _warn_if_on_items(self, request, appearance):
        if warning := still_on_items(appearance):
            self.message_user(request, warning, messages.WARNING)


@admin.register(KeyDate)
class KeyDateAdmin(ZoneChoiceMixin, WorkshopScopedAdmin):
    list_display = ("label", "workshop", "date", "time", "time_zone")
    list_filter = (("workshop", RelatedOnly),)
    search_fields = ("label",)
    list_select_related = ("workshop",)


@admin.register(Topic)
class TopicAdmin(WorkshopScopedAdmin):
    list_display = ("name", "parent", "workshop", "order")
    list_filter = (("workshop", RelatedOnly),)
    search_fields = ("name", "description")
    list_select_related = ("workshop", "parent")


@admin.register(TeamMember)
class TeamMemberAdmin(WorkshopScopedAdmin):
    list_display = ("name", "role", "affiliation", "workshop")
    list_filter = (("workshop", RelatedOnly),)
    search_fields = ("name", "affiliation", "role")
    list_select_related = ("workshop",)
