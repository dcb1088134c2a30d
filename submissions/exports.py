"""Streamed CSV of reviews, for the organizers' own discussion, in flat memory."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from submissions.models import Review, Submission
from workshops.spreadsheet import stream_rows

HEADER = [
    "submission_id",
    "title",
    "reviewer_email",
    "score",
    "confidence",
    "comments_to_authors",
    "confidential_comments",
    "updated",
]


def review_rows(submissions: QuerySet[Submission]) -> Iterator[list]:
    """Yield the header, then one row per review of the given submissions; one query."""
    yield HEADER
    reviews = (
        Review.objects.filter(assignment__submission__in=submissions.order_by().values("pk"))
        .select_related("assignment__submission", "assignment__reviewer__user")
        .order_by("assignment__submission_id", "assignment__reviewer__user__email", "pk")
    )
    for review in reviews.iterator(chunk_size=250):
        submission = review.assignment.submission
        yield [
            submission.pk,
            submission.title,
            review.assignment.reviewer.user.email,
            review.score,
            review.confidence,
            review.comments_to_authors,
            review.confidential_comments,
            review.updated_at,
        ]


def reviews_csv_response(submissions: QuerySet[Submission]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream_rows(review_rows(submissions)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="reviews-{stamp}.csv"'
    return response
