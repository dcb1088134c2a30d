"""The demo workshop's call for abstracts, open, with something in every state to look at: a
draft, abstracts under (blind) review with reviews written and to write, one accepted talk its
speaker confirmed and the organizers placed on the schedule, one rejected, one withdrawn; and
a committee of two demo reviewers. All of it demo data; every step is an upsert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from schedule.models import Room, ScheduleItem
from submissions.models import (
    Author,
    CallForAbstracts,
    CommitteeMember,
    Review,
    ReviewAssignment,
    Submission,
    SubmissionType,
)
from submissions.services import ensure_submission_types
from workshops.models import SpeakerAppearance, SpeakerProfile, Topic, Workshop
from workshops.timezones import AOE

SPEAKER_EMAIL = "speaker@example.org"
REVIEWER_EMAILS = ("reviewer@example.org", "reviewer2@example.org")
PEOPLE = {
    SPEAKER_EMAIL: ("Dana Speaker", "University of Exampleton"),
    "reviewer@example.org": ("Robin Reviewer", "Example Institute"),
    "reviewer2@example.org": ("Sam Second-Reviewer", "Sample Lab"),
    "lee.coauthor@example.org": ("Lee Co-Author", "Placeholder University"),
    "kim.author@example.org": ("Kim Author", "Mock Research Centre"),
}


@dataclass(frozen=True)
class DemoSubmission:
    title: str
    submitter: str
    status: str = Submission.Status.SUBMITTED
    decision: str = ""
    type: str = "Talk"
    topic: str = "Theory of deep learning"
    coauthor: str = ""
    reviews: tuple[tuple[str, int, int], ...] = ()  # (reviewer, score, confidence)
    assigned: tuple[str, ...] = REVIEWER_EMAILS


SUBMISSIONS = (
    DemoSubmission(
        "Sparse coding on graphs (a draft, demo data)", SPEAKER_EMAIL,
        status=Submission.Status.DRAFT, assigned=(),
    ),
    DemoSubmission(
        "Tensor sketches for streaming data (demo abstract)", "kim.author@example.org",
        coauthor="lee.coauthor@example.org", reviews=(("reviewer2@example.org", 2, 4),),
    ),
    DemoSubmission(
        "Random features for kernel PCA (demo abstract)", "kim.author@example.org",
        topic="Low-rank adapters",
    ),
    DemoSubmission(
        "Low-rank adapters under distribution shift (demo abstract)", SPEAKER_EMAIL,
        type="Poster", topic="Low-rank adapters",
        reviews=(("reviewer@example.org", 1, 3), ("reviewer2@example.org", -1, 2)),
    ),
    DemoSubmission(
        "Implicit regularization in matrix factorization (demo talk)", SPEAKER_EMAIL,
        decision=Submission.Decision.TALK, coauthor="lee.coauthor@example.org",
        reviews=(("reviewer@example.org", 3, 4), ("reviewer2@example.org", 2, 3)),
    ),
    DemoSubmission(
        "A negative result on greedy pruning (demo abstract)", "kim.author@example.org",
        decision=Submission.Decision.REJECT,
        reviews=(("reviewer@example.org", -2, 3), ("reviewer2@example.org", -1, 3)),
    ),
    DemoSubmission(
        "Withdrawn: a duplicate abstract (demo data)", "kim.author@example.org",
        status=Submission.Status.WITHDRAWN, assigned=(),
    ),
)  # fmt: skip

ABSTRACT = (
    "A fictional abstract, here so that the call, the review and the decision can be tried "
    "with realistic content (demo data). We study *low-rank* structure and what it buys."
)


def load_demo_call(workshop: Workshop, *, today: dt.date) -> CallForAbstracts:
    """Open the call from two weeks ago until 30 days before the workshop (AoE), with blind
    review by a committee of two, and the submissions above."""
    deadline_day = workshop.start_date - dt.timedelta(days=30)
    cfa, _ = CallForAbstracts.objects.update_or_create(
        workshop=workshop,
        defaults={
            "opens_at": _aoe(today - dt.timedelta(days=14), dt.time(0)),
            "deadline": _aoe(deadline_day, dt.time(23, 59)),
            "deadline_zone": AOE,
            "notification_date": workshop.start_date - dt.timedelta(days=20),
            "review_deadline": deadline_day + dt.timedelta(days=7),
            "blind_review": True,
            "pdf_upload": CallForAbstracts.PdfUpload.OPTIONAL,
            "reviewers_per_submission": 2,
            "word_limit": 300,
        },
    )
    ensure_submission_types(workshop)
    people = {email: _account(email) for email in PEOPLE}
    committee = {
        email: CommitteeMember.objects.update_or_create(
            workshop=workshop,
            user=people[email],
            defaults={"affiliation": PEOPLE[email][1], "max_load": 10},
        )[0]
        for email in REVIEWER_EMAILS
    }
    for data in SUBMISSIONS:
        _submission(workshop, data, people, committee)
    return cfa


def _aoe(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(AOE))


def _account(email: str):
    """The demo person's account: no password here (``load_demo --with-users`` sets the
    speaker's and the reviewers'), never staff."""
    name, _ = PEOPLE[email]
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"full_name": name, "is_staff": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _submission(workshop, data: DemoSubmission, people, committee) -> Submission:
    now = timezone.now()
    submitter = people[data.submitter]
    decided = data.decision != ""
    submission, _ = Submission.objects.update_or_create(
        workshop=workshop,
        title=data.title,
        defaults={
            "submitter": submitter,
            "abstract": ABSTRACT,
            "type": SubmissionType.objects.get(workshop=workshop, name=data.type),
            "topic": Topic.objects.filter(workshop=workshop, name=data.topic).first(),
            "status": data.status,
            "submitted_at": None if data.status == Submission.Status.DRAFT else now,
            "decision": data.decision,
            "decided_at": now if decided else None,
            "notified_at": now if decided else None,
        },
    )
    authors = [data.submitter, *([data.coauthor] if data.coauthor else [])]
    for order, email in enumerate(authors):
        name, affiliation = PEOPLE[email]
        Author.objects.update_or_create(
            submission=submission,
            order=order,
            defaults={
                "name": name,
                "email": email,
                "affiliation": affiliation,
                "is_presenter": order == 0,
            },
        )
    for email in data.assigned:
        assignment, _ = ReviewAssignment.objects.get_or_create(
            submission=submission,
            reviewer=committee[email],
            defaults={"notified_at": now},  # the demo mails nobody
        )
        for reviewer, score, confidence in data.reviews:
            if reviewer == email:
                Review.objects.update_or_create(
                    assignment=assignment,
                    defaults={
                        "score": score,
                        "confidence": confidence,
                        "comments_to_authors": "Clear and well motivated (demo review).",
                    },
                )
    if data.decision == Submission.Decision.TALK:
        _confirmed_talk(workshop, submission, people[data.submitter])
    return submission


def _confirmed_talk(workshop: Workshop, submission: Submission, speaker_user) -> None:
    """The speaker confirmed; the organizers placed the talk at 11:30 on the first day."""
    name, affiliation = PEOPLE[speaker_user.email]
    profile, _ = SpeakerProfile.objects.update_or_create(
        user=speaker_user,
        defaults={"name": name, "affiliation": affiliation, "email": speaker_user.email},
    )
    SpeakerAppearance.objects.update_or_create(
        workshop=workshop,
        speaker=profile,
        defaults={"role": SpeakerAppearance.Role.CONTRIBUTED, "confirmed": True},
    )
    start = workshop.local_datetime(workshop.start_date, dt.time(11, 30))
    slot = {
        "kind": ScheduleItem.Kind.TALK,
        "title": submission.title,
        "abstract": submission.abstract,
        "start": start,
        "end": start + dt.timedelta(minutes=45),
        "room": Room.objects.filter(workshop=workshop, name="Amphitheatre A").first(),
        "order": 1000,
    }
    item = submission.schedule_item
    if item is None:
        item = ScheduleItem.objects.create(workshop=workshop, **slot)
    else:
        for name_, value in slot.items():
            setattr(item, name_, value)
        item.save()
    item.speakers.set([profile])
    Submission.objects.filter(pk=submission.pk).update(
        confirmation=Submission.Confirmation.CONFIRMED,
        confirmed_at=submission.confirmed_at or timezone.now(),
        schedule_item=item,
    )
