"""The organizer's programme import: upload or paste a table, see every row as it will be
created (with its errors and speaker matches), then import it at once (schedule.importing)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from schedule import importing, services
from workshops.models import Workshop

EXAMPLE = (
    "day,start,end,title,kind,speakers,room\n"
    "2024-11-26,13:45,14:00,Registration,,,\n"
    "2024-11-26,14:15,15:15,,talk,André de Almeida (Universidade Federal do Ceará),Amphi\n"
    "2024-11-26,17:30,,Poster session,,,Hall\n"
)


class ImportForm(forms.Form):
    upload = forms.FileField(
        required=False,
        label="A CSV or XLSX file, or a frab schedule.xml / schedule.json",
        help_text="A table's first row names the columns. A frab schedule (pretalx, Indico, an "
        "earlier edition) is read as a table of its events, times in this workshop's zone.",
    )
    text = forms.CharField(
        required=False,
        label="…or paste the table",
        widget=forms.Textarea(attrs={"rows": 10, "cols": 100, "placeholder": EXAMPLE}),
        help_text="Comma, semicolon or tab separated; copied from a spreadsheet works.",
    )

    def __init__(self, *args, tz, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz

    def clean(self):
        data = super().clean()
        if data.get("upload"):
            try:
                data["text"] = importing.table_text(data["upload"], self.tz)
            except importing.TableError as exc:
                raise forms.ValidationError(str(exc)) from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("Choose a file or paste a table.")
        return data


def import_page(model_admin, request: HttpRequest, workshop: Workshop) -> HttpResponse:
    """GET: the form. POST: the preview; POST with ``_import``: the import, if nothing is
    wrong (else the preview again, with what is)."""
    form = ImportForm(tz=workshop.tz)
    plan = None
    text = ""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, tz=workshop.tz)
        if form.is_valid():
            text = form.cleaned_data["text"]
            choices = {k: v for k, v in request.POST.items() if k.startswith("speaker-")}
            plan = importing.plan_import(workshop, text, user=request.user, choices=choices)
            if "_import" in request.POST and plan.ready:
                try:
                    items = importing.apply_import(workshop, plan, user=request.user)
                except services.ScheduleError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(
                        request,
                        f"{len(items)} item(s) imported. The public schedule shows them once "
                        "you publish a release; their speakers are speakers of the workshop now.",
                    )
                    return redirect("admin:workshops_workshop_schedule", workshop.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Import a programme into {workshop}",
        "opts": model_admin.opts,
        "original": workshop,
        "workshop": workshop,
        "form": form,
        "plan": plan,
        "text": text,
        "schedule_url": reverse("admin:workshops_workshop_schedule", args=[workshop.pk]),
    }
    return render(request, "admin/schedule/import.html", context)
