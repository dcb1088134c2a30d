"""What the submissions app's admins share: choices limited to the organizer's workshops."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from submissions.models import (
    CommitteeMember,
    Submission,
    SubmissionType,
)
from workshops.models import Workshop


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


# The decisions an organizer takes, as the admin's messages name them.
DECISIONS = {
    "talk": "accepted as talk",
    "poster": "accepted as poster",
    "spotlight": "accepted as spotlight",
    "reject": "rejected",
}
