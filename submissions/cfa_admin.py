"""Organizer admin for the call for abstracts and its submission types (registered in apps.py).

The opening and the deadline are typed in the deadline's zone (AoE by default), so that
“15 March 2031, 23:59” means 23:59 Anywhere on Earth, exactly as the call announces it.
"""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from submissions.models import CallForAbstracts, SubmissionType
from submissions.services import deadline_text, ensure_submission_types
from workshops.access import WorkshopScopedAdmin
from workshops.models import Topic, validate_time_zone
from workshops.timezones import AOE, zone_choices


def _valid_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        validate_time_zone(name)
    except forms.ValidationError:
        return None
    return name


class CallForAbstractsAdmin(WorkshopScopedAdmin):
    list_display = (
        "workshop",
        "opens",
        "deadline_in_zone",
        "notification_date",
        "pdf_upload",
        "blind_review",
        "multiple_submissions",
    )
    list_select_related = ("workshop",)
    list_filter = ("pdf_upload", "blind_review")
    search_fields = ("workshop__title", "workshop__short_title")
    readonly_fields = ("types_and_topics",)
    fieldsets = (
        (None, {"fields": ("workshop",)}),
        (
            "Dates",
            {
                "fields": ("deadline_zone", "opens_at", "deadline", "notification_date"),
                "description": "The opening and the deadline are in the deadline's zone "
                "(AoE: Anywhere on Earth, UTC−12). The workshop page shows them in that zone, "
                "with each visitor's local time beside them.",
            },
        ),
        (
            "Submissions",
            {
                "fields": (
                    "types_and_topics",
                    "word_limit",
                    ("pdf_upload", "pdf_max_mb"),
                    "multiple_submissions",
                )
            },
        ),
        ("Review", {"fields": ("blind_review", "reviewers_per_submission", "review_deadline")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("workshop", *self.readonly_fields) if obj else self.readonly_fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "deadline_zone":
            kwargs["widget"] = forms.Select(choices=zone_choices())
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def _deadline_zone(self, request: HttpRequest, object_id: str | None) -> str:
        # A zone just chosen in the form applies to the times typed with it: changing AoE to
        # Europe/Paris and keeping 23:59 means 23:59 in Paris.
        if request.method == "POST" and (posted := _valid_zone(request.POST.get("deadline_zone"))):
            return posted
        if object_id:
            obj = self.get_object(request, object_id)
            if obj is not None:
                return obj.deadline_zone
        return AOE

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = zoneinfo.ZoneInfo(self._deadline_zone(request, object_id))
        with timezone.override(zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # A lazy TemplateResponse would render after the override ends, in UTC.
            if hasattr(response, "render"):
                response.render()
            return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            ensure_submission_types(obj.workshop)

    @admin.display(description="opens", ordering="opens_at")
    def opens(self, obj: CallForAbstracts) -> str:
        if obj.opens_at is None:
            return "—"
        local = timezone.localtime(obj.opens_at, zoneinfo.ZoneInfo(obj.deadline_zone))
        return f"{date_format(local, 'j F Y, H:i')} {obj.deadline_zone_label}"

    @admin.display(description="deadline", ordering="deadline")
    def deadline_in_zone(self, obj: CallForAbstracts) -> str:
        return deadline_text(obj)

    @admin.display(description="types and topics")
    def types_and_topics(self, obj: CallForAbstracts | None):
        if obj is None or obj.pk is None:
            return "Talk, poster, spotlight and lightning talk are added when you save."
        types = SubmissionType.objects.filter(workshop=obj.workshop)
        topics = Topic.objects.filter(workshop=obj.workshop)
        return format_html(
            'Types: {} (<a href="{}?workshop__id__exact={}">edit</a>)<br>'
            'Topics: {} (<a href="{}">edit with the workshop</a>)',
            ", ".join(t.name for t in types) or "none",
            reverse("admin:submissions_submissiontype_changelist"),
            obj.workshop_id,
            format_html_join(", ", "{}", ((t.name,) for t in topics)) or "none",
            reverse("admin:workshops_workshop_change", args=[obj.workshop_id]),
        )


class SubmissionTypeAdmin(WorkshopScopedAdmin):
    list_display = ("name", "workshop", "order")
    list_editable = ("order",)
    list_filter = (("workshop", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("workshop",)
    search_fields = ("name",)


def register(site: admin.AdminSite) -> None:
    """Register both admins unless another module already did (tests check which one won)."""
    for model, model_admin in (
        (CallForAbstracts, CallForAbstractsAdmin),
        (SubmissionType, SubmissionTypeAdmin),
    ):
        if not site.is_registered(model):
            site.register(model, model_admin)
