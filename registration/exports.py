"""Streamed CSV of registrations: every field and every answer, in flat memory."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from registration.models import Question, Registration
from workshops.spreadsheet import stream_rows

FIELDS = (
    ("id", "pk"),
    ("workshop", "workshop_slug"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("email", "email"),
    ("affiliation", "affiliation"),
    ("career_stage", "career_stage"),
    ("dietary_needs", "dietary_needs"),
    ("list_consent", "list_consent"),
    ("status", "status"),
    ("registered_at", "created_at"),
    ("waitlisted_at", "queued_at"),
    ("confirmed_at", "confirmed_at"),
    ("cancelled_at", "cancelled_at"),
    ("checkin_code", "checkin_code"),
    ("checked_in_at", "checked_in_at"),
)


def registration_rows(queryset: QuerySet[Registration]) -> Iterator[list]:
    """Yield the header, then one row per registration; two queries whatever the size."""
    workshop_ids = queryset.order_by().values("workshop_id").distinct()
    questions = list(
        Question.objects.filter(workshop_id__in=workshop_ids).select_related("workshop")
    )
    several = len({q.workshop_id for q in questions}) > 1
    yield [name for name, _ in FIELDS] + [
        f"{q.workshop.slug}: {q.label}" if several else q.label for q in questions
    ]
    rows = queryset.select_related("workshop").order_by("workshop_id", "created_at", "pk")
    for registration in rows.iterator(chunk_size=250):
        registration.workshop_slug = registration.workshop.slug
        yield [getattr(registration, attr) for _, attr in FIELDS] + [
            registration.answers.get(str(q.pk)) for q in questions
        ]


def registrations_csv_response(queryset: QuerySet[Registration]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream_rows(registration_rows(queryset)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="registrations-{stamp}.csv"'
    return response
