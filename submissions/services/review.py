"""The program committee: conflicts of interest, assignments (by hand or solver), reviews."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import User
from submissions import emails
from submissions.models import (
    CallForAbstracts,
    CommitteeMember,
    Review,
    ReviewAssignment,
    Submission,
)
from submissions.pdf import BlindCopyNamesAuthors, PdfUnreadable, blind_copy
from submissions.services.errors import ConflictOfInterest, NotAllowed, ReviewsClosed
from workshops.models import Workshop

__all__ = [
    "ReviewData",
    "SeatRefused",
    "accept_invitation",
    "assign_automatically",
    "assign_reviewer",
    "assignments_of",
    "blind_pdf",
    "change_override",
    "check_assignment",
    "check_committee_seat",
    "check_topics",
    "check_unassign",
    "committee_user",
    "conflict_message",
    "conflict_reason",
    "normalize_affiliation",
    "notify_new_assignments",
    "remind_reviewers",
    "reviews_left",
    "save_review",
    "seat_committee_member",
    "unassign",
]


@dataclass(frozen=True)
class ReviewData:
    score: int
    confidence: int
    comments_to_authors: str = ""
    confidential_comments: str = ""


def normalize_affiliation(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").split())


def conflict_reason(member: CommitteeMember, submission: Submission) -> str:
    """Return why ``member`` must not review ``submission`` ("" when they may)."""
    user_email = member.user.email.casefold()
    authors = list(submission.authors.all())
    if submission.submitter_id == member.user_id or any(
        a.email.casefold() == user_email for a in authors
    ):
        return "is an author of this submission"
    mine = normalize_affiliation(member.affiliation)
    if mine:
        for author in authors:
            if normalize_affiliation(author.affiliation) == mine:
                return f"shares the affiliation “{member.affiliation}” with {author.name}"
    return ""


def conflict_message(member: CommitteeMember, reason: str) -> str:
    """The refusal of an assignment that a conflict of interest holds back."""
    return f"{member.user} {reason}. Give a reason to assign them anyway."


def committee_user(*, email: str, full_name: str = "") -> User:
    """Return the account of this address, creating one without a password (and no mail).

    The person sets a password by resetting it for that address; until then the account can
    be assigned reviews but cannot log in.
    """
    # Exact on the stored form: iexact let a look-alike account (organızer@) take the seat.
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    return user


class SeatRefused(NotAllowed):
    """A committee seat refused; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_committee_seat(*, workshop: Workshop, email: str, topics=()) -> None:
    """Raise ``SeatRefused`` unless this address may take a seat on the workshop's committee
    with these topics: one seat per person, and topics of this workshop only."""
    if CommitteeMember.objects.filter(workshop=workshop, user__email=email).exists():
        raise SeatRefused("This person is on this workshop's committee already.", field="email")
    check_topics(workshop=workshop, topics=topics)


def check_topics(*, workshop: Workshop, topics) -> None:
    """Raise ``SeatRefused`` unless every topic is one of the workshop's."""
    if any(topic.workshop_id != workshop.pk for topic in topics):
        raise SeatRefused("Choose topics of this workshop.", field="topics")


@transaction.atomic
def seat_committee_member(
    *, member: CommitteeMember, email: str, full_name: str = "", topics=()
) -> CommitteeMember:
    """Save a new seat (workshop, affiliation and loads set on ``member``) for the account of
    ``email``, made if there is none, and mail the person their invitation (once per seat, in
    this transaction); its topics are the caller's to set after the save."""
    check_committee_seat(workshop=member.workshop, email=email, topics=topics)
    member.user = committee_user(email=email, full_name=full_name)
    member.save()
    cfa = CallForAbstracts.objects.filter(workshop=member.workshop).first()
    emails.queue_mails([emails.invitation_mail(member, cfa)])
    return member


@transaction.atomic
def accept_invitation(*, member: CommitteeMember, password: str) -> User:
    """Set the password of a committee member's account that has none (the invitation link
    proved the address)."""
    user = User.objects.select_for_update().get(pk=member.user_id)
    if user.has_usable_password():
        raise NotAllowed("This account has a password already: log in with it.")
    return accounts_services.set_password_from_link(user=user, password=password)


def check_assignment(
    *, member: CommitteeMember, submission: Submission, override_reason: str = ""
) -> str:
    """Raise unless ``member`` may review ``submission``: ``NotAllowed`` for a reviewer of
    another workshop, ``ConflictOfInterest`` for a conflict without a written reason. Return
    the conflict ("" for none), which the reason then stands on."""
    if member.workshop_id != submission.workshop_id:
        raise NotAllowed("This reviewer is on another workshop's committee.")
    reason = conflict_reason(member, submission)
    if reason and not override_reason.strip():
        raise ConflictOfInterest(conflict_message(member, reason))
    return reason


@transaction.atomic
def change_override(*, assignment: ReviewAssignment, reason: str) -> ReviewAssignment:
    """Change the written reason a conflicted assignment stands on; never to nothing while
    the conflict is there."""
    conflict = check_assignment(
        member=assignment.reviewer, submission=assignment.submission, override_reason=reason
    )
    assignment.conflict_override = reason.strip() if conflict else ""
    assignment.save(update_fields=["conflict_override"])
    return assignment


@transaction.atomic
def unassign(*, assignment: ReviewAssignment) -> None:
    """Take a reviewer off a submission they have not reviewed: a review is the reviewer's
    work, and organizers never delete it (nor, through its assignment, by cascade)."""
    check_unassign(assignment)
    assignment.delete()


def check_unassign(assignment: ReviewAssignment) -> None:
    """Raise ``NotAllowed`` if the assignment holds a review."""
    if Review.objects.filter(assignment=assignment).exists():
        raise NotAllowed(
            f"{assignment.reviewer.user} has reviewed this submission already: the assignment "
            "stays with its review."
        )


@transaction.atomic
def assign_reviewer(
    *, submission: Submission, member: CommitteeMember, override_reason: str = "", by=None
) -> ReviewAssignment:
    """Assign by hand; a conflict needs a written reason from the organizer. The caller
    tells the reviewers once its batch is saved (``notify_new_assignments``)."""
    reason = check_assignment(member=member, submission=submission, override_reason=override_reason)
    assignment, _ = ReviewAssignment.objects.get_or_create(
        submission=submission,
        reviewer=member,
        defaults={
            "conflict_override": override_reason.strip() if reason else "",
            "assigned_by": by,
        },
    )
    return assignment


def _instance(workshop: Workshop):
    from submissions.assignment import Paper, Reviewer

    submissions = list(
        Submission.objects.filter(workshop=workshop, status=Submission.Status.SUBMITTED)
        .select_related("topic")
        .prefetch_related("authors")
    )
    members = list(
        CommitteeMember.objects.filter(workshop=workshop)
        .select_related("user")
        .prefetch_related("topics")
    )
    existing = list(
        ReviewAssignment.objects.filter(submission__in=submissions).values_list(
            "submission_id", "reviewer_id", "conflict_override"
        )
    )
    overridden = {(s, r) for s, r, why in existing if why}
    conflicts = {
        (s.pk, m.pk)
        for s in submissions
        for m in members
        if (s.pk, m.pk) not in overridden and conflict_reason(m, s)
    }
    papers = [
        Paper(id=s.pk, topics=frozenset([s.topic_id] if s.topic_id else [])) for s in submissions
    ]
    reviewers = [
        Reviewer(
            id=m.pk,
            topics=frozenset(t.pk for t in m.topics.all()),
            min_load=m.min_load,
            max_load=m.max_load,
        )
        for m in members
    ]
    return papers, reviewers, conflicts, {(s, r) for s, r, _ in existing}


@transaction.atomic
def assign_automatically(*, workshop: Workshop, k: int, by=None):
    """Give every submitted abstract ``k`` reviewers (min-cost flow); raise Infeasible if not.

    Existing assignments are kept and count toward ``k``; nothing is written when the
    instance is infeasible.
    """
    from submissions.assignment import assign_reviewers

    Workshop.objects.select_for_update().get(pk=workshop.pk)
    papers, reviewers, conflicts, existing = _instance(workshop)
    result = assign_reviewers(
        papers=papers, reviewers=reviewers, k=k, conflicts=conflicts, existing=existing
    )
    new = [(s, r) for s, r in result.pairs if (s, r) not in existing]
    ReviewAssignment.objects.bulk_create(
        [ReviewAssignment(submission_id=s, reviewer_id=r, assigned_by=by) for s, r in new]
    )
    notify_new_assignments(workshop=workshop)  # one mail per reviewer for the whole batch
    return result


def _by_reviewer(assignments) -> dict[int, list[ReviewAssignment]]:
    by_member: dict[int, list[ReviewAssignment]] = {}
    for assignment in assignments:
        by_member.setdefault(assignment.reviewer_id, []).append(assignment)
    return by_member


@transaction.atomic
def notify_new_assignments(*, workshop: Workshop) -> int:
    """Mail each reviewer of ``workshop`` the papers they were given since they were last told
    (one mail per reviewer and batch, through the outbox, in this transaction), and mark
    those assignments told. Every way of assigning calls it once its batch is saved; returns
    how many reviewers were mailed."""
    now = timezone.now()
    fresh = list(
        ReviewAssignment.objects.select_for_update(of=("self",))
        .filter(submission__workshop=workshop, notified_at__isnull=True)
        .select_related("reviewer__user", "reviewer__workshop", "submission")
        .order_by("reviewer_id", "submission__title", "pk")
    )
    by_member = _by_reviewer(fresh)
    cfa = CallForAbstracts.objects.filter(workshop=workshop).first()
    emails.queue_mails(
        [emails.assigned_mail(own[0].reviewer, own, cfa) for own in by_member.values()]
    )
    ReviewAssignment.objects.filter(pk__in=[a.pk for a in fresh]).update(notified_at=now)
    return len(by_member)


@transaction.atomic
def remind_reviewers(*, members) -> tuple[int, int]:
    """Mail each of ``members`` the reviews they have left (submitted abstracts whose
    decision is not sent), at most once a day each; return (reviewers reminded, reviews left)."""
    today = timezone.localdate()
    left = list(
        ReviewAssignment.objects.filter(
            reviewer__in=members,
            review__isnull=True,
            submission__status=Submission.Status.SUBMITTED,
            submission__notified_at__isnull=True,
        )
        .select_related("reviewer__user", "reviewer__workshop", "submission")
        .order_by("reviewer_id", "submission__title", "pk")
    )
    by_member = _by_reviewer(left)
    cfas = {
        cfa.workshop_id: cfa
        for cfa in CallForAbstracts.objects.filter(
            workshop__in={own[0].reviewer.workshop_id for own in by_member.values()}
        )
    }
    emails.queue_mails(
        [
            emails.reminder_mail(
                own[0].reviewer, own, cfas.get(own[0].reviewer.workshop_id), day=today
            )
            for own in by_member.values()
        ]
    )
    return len(by_member), len(left)


def reviews_left(user) -> int | None:
    """How many reviews ``user`` has still to write (assignments they can open, with no
    review, the decision not sent), or None when they sit on no committee: the menu's count.
    One query for someone on no committee, three for a reviewer."""
    if not user.is_authenticated or not CommitteeMember.objects.filter(user=user).exists():
        return None
    left = (
        assignments_of(user)
        .filter(review__isnull=True, submission__notified_at__isnull=True)
        .select_related("reviewer")
        .prefetch_related("submission__authors")
    )
    return sum(
        1
        for a in left
        if a.conflict_override.strip() or not conflict_reason(a.reviewer, a.submission)
    )


def assignments_of(user) -> QuerySet[ReviewAssignment]:
    """Return the user's own assignments, and nobody else's."""
    if not user.is_authenticated:
        return ReviewAssignment.objects.none()
    return ReviewAssignment.objects.filter(
        reviewer__user=user, submission__status=Submission.Status.SUBMITTED
    ).select_related("submission__workshop", "submission__type", "submission__topic")


@transaction.atomic
def save_review(*, assignment: ReviewAssignment, data: ReviewData) -> Review:
    """Create or update a review; closed once the decision has been sent."""
    submission = Submission.objects.select_for_update().get(pk=assignment.submission_id)
    if submission.notified_at is not None:
        raise ReviewsClosed("The decision has been sent; reviews can no longer change.")
    if submission.status != Submission.Status.SUBMITTED:
        raise ReviewsClosed("This submission was withdrawn.")
    review = Review.objects.filter(assignment=assignment).first() or Review(assignment=assignment)
    review.score = data.score
    review.confidence = data.confidence
    review.comments_to_authors = data.comments_to_authors.strip()
    review.confidential_comments = data.confidential_comments.strip()
    review.full_clean(exclude=["assignment"])
    review.save()
    return review


def author_identities(submission: Submission) -> set[str]:
    """Return what would name an author: names, their longer words, addresses and their local
    parts, of every author and of the submitter."""
    people = [(a.name, a.email) for a in submission.authors.all()]
    people.append((submission.submitter.full_name, submission.submitter.email))
    found = set()
    for name, email in people:
        found.update(part for part in [name, *name.split()] if len(part) >= 3)
        if email:
            found.update((email, email.partition("@")[0]))
    return found


def blind_pdf(*, submission: Submission, data: bytes) -> bytes:
    """Return the submission's PDF as a blind reviewer may see it.

    Raise PdfUnreadable, or BlindCopyNamesAuthors when a name or address of an author is
    still in the copy after its metadata is gone; the organizers are told once per file.
    """
    try:
        return blind_copy(data, identities=author_identities(submission))
    except (PdfUnreadable, BlindCopyNamesAuthors) as exc:
        with transaction.atomic():
            emails.queue_blind_pdf_alert(submission, problem=str(exc))
        raise
