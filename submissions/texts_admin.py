"""The decision mail texts in the admin: per decision (and submission type), with placeholders."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from submissions import emails
from submissions.admin_common import DECISIONS, ScopedChoicesMixin
from submissions.models import (
    DecisionMailText,
)
from workshops.access import WorkshopScopedAdmin

# Decision mail texts -------------------------------------------------------------------------


PLACEHOLDER_HELP = format_html(
    "Placeholders: {}. Without a text for a decision and type, the text for the decision "
    "(any type) is used, else the built-in one.",
    ", ".join(
        "{" + name + "}"
        for name in (
            "first_name",
            "name",
            "title",
            "workshop",
            "decision",
            "type",
            "confirm_url",
            "reviews",
        )
    ),
)


class DecisionMailTextForm(forms.ModelForm):
    class Meta:
        model = DecisionMailText
        fields = ("workshop", "decision", "type", "subject", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "cols": 80})}

    def clean(self):
        data = super().clean()
        workshop, kind = data.get("workshop"), data.get("type")
        if workshop and kind and kind.workshop_id != workshop.pk:
            self.add_error("type", "Choose a submission type of this workshop.")
        if (
            workshop
            and data.get("decision")
            and kind is None
            and DecisionMailText.objects.filter(
                workshop=workshop, decision=data["decision"], type=None
            )
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            # NULLs are distinct to the unique constraint: check the "any type" text here.
            self.add_error("decision", "This workshop has a text for this decision already.")
        return data


@admin.register(DecisionMailText)
class DecisionMailTextAdmin(ScopedChoicesMixin, WorkshopScopedAdmin):
    form = DecisionMailTextForm
    list_display = ("decision", "type", "workshop", "subject")
    list_select_related = ("workshop", "type")
    list_filter = (("workshop", admin.RelatedOnlyFieldListFilter), "decision")
    search_fields = ("subject", "body")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        decision = initial.get("decision") or request.GET.get("decision")
        if decision in DECISIONS:
            subject, body = emails.DEFAULT_DECISION_TEXTS[
                "reject" if decision == "reject" else "accept"
            ]
            initial.setdefault("subject", subject)
            initial.setdefault("body", body)
        return initial

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            field.help_text = PLACEHOLDER_HELP
        return field
