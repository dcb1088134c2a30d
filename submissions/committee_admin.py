"""The program committee in the admin: seats (by email address), assignments (in the
submission's form, and one by one) and the reviews, which organizers read and never write.
Every change goes through submissions.services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from submissions import services
from submissions.admin_common import ScopedChoicesMixin
from submissions.models import (
    CommitteeMember,
    Review,
    ReviewAssignment,
    Submission,
)
from workshops.access import WorkshopScopedAdmin, WorkshopScopedInline
from workshops.admin import person_field
from workshops.models import Workshop


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
            if data and data.get("DELETE") and form.instance.pk:
                try:
                    services.check_unassign(form.instance)
                except services.NotAllowed as exc:
                    form.add_error(None, str(exc))
                continue
            if not data or data.get("DELETE") or data.get("reviewer") is None:
                continue
            try:
                services.check_assignment(
                    member=data["reviewer"],
                    submission=self.instance,
                    override_reason=data.get("conflict_override") or "",
                )
            except services.NotAllowed as exc:
                form.add_error("reviewer", str(exc))
            except services.ConflictOfInterest as exc:
                form.add_error("conflict_override", str(exc))


class AssignmentInline(WorkshopScopedInline, admin.TabularInline):
    model = ReviewAssignment
    form = AssignmentInlineForm
    formset = AssignmentInlineFormSet
    extra = 0
    fields = ("reviewer", "conflict", "conflict_override", "score", "assigned_by_person")
    readonly_fields = ("conflict", "score", "assigned_by_person")
    assigned_by_person = person_field("assigned_by", "assigned by")
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
        topics = data.get("topics") or ()
        if workshop and (email or self.instance.pk):
            try:
                if self.instance.pk:  # the seat is taken; only its topics can be wrong
                    services.check_topics(workshop=workshop, topics=topics)
                else:
                    services.check_committee_seat(workshop=workshop, email=email, topics=topics)
            except services.SeatRefused as exc:
                self.add_error(exc.field, str(exc))
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
    actions = ("remind",)

    @admin.action(description="Remind the selected reviewers of the reviews they have left")
    def remind(self, request, queryset):
        reminded, left = services.remind_reviewers(members=queryset)
        if not reminded:
            self.message_user(request, "None of them has a review left.", messages.INFO)
            return
        self.message_user(
            request,
            f"Reminded {reminded} reviewer{'s' if reminded != 1 else ''} of "
            f"{left} review{'s' if left != 1 else ''} left (once a day at most).",
            messages.SUCCESS,
        )

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
        if change:
            super().save_model(request, obj, form, change)
            return
        services.seat_committee_member(
            member=obj,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            topics=form.cleaned_data.get("topics") or (),
        )

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
        try:
            services.check_assignment(
                member=member,
                submission=submission,
                override_reason=data.get("conflict_override") or "",
            )
        except services.NotAllowed as exc:
            self.add_error("reviewer", str(exc))
        except services.ConflictOfInterest as exc:
            self.add_error("conflict_override", str(exc))
        return data


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ScopedChoicesMixin, WorkshopScopedAdmin):
    workshop_path = "submission__workshop"
    form = ReviewAssignmentForm
    list_display = ("submission", "reviewer", "workshop", "overridden", "score", "assigned_by")
    list_select_related = ("submission__workshop", "reviewer__user", "review", "assigned_by")
    list_filter = (("submission__workshop", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("submission__title", "reviewer__user__email", "reviewer__user__full_name")

    assigned_by_person = person_field("assigned_by", "assigned by")

    def get_readonly_fields(self, request, obj=None):
        return ("submission", "reviewer", "assigned_by_person", "created_at") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            services.change_override(assignment=obj, reason=obj.conflict_override)
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
        services.notify_new_assignments(workshop=obj.submission.workshop)

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
