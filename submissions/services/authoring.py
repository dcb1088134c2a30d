"""Submitting, editing and withdrawing abstracts; the deadline holds on the server."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from submissions import emails
from submissions.models import Author, CallForAbstracts, Submission, SubmissionType
from submissions.pdf import pdf_problem
from submissions.services.errors import (
    CallNotOpen,
    DeadlinePassed,
    InvalidPdf,
    NotAllowed,
    OneSubmissionOnly,
    SubmissionError,
)
from workshops import timezones
from workshops.models import Topic, Workshop

__all__ = [
    "AuthorData",
    "SubmissionData",
    "call_for",
    "check_call_open",
    "create_submission",
    "deadline_text",
    "edit_refusal",
    "ensure_submission_types",
    "moment_text",
    "update_submission",
    "withdraw_submission",
    "word_count",
]

Status = Submission.Status


@dataclass(frozen=True)
class AuthorData:
    name: str
    email: str
    affiliation: str = ""
    is_presenter: bool = False
    wants_mail: bool = True


@dataclass(frozen=True)
class SubmissionData:
    title: str
    abstract: str
    type: SubmissionType
    topic: Topic | None = None
    authors: list[AuthorData] = field(default_factory=list)
    pdf: UploadedFile | None = None
    remove_pdf: bool = False


def word_count(text: str) -> int:
    return len(text.split())


def call_for(workshop: Workshop) -> CallForAbstracts | None:
    """Return the workshop's call (from ``select_related("cfa")`` when it was loaded so)."""
    try:
        return workshop.cfa
    except CallForAbstracts.DoesNotExist:
        return None


def moment_text(cfa: CallForAbstracts, moment: dt.datetime) -> str:
    """Return “15 March 2031, 23:59 AoE”: a moment of the call in the zone it is announced in."""
    return timezones.moment_text(moment, cfa.deadline_zone)


def deadline_text(cfa: CallForAbstracts) -> str:
    """Return “15 March 2031, 23:59 AoE”: the deadline in the zone it was announced in."""
    return moment_text(cfa, cfa.deadline)


def check_call_open(cfa: CallForAbstracts | None, now) -> None:
    """Raise unless abstracts may be submitted or edited at ``now``."""
    if cfa is None:
        raise CallNotOpen("This workshop has no call for abstracts.")
    if cfa.is_past_deadline(now):
        raise DeadlinePassed(
            f"The deadline ({deadline_text(cfa)}) has passed: submissions can no longer be changed."
        )
    if cfa.opens_at is None or now < cfa.opens_at:
        if cfa.opens_at is None:
            raise CallNotOpen("The call for abstracts is not open yet.")
        raise CallNotOpen(f"The call for abstracts opens on {moment_text(cfa, cfa.opens_at)}.")


def ensure_submission_types(workshop: Workshop) -> list[SubmissionType]:
    """Give a workshop the standard types (talk, poster, spotlight, lightning) once."""
    for order, name in enumerate(SubmissionType.DEFAULTS):
        SubmissionType.objects.get_or_create(
            workshop=workshop, name=name, defaults={"order": order}
        )
    return list(SubmissionType.objects.filter(workshop=workshop))


def _validate(cfa: CallForAbstracts, data: SubmissionData, *, submit: bool) -> None:
    if data.type.workshop_id != cfa.workshop_id:
        raise SubmissionError("Choose one of this workshop's submission types.")
    if data.topic is not None and data.topic.workshop_id != cfa.workshop_id:
        raise SubmissionError("Choose one of this workshop's topics.")
    words = word_count(data.abstract)
    if words > cfa.word_limit:
        raise SubmissionError(f"The abstract has {words} words; the limit is {cfa.word_limit}.")
    if not data.authors:
        raise SubmissionError("List at least one author.")
    emails_seen = [a.email.strip().lower() for a in data.authors]
    if len(set(emails_seen)) != len(emails_seen):
        raise SubmissionError("Each author needs their own email address.")
    if data.pdf is not None:
        if cfa.pdf_upload == CallForAbstracts.PdfUpload.OFF:
            raise InvalidPdf("This call does not take PDF files.")
        if problem := pdf_problem(data.pdf, max_mb=cfa.pdf_max_mb):
            raise InvalidPdf(problem)


def _require_pdf(cfa: CallForAbstracts, submission: Submission) -> None:
    if cfa.pdf_upload == CallForAbstracts.PdfUpload.REQUIRED and not submission.pdf:
        raise InvalidPdf("This call needs a PDF with each submission.")


def _save_authors(submission: Submission, authors: list[AuthorData]) -> list[Author]:
    submission.authors.all().delete()
    presenters = [a.is_presenter for a in authors]
    rows = [
        Author(
            submission=submission,
            order=i,
            name=a.name.strip(),
            email=a.email.strip(),
            affiliation=a.affiliation.strip(),
            # Somebody presents: the first author, unless the authors say otherwise.
            is_presenter=a.is_presenter or (i == 0 and not any(presenters)),
            wants_mail=a.wants_mail,
        )
        for i, a in enumerate(authors)
    ]
    for row in rows:
        row.full_clean(exclude=["submission"])
    return Author.objects.bulk_create(rows)


def _apply(submission: Submission, data: SubmissionData) -> None:
    submission.title = data.title.strip()
    submission.abstract = data.abstract.strip()
    submission.type = data.type
    submission.topic = data.topic
    previous = submission.pdf.name
    if data.remove_pdf:
        submission.pdf = ""
    if data.pdf is not None:
        submission.pdf.save("upload.pdf", data.pdf, save=False)
    if previous and previous != submission.pdf.name:
        storage = submission.pdf.storage
        # Only once the change is committed: a refused change keeps the file it points to.
        transaction.on_commit(lambda: storage.delete(previous))


def _mail_coauthors(submission: Submission, *, now, on_submit: bool) -> None:
    """Tell each co-author once per submission, bounded: the notice goes to any address the
    submitter types, so the form must not be a mail relay.

    On submission every co-author hears of it; a co-author added later hears of it unless their
    address had a co-author notice in the last day; no account sends more than
    COAUTHOR_NOTICES_PER_DAY notices a day. (The title is in the body, quoted: never the
    subject.)
    """
    day_ago = now - dt.timedelta(days=1)
    allowance = settings.COAUTHOR_NOTICES_PER_DAY - emails.coauthor_notices_since(
        submission.submitter, day_ago
    )
    for author in submission.authors.all():
        if allowance <= 0:
            return
        if author.email == submission.submitter.email:
            continue
        if emails.coauthor_notice_exists(submission, author.email):
            continue
        if not on_submit and emails.address_noticed_since(author.email, day_ago):
            continue
        emails.queue_coauthor_mail(submission, author)
        allowance -= 1


def _submit(submission: Submission, cfa: CallForAbstracts, now) -> None:
    _require_pdf(cfa, submission)
    submission.status = Status.SUBMITTED
    submission.submitted_at = submission.submitted_at or now


@transaction.atomic
def create_submission(
    *, workshop: Workshop, submitter, data: SubmissionData, submit: bool, now=None
) -> Submission:
    """Save a draft or submit, before the deadline only; co-authors are told on submission."""
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    now = now or timezone.now()
    cfa = call_for(workshop)
    check_call_open(cfa, now)
    if not cfa.multiple_submissions:
        others = Submission.objects.filter(workshop=workshop, submitter=submitter)
        if others.exclude(status=Status.WITHDRAWN).exists():
            raise OneSubmissionOnly("This call takes one submission per person.")
    _validate(cfa, data, submit=submit)
    submission = Submission(workshop=workshop, submitter=submitter, status=Status.DRAFT)
    _apply(submission, data)
    if submit:
        _submit(submission, cfa, now)
    submission.full_clean(exclude=["pdf"])
    submission.save()
    _save_authors(submission, data.authors)
    if submit:
        emails.queue_receipt(submission, deadline=deadline_text(cfa))
        _mail_coauthors(submission, now=now, on_submit=True)
    return submission


def edit_refusal(submission: Submission, now=None) -> str:
    """Return why the authors cannot change or withdraw the submission now ("" if they can)."""
    try:
        _editable(submission, now or timezone.now())
    except SubmissionError as exc:
        return str(exc)
    return ""


def _editable(submission: Submission, now) -> CallForAbstracts:
    cfa = call_for(submission.workshop)
    check_call_open(cfa, now)
    if submission.status == Status.WITHDRAWN:
        raise NotAllowed("This submission was withdrawn.")
    if submission.decision:
        raise NotAllowed("A decision has been made on this submission; it can no longer change.")
    return cfa


@transaction.atomic
def update_submission(
    *, submission: Submission, data: SubmissionData, submit: bool, now=None
) -> Submission:
    """Edit (and optionally submit) until the deadline; never after it or after a decision."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    now = now or timezone.now()
    cfa = _editable(submission, now)
    _validate(cfa, data, submit=submit)
    was_submitted = submission.status == Status.SUBMITTED
    _apply(submission, data)
    if submit or submission.status == Status.SUBMITTED:
        _submit(submission, cfa, now)
    submission.full_clean(exclude=["pdf"])
    submission.save()
    _save_authors(submission, data.authors)
    if submission.status == Status.SUBMITTED and not was_submitted:
        emails.queue_receipt(submission, deadline=deadline_text(cfa))
    if submission.status == Status.SUBMITTED:
        _mail_coauthors(submission, now=now, on_submit=not was_submitted)
    return submission


@transaction.atomic
def withdraw_submission(*, submission: Submission, now=None) -> Submission:
    """Withdraw before the deadline (afterwards everything is read-only)."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _editable(submission, now or timezone.now())
    submission.status = Status.WITHDRAWN
    submission.save(update_fields=["status", "updated_at"])
    return submission
