"""Organizer admin for registrations; every action calls the same services as the public pages."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from registration import outreach, services
from registration.exports import registrations_csv_response
from registration.forms import EmailAttendeesForm
from registration.mailtexts import DEFAULTS, PLACEHOLDERS
from registration.models import MailText, Question, Registration, RegistrationSettings
from workshops.access import WorkshopScopedAdmin
from workshops.admin import WorkshopZoneMixin, zoned_column
from workshops.models import Workshop


class RegistrationSettingsForm(forms.ModelForm):
    class Meta:
        model = RegistrationSettings
        fields = (
            "workshop",
            "opens_at",
            "closes_at",
            "capacity",
            "waitlist_enabled",
            "requires_approval",
            "show_remaining_seats",
            "ask_affiliation",
            "ask_career_stage",
            "ask_dietary",
            "ask_list_consent",
            "participant_list_public",
            "reminder_days_before",
            "confirm_address_hours",
        )

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if self.instance.pk:
            try:
                services.check_capacity(self.instance, capacity)
            except services.CapacityBelowConfirmed as exc:
                raise forms.ValidationError(str(exc)) from exc
        return capacity


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(WorkshopZoneMixin, WorkshopScopedAdmin):
    form = RegistrationSettingsForm
    list_display = ("workshop", "opens", "closes", "capacity", "waitlist_enabled", "tools")
    list_select_related = ("workshop",)
    list_filter = ("waitlist_enabled", "requires_approval")
    search_fields = ("workshop__title",)

    def get_readonly_fields(self, request, obj=None):
        return ("workshop",) if obj else ()

    opens = zoned_column("opens_at", "opens")
    closes = zoned_column("closes_at", "closes")

    def save_model(self, request, obj, form, change):
        capacity = obj.capacity
        if change and "capacity" in form.changed_data:
            # The new capacity goes through the service: it re-checks under the lock and
            # promotes waiting people into new seats, mailing each of them.
            obj.capacity = RegistrationSettings.objects.get(pk=obj.pk).capacity
            super().save_model(request, obj, form, change)
            try:
                promoted = services.set_capacity(workshop=obj.workshop, capacity=capacity)
            except services.RegistrationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
            obj.capacity = capacity
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d person moved up from the waiting list and was mailed.",
                        "%(count)d people moved up from the waiting list and were mailed.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                    messages.SUCCESS,
                )
            return
        super().save_model(request, obj, form, change)

    @admin.display(description="Pages")
    def tools(self, obj: RegistrationSettings):
        slug = obj.workshop.slug
        return format_html(
            '<a href="{}">form</a> · <a href="{}">check-in</a>',
            reverse("registration:register", args=[slug]),
            reverse("registration:checkin", args=[slug]),
        )


@admin.register(Question)
class QuestionAdmin(WorkshopScopedAdmin):
    list_display = ("label", "workshop", "kind", "required", "order")
    list_filter = (("workshop", admin.RelatedOnlyFieldListFilter), "kind", "required")
    search_fields = ("label",)
    list_select_related = ("workshop",)


@admin.register(MailText)
class MailTextAdmin(WorkshopScopedAdmin):
    list_display = ("kind", "workshop", "subject")
    list_filter = (("workshop", admin.RelatedOnlyFieldListFilter), "kind")
    search_fields = ("subject", "body")
    list_select_related = ("workshop",)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        kind = initial.get("kind") or request.GET.get("kind")
        if kind in DEFAULTS:
            initial.setdefault("subject", DEFAULTS[kind][0])
            initial.setdefault("body", DEFAULTS[kind][1])
        return initial

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            field.help_text = "Placeholders: " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
        return field


class CheckedInFilter(admin.SimpleListFilter):
    title = "checked in"
    parameter_name = "arrived"

    def lookups(self, request, model_admin):
        return (("yes", "Checked in"), ("no", "Not yet"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(checked_in_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


@admin.register(Registration)
class RegistrationAdmin(WorkshopZoneMixin, WorkshopScopedAdmin):
    list_display = (
        "full_name",
        "email",
        "affiliation",
        "workshop",
        "status",
        "registered",
        "checked_in",
    )
    # RelatedOnly: the filter lists the workshops in this organizer's rows, not every title.
    list_filter = (
        "status",
        ("workshop", admin.RelatedOnlyFieldListFilter),
        "career_stage",
        CheckedInFilter,
        "list_consent",
    )
    search_fields = ("first_name", "last_name", "email", "affiliation", "checkin_code")
    list_select_related = ("workshop",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = (
        "approve",
        "reject",
        "move_up",
        "cancel",
        "resend_link",
        "email_selected",
        "export_csv",
    )
    readonly_fields = (
        "workshop",
        "email",
        "status",
        "created_at",
        "queued_at",
        "confirmed_at",
        "cancelled_at",
        "checkin_code",
        "checked_in_at",
        "reminder_sent_at",
        "answers",
        "manage_link",
    )
    fields = (
        "workshop",
        "status",
        ("first_name", "last_name"),
        "email",
        "affiliation",
        "career_stage",
        "dietary_needs",
        "list_consent",
        "answers",
        "created_at",
        "queued_at",
        "confirmed_at",
        "cancelled_at",
        "checkin_code",
        "checked_in_at",
        "reminder_sent_at",
        "manage_link",
    )

    def has_add_permission(self, request, *args) -> bool:
        # Registrations enter through the public form, whose rules (capacity, window) hold.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a seat would free it without moving the waiting list up: cancel first.
        if obj is not None and obj.is_active:
            return False
        return super().has_delete_permission(request, obj)

    registered = zoned_column("created_at", "registered")
    checked_in = zoned_column("checked_in_at", "checked in")

    @admin.display(description="self-service link")
    def manage_link(self, obj: Registration):
        return format_html('<a href="{}">open</a>', obj.get_absolute_url())

    def _each(self, request, queryset: QuerySet, service, done: str) -> None:
        ok, errors = 0, []
        for registration in queryset.order_by("queued_at", "created_at", "pk"):
            try:
                service(registration=registration)
                ok += 1
            except services.RegistrationError as exc:
                errors.append(str(exc))
        if ok:
            self.message_user(request, f"{ok} registration(s) {done}.", messages.SUCCESS)
        for error in errors:
            self.message_user(request, error, messages.ERROR)

    @admin.action(description="Approve the selected registrations")
    def approve(self, request, queryset):
        self._each(request, queryset, services.approve_registration, "approved")

    @admin.action(description="Turn down the selected registrations")
    def reject(self, request, queryset):
        self._each(request, queryset, services.reject_registration, "turned down")

    @admin.action(description="Move the selected people up from the waiting list")
    def move_up(self, request, queryset):
        self._each(request, queryset, services.move_from_waitlist, "confirmed")

    @admin.action(description="Cancel the selected registrations")
    def cancel(self, request, queryset):
        self._each(request, queryset, services.cancel_registration, "cancelled")

    @admin.action(description="Send the self-service link again")
    def resend_link(self, request, queryset):
        self._each(request, queryset.active(), outreach.send_link_again, "sent their link")

    @admin.action(description="Email the selected people…")
    def email_selected(self, request, queryset):
        """Write a message, preview it as the first recipients get it, mail a test copy to
        oneself, then send; unknown placeholders are refused by the form."""
        step = next((s for s in ("send", "preview", "test") if s in request.POST), None)
        form = EmailAttendeesForm(request.POST if step else None)
        previews = []
        if step and form.is_valid():
            text = {"subject": form.cleaned_data["subject"], "body": form.cleaned_data["body"]}
            if step == "send":
                count = outreach.email_registrations(registrations=queryset, **text)
                self.message_user(request, f"{count} mail(s) queued.", messages.SUCCESS)
                return None
            if step == "test":
                outreach.send_test_message(registrations=queryset, to=request.user.email, **text)
                self.message_user(
                    request,
                    f"A test copy, as the first recipient gets it, is on its way to "
                    f"{request.user.email}.",
                    messages.SUCCESS,
                )
            previews = outreach.preview_messages(registrations=queryset, **text)
        return render(
            request,
            "admin/registration/email_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": "Email the selected people",
                "form": form,
                "queryset": queryset,
                "recipients": queryset.order_by("last_name", "first_name", "pk"),
                "previews": previews,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Export the selected registrations as CSV")
    def export_csv(self, request, queryset) -> HttpResponse:
        return registrations_csv_response(queryset)


# The workshop admin as the apps before this one left it (workshops, schedule): extended, as
# Django's docs extend UserAdmin, so each app adds its own columns without knowing the others.
RegisteredWorkshopAdmin = type(admin.site.get_model_admin(Workshop))


class WorkshopWithSeatsAdmin(RegisteredWorkshopAdmin):
    """The workshop list, with seats taken and the waiting list at a glance."""

    list_display = (*RegisteredWorkshopAdmin.list_display[:-1], "seats", "waiting", "site")
    # The schedule's buttons, and the registrations' own: their list, the check-in desk.
    change_form_template = "admin/registration/workshop_change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("registration_settings")
            .annotate(
                n_confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
                n_waiting=Count("registrations", filter=Q(registrations__status="waitlisted")),
            )
        )

    @admin.display(description="confirmed / capacity")
    def seats(self, obj: Workshop) -> str:
        conf = getattr(obj, "registration_settings", None)
        if conf is None:
            return "—"
        capacity = "∞" if conf.capacity is None else conf.capacity
        return f"{obj.n_confirmed} / {capacity}"

    @admin.display(description="waiting")
    def waiting(self, obj: Workshop) -> int:
        return obj.n_waiting


admin.site.unregister(Workshop)
admin.site.register(Workshop, WorkshopWithSeatsAdmin)
