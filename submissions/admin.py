"""Organizer admin for the call for abstracts; every state change calls submissions.services.

This module holds the submissions and their decisions; the committee, assignments and
reviews are in committee_admin.py, the decision mail texts in texts_admin.py (both registered
by importing them here), the call's settings and submission types in cfa_admin.py
(registered from apps.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Avg, Count, Max, Min, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html

from submissions import committee_admin, emails, services, texts_admin  # noqa: F401  (register)
from submissions.admin_common import DECISIONS, ScopedChoicesMixin
from submissions.committee_admin import AssignmentInline
from submissions.exports import reviews_csv_response
from submissions.models import (
    Author,
    ReviewAssignment,
    Submission,
)
from workshops.access import WorkshopScopedAdmin, WorkshopScopedInline
from workshops.admin import WorkshopZoneMixin, person_field
from workshops.models import Workshop

PREVIEW_LIMIT = 20


# Submissions ---------------------------------------------------------------------------------


class AuthorInline(WorkshopScopedInline, admin.TabularInline):
    """The authors as they submitted them: the organizers read, the authors write."""

    model = Author
    extra = 0
    can_delete = False
    fields = ("order", "name", "email", "affiliation", "is_presenter")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NotifiedFilter(admin.SimpleListFilter):
    title = "authors notified"
    parameter_name = "notified"

    def lookups(self, request, model_admin):
        return (("yes", "Notified"), ("no", "Not yet"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(notified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(notified_at__isnull=True)
        return queryset


class AutoAssignForm(forms.Form):
    k = forms.IntegerField(
        label="Reviewers per submission",
        min_value=1,
        max_value=10,
        required=False,
        help_text="Empty: each workshop's own setting in its call for abstracts.",
    )


def _selected_ids(queryset: QuerySet[Submission]) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def _plain(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """The changelist's selection without its review annotations (for the services)."""
    return Submission.objects.filter(pk__in=_selected_ids(queryset))


@admin.register(Submission)
class SubmissionAdmin(WorkshopZoneMixin, ScopedChoicesMixin, WorkshopScopedAdmin):
    list_display = (
        "title",
        "workshop",
        "type",
        "status",
        "decision",
        "notified",
        "confirmation",
        "review_count",
        "mean_score",
        "spread",
    )
    list_select_related = ("workshop", "type")
    list_filter = (
        ("workshop", admin.RelatedOnlyFieldListFilter),
        "status",
        "decision",
        NotifiedFilter,
        "confirmation",
        ("type", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "title",
        "authors__name",
        "authors__email",
        "authors__affiliation",
        "submitter__email",
    )
    inlines = (AuthorInline, AssignmentInline)
    actions = (
        "accept_as_talk",
        "accept_as_poster",
        "accept_as_spotlight",
        "reject",
        "notify_authors",
        "assign_automatically",
        "export_reviews_csv",
    )
    fieldsets = (
        (None, {"fields": ("workshop", "title", "type", "topic", "status", "submitted_by")}),
        ("Abstract", {"fields": ("abstract", "pdf_download")}),
        (
            "Decision",
            {
                "fields": (
                    "decision",
                    "decided_at",
                    "notified_at",
                    "confirmation",
                    "confirmed_at",
                    "schedule_item",
                )
            },
        ),
        ("Dates", {"fields": ("created_at", "submitted_at", "updated_at")}),
    )
    submitted_by = person_field("submitter", "submitter")
    readonly_fields = (
        "workshop",
        "title",
        "type",
        "topic",
        "status",
        "submitted_by",
        "abstract",
        "pdf_download",
        "decision",
        "decided_at",
        "notified_at",
        "confirmation",
        "confirmed_at",
        "schedule_item",
        "created_at",
        "submitted_at",
        "updated_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        # The organizers join is filtered to this one user, so it cannot multiply the rows
        # these aggregates run over.
        scores = "assignments__review__score"
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_reviews=Count("assignments__review", distinct=True),
                mean=Avg(scores),
                score_spread=Max(scores) - Min(scores),
            )
        )

    def has_add_permission(self, request, *args) -> bool:
        # Abstracts come in through the call's own pages, whose rules (deadline, limits) hold.
        return False

    @admin.display(description="PDF")
    def pdf_download(self, obj: Submission) -> str:
        # Private storage has no URL: the file goes out through the permission-checked view.
        if not obj.pdf:
            return "—"
        return format_html('<a href="{}">Download</a>', reverse("submissions:pdf", args=[obj.pk]))

    @admin.display(description="notified", boolean=True, ordering="notified_at")
    def notified(self, obj: Submission) -> bool:
        return obj.notified_at is not None

    @admin.display(description="reviews", ordering="n_reviews")
    def review_count(self, obj: Submission) -> int:
        return obj.n_reviews

    @admin.display(description="mean score", ordering="mean")
    def mean_score(self, obj: Submission) -> str:
        return "—" if obj.mean is None else f"{obj.mean:+.2f}"

    @admin.display(description="spread", ordering="score_spread")
    def spread(self, obj: Submission) -> str:
        return "—" if obj.score_spread is None else str(obj.score_spread)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ReviewAssignment:
            super().save_formset(request, form, formset, change)
            return
        for assignment in formset.save(commit=False):
            if assignment.pk is None:
                # New reviewers through the one assignment path (which records who assigned).
                services.assign_reviewer(
                    submission=form.instance,
                    member=assignment.reviewer,
                    override_reason=assignment.conflict_override,
                    by=request.user,
                )
            else:
                services.change_override(assignment=assignment, reason=assignment.conflict_override)
        for assignment in formset.deleted_objects:
            services.unassign(assignment=assignment)
        services.notify_new_assignments(workshop=form.instance.workshop)

    # One by one from the change form: a button per decision, through the same service.

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["decision_choices"] = (
            list(DECISIONS.items())
            if obj is not None
            and obj.status == Submission.Status.SUBMITTED
            and obj.notified_at is None
            and self.has_change_permission(request, obj)
            else []
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request: HttpRequest, obj: Submission) -> HttpResponse:
        for decision in DECISIONS:
            if f"_decide_{decision}" in request.POST:
                self._decide(request, Submission.objects.filter(pk=obj.pk), decision)
                return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # Bulk decisions.

    def _decide(self, request: HttpRequest, queryset: QuerySet, decision: str) -> None:
        done, errors = 0, []
        for submission in _plain(queryset):
            try:
                services.decide_submission(submission=submission, decision=decision)
                done += 1
            except services.SubmissionError as exc:
                errors.append(str(exc))
        if done:
            self.message_user(
                request, f"{done} submission(s) {DECISIONS[decision]}.", messages.SUCCESS
            )
        for error in errors:
            self.message_user(request, error, messages.ERROR)

    @admin.action(description="Accept as talk")
    def accept_as_talk(self, request, queryset):
        self._decide(request, queryset, "talk")

    @admin.action(description="Accept as poster")
    def accept_as_poster(self, request, queryset):
        self._decide(request, queryset, "poster")

    @admin.action(description="Accept as spotlight")
    def accept_as_spotlight(self, request, queryset):
        self._decide(request, queryset, "spotlight")

    @admin.action(description="Reject")
    def reject(self, request, queryset):
        self._decide(request, queryset, "reject")

    def _action_page(self, request, template: str, title: str, ids: list[int], **context):
        return render(
            request,
            f"admin/submissions/submission/{template}",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "selected_ids": ids,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                **context,
            },
        )

    @admin.action(description="Notify authors…")
    def notify_authors(self, request, queryset):
        selected = _plain(queryset)
        pending = selected.awaiting_notification().filter(status=Submission.Status.SUBMITTED)
        already = selected.filter(notified_at__isnull=False).count()
        if "send" in request.POST:
            queued = services.notify_authors(submissions=selected)
            self.message_user(request, f"{queued} decision mail(s) queued.", messages.SUCCESS)
            if undecided := selected.filter(decision="").count():
                self.message_user(
                    request, f"{undecided} undecided submission(s) skipped.", messages.INFO
                )
            if already:
                self.message_user(
                    request,
                    f"{already} submission(s) were already notified: nothing sent again.",
                    messages.WARNING,
                )
            return None
        count = pending.count()
        shown = list(
            pending.select_related("workshop", "type", "submitter").order_by("pk")[:PREVIEW_LIMIT]
        )
        previews = list(zip(shown, emails.render_decision_mails(shown), strict=True))
        return self._action_page(
            request,
            "notify_authors.html",
            "Notify authors: preview the decision mails",
            _selected_ids(queryset),
            previews=previews,
            count=count,
            already=already,
            undecided=selected.filter(decision="").count(),
            more=max(0, count - len(previews)),
        )

    @admin.action(description="Assign reviewers automatically…")
    def assign_automatically(self, request, queryset):
        workshops = list(
            Workshop.objects.filter(pk__in=_plain(queryset).values("workshop_id"))
            .select_related("cfa")
            .order_by("title")
        )
        own = {w.pk: getattr(w, "cfa", None) for w in workshops}
        defaults = {c.reviewers_per_submission for c in own.values() if c is not None}
        form = AutoAssignForm(
            request.POST if "assign" in request.POST else None,
            initial={"k": defaults.pop() if len(defaults) == 1 else None},
        )
        if "assign" in request.POST and form.is_valid():
            for workshop in workshops:
                cfa = own[workshop.pk]
                k = form.cleaned_data["k"] or (cfa.reviewers_per_submission if cfa else 3)
                self._assign_for(request, workshop, k)
            return None
        return self._action_page(
            request,
            "assign_automatically.html",
            "Assign reviewers automatically",
            _selected_ids(queryset),
            form=form,
            workshops=workshops,
        )

    def _assign_for(self, request: HttpRequest, workshop: Workshop, k: int) -> None:
        from submissions.assignment import Infeasible  # as in the service: OR-Tools loads on use

        assignments = ReviewAssignment.objects.filter(submission__workshop=workshop)
        before = assignments.count()
        try:
            services.assign_automatically(workshop=workshop, k=k, by=request.user)
        except Infeasible as exc:
            reasons = list(getattr(exc, "reasons", None) or [str(exc)])
            self.message_user(
                request,
                f"{workshop}: no assignment gives every submission {k} reviewer(s) within "
                "the load limits; nothing was changed.",
                messages.ERROR,
            )
            for reason in reasons:
                self.message_user(request, f"{workshop}: {reason}", messages.ERROR)
            return
        added = assignments.count() - before
        self.message_user(
            request,
            f"{workshop}: {added} new assignment(s); every submitted abstract has {k} reviewer(s).",
            messages.SUCCESS,
        )

    @admin.action(description="Export reviews as CSV")
    def export_reviews_csv(self, request, queryset) -> HttpResponse:
        return reviews_csv_response(_plain(queryset))
