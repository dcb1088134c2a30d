"""Organizer admin for the call for abstracts; every state change calls submissions.services.

This module holds the review and decision side: submissions, the program committee,
assignments, reviews and decision mail texts. The call's settings and submission types are in
submissions/cfa_admin.py (registered from apps.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Avg, Count, Max, Min, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html

from submissions import emails, services
from submissions.exports import reviews_csv_response
from submissions.models import (
    Author,
    CommitteeMember,
    DecisionMailText,
    Review,
    ReviewAssignment,
    Submission,
    SubmissionType,
)
from workshops.access import WorkshopScopedAdmin, WorkshopScopedInline
from workshops.models import Workshop

DECISIONS = {
    "talk": "accepted as talk",
    "poster": "accepted as poster",
    "spotlight": "accepted as spotlight",
    "reject": "rejected",
}
PREVIEW_LIMIT = 20


def scoped_choices(model, request: HttpRequest) -> QuerySet | None:
    """Return the rows of the submissions app an organizer may pick, or None for no limit."""
    workshops = Workshop.objects.managed_by(request.user)
    if model is SubmissionType:
        return SubmissionType.objects.filter(workshop__in=workshops)
    if model is CommitteeMember:
        return CommitteeMember.objects.filter(workshop__in=workshops).select_related("user")
    if model is Submission:
        return Submission.objects.filter(
            workshop__in=workshops, status=Submission.Status.SUBMITTED
        ).order_by("workshop_id", "title")
    return None


class ScopedChoicesMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limited = scoped_choices(db_field.related_model, request)
        if limited is not None:
            kwargs["queryset"] = limited
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def conflict_message(member: CommitteeMember, reason: str) -> str:
    return f"{member.user} {reason}. Give a reason to assign them anyway."


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


class AssignmentInlineForm(forms.ModelForm):
    class Meta:
        model = ReviewAssignment
        fields = ("reviewer", "conflict_override")
        widgets = {"conflict_override": forms.Textarea(attrs={"rows": 1, "cols": 40})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # An existing review belongs to this reviewer: never hand it to somebody else.
            self.fields["reviewer"].disabled = True


class AssignmentInlineFormSet(BaseInlineFormSet):
    """Reviewers of this workshop only; a conflict of interest needs a written reason."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        form.fields["reviewer"].queryset = CommitteeMember.objects.filter(
            workshop_id=self.instance.workshop_id
        ).select_related("user")

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("reviewer") is None:
                continue
            member = data["reviewer"]
            reason = services.conflict_reason(member, self.instance)
            if reason and not (data.get("conflict_override") or "").strip():
                form.add_error("conflict_override", conflict_message(member, reason))


class AssignmentInline(WorkshopScopedInline, admin.TabularInline):
    model = ReviewAssignment
    form = AssignmentInlineForm
    formset = AssignmentInlineFormSet
    extra = 0
    fields = ("reviewer", "conflict", "conflict_override", "score", "assigned_by")
    readonly_fields = ("conflict", "score", "assigned_by")
    verbose_name = "reviewer"
    verbose_name_plural = "reviewers"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reviewer__user", "review")

    @admin.display(description="conflict of interest")
    def conflict(self, obj: ReviewAssignment) -> str:
        if obj.pk is None:
            return ""
        return services.conflict_reason(obj.reviewer, obj.submission) or "—"

    @admin.display(description="score")
    def score(self, obj: ReviewAssignment) -> str:
        review = getattr(obj, "review", None) if obj.pk else None
        return f"{review.score:+d} (confidence {review.confidence})" if review else "—"


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
class SubmissionAdmin(ScopedChoicesMixin, WorkshopScopedAdmin):
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
        (None, {"fields": ("workshop", "title", "type", "topic", "status", "submitter")}),
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
    readonly_fields = (
        "workshop",
        "title",
        "type",
        "topic",
        "status",
        "submitter",
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
                assignment.save(update_fields=["conflict_override"])
        for assignment in formset.deleted_objects:
            assignment.delete()

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


# The program committee -----------------------------------------------------------------------


class CommitteeMemberForm(forms.ModelForm):
    """A seat by email address: organizers cannot browse every user of the site."""

    email = forms.EmailField(
        label="Email address",
        help_text="If nobody has an account with this address yet, one is created without a "
        "password; no mail is sent.",
    )
    full_name = forms.CharField(
        label="Name", max_length=200, required=False, help_text="For a new account only."
    )

    class Meta:
        model = CommitteeMember
        fields = ("workshop", "affiliation", "topics", "min_load", "max_load")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
            self.fields["email"].disabled = True
            self.fields["full_name"].initial = self.instance.user.full_name
            self.fields["full_name"].disabled = True
            self.fields["workshop"].disabled = True

    def clean(self):
        data = super().clean()
        workshop, email = data.get("workshop"), data.get("email")
        if workshop and email and not self.instance.pk:
            seated = CommitteeMember.objects.filter(workshop=workshop, user__email=email)
            if seated.exists():
                self.add_error("email", "This person is on this workshop's committee already.")
        topics = data.get("topics")
        if workshop and topics and any(t.workshop_id != workshop.pk for t in topics):
            self.add_error("topics", "Choose topics of this workshop.")
        return data


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ScopedChoicesMixin, WorkshopScopedAdmin):
    form = CommitteeMemberForm
    fields = ("workshop", "email", "full_name", "affiliation", "topics", "min_load", "max_load")
    list_display = (
        "email",
        "name",
        "workshop",
        "affiliation",
        "assigned",
        "reviewed",
        "min_load",
        "max_load",
    )
    list_select_related = ("user", "workshop")
    list_filter = (("workshop", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("user__email", "user__full_name", "affiliation")
    filter_horizontal = ("topics",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_assigned=Count("assignments", distinct=True),
                n_reviewed=Count("assignments__review", distinct=True),
            )
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.user = services.committee_user(
                email=form.cleaned_data["email"], full_name=form.cleaned_data["full_name"]
            )
        super().save_model(request, obj, form, change)

    @admin.display(description="email", ordering="user__email")
    def email(self, obj: CommitteeMember) -> str:
        return obj.user.email

    @admin.display(description="name", ordering="user__full_name")
    def name(self, obj: CommitteeMember) -> str:
        return obj.user.full_name

    @admin.display(description="assigned", ordering="n_assigned")
    def assigned(self, obj: CommitteeMember) -> int:
        return obj.n_assigned

    @admin.display(description="reviewed", ordering="n_reviewed")
    def reviewed(self, obj: CommitteeMember) -> int:
        return obj.n_reviewed


# Assignments and reviews ---------------------------------------------------------------------


class ReviewAssignmentForm(forms.ModelForm):
    class Meta:
        model = ReviewAssignment
        fields = ("submission", "reviewer", "conflict_override")

    def clean(self):
        data = super().clean()
        submission = data.get("submission") or getattr(self.instance, "submission", None)
        member = data.get("reviewer") or getattr(self.instance, "reviewer", None)
        if submission is None or member is None:
            return data
        if member.workshop_id != submission.workshop_id:
            self.add_error("reviewer", "This reviewer is on another workshop's committee.")
            return data
        reason = services.conflict_reason(member, submission)
        if reason and not (data.get("conflict_override") or "").strip():
            self.add_error("conflict_override", conflict_message(member, reason))
        return data


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ScopedChoicesMixin, WorkshopScopedAdmin):
    workshop_path = "submission__workshop"
    form = ReviewAssignmentForm
    list_display = ("submission", "reviewer", "workshop", "overridden", "score", "assigned_by")
    list_select_related = ("submission__workshop", "reviewer__user", "review", "assigned_by")
    list_filter = (("submission__workshop", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("submission__title", "reviewer__user__email", "reviewer__user__full_name")

    def get_readonly_fields(self, request, obj=None):
        return ("submission", "reviewer", "assigned_by", "created_at") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The same path as every other assignment (it re-checks workshop and conflict).
        assignment = services.assign_reviewer(
            submission=obj.submission,
            member=obj.reviewer,
            override_reason=obj.conflict_override,
            by=request.user,
        )
        obj.pk = assignment.pk
        obj.assigned_by = assignment.assigned_by
        obj.created_at = assignment.created_at

    @admin.display(description="workshop", ordering="submission__workshop__title")
    def workshop(self, obj: ReviewAssignment) -> Workshop:
        return obj.submission.workshop

    @admin.display(description="conflict overridden", boolean=True)
    def overridden(self, obj: ReviewAssignment) -> bool:
        return bool(obj.conflict_override)

    @admin.display(description="score", ordering="review__score")
    def score(self, obj: ReviewAssignment) -> str:
        review = getattr(obj, "review", None)
        return f"{review.score:+d}" if review else "—"


@admin.register(Review)
class ReviewAdmin(WorkshopScopedAdmin):
    """Reviews as their reviewers wrote them: the organizers read, never rewrite."""

    workshop_path = "assignment__submission__workshop"
    list_display = ("submission", "reviewer", "score", "confidence", "updated_at")
    list_select_related = ("assignment__submission", "assignment__reviewer__user")
    list_filter = (("assignment__submission__workshop", admin.RelatedOnlyFieldListFilter), "score")
    search_fields = ("assignment__submission__title", "assignment__reviewer__user__email")
    readonly_fields = (
        "assignment",
        "score",
        "confidence",
        "comments_to_authors",
        "confidential_comments",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="submission", ordering="assignment__submission__title")
    def submission(self, obj: Review) -> Submission:
        return obj.assignment.submission

    @admin.display(description="reviewer", ordering="assignment__reviewer__user__email")
    def reviewer(self, obj: Review) -> CommitteeMember:
        return obj.assignment.reviewer


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
