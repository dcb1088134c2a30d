"""The committee's rules: conflicts of interest, assignments by hand and by solver, reviews."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from submissions import services
from submissions.assignment import Infeasible
from submissions.models import Review, ReviewAssignment, Submission
from submissions.services import ReviewData
from tests.factories import OrganizerFactory, TopicFactory, UserFactory, WorkshopFactory
from tests.submissions.factories import (
    AuthorFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop():
    return WorkshopFactory()


def submission_by(workshop, *, affiliation="Université de Lorraine", **kwargs) -> Submission:
    submission = SubmissionFactory(workshop=workshop, authors=[], **kwargs)
    submission.authors.update(affiliation=affiliation)
    return submission


# Conflicts of interest -------------------------------------------------------------------------


def test_the_submitter_is_in_conflict_with_their_own_submission(workshop):
    member = CommitteeMemberFactory(workshop=workshop, affiliation="Inria")
    submission = SubmissionFactory(workshop=workshop, submitter=member.user, authors=[])

    assert services.conflict_reason(member, submission) == "is an author of this submission"


def test_a_co_author_is_in_conflict_whatever_the_case_of_the_address(workshop):
    member = CommitteeMemberFactory(
        workshop=workshop, user=UserFactory(email="grace@example.org"), affiliation="Inria"
    )
    submission = SubmissionFactory(workshop=workshop, authors=[("Grace", "Grace@Example.ORG")])
    submission.authors.update(affiliation="ETH Zürich")

    assert services.conflict_reason(member, submission) == "is an author of this submission"


@pytest.mark.parametrize(
    "author_affiliation",
    [
        "Université de Lorraine",
        "université de lorraine",
        "  Université   de Lorraine ",
        "Université, de Lorraine",
        "UNIVERSITÉ DE LORRAINE,",
    ],
)
def test_a_shared_affiliation_is_a_conflict_however_it_is_typed(workshop, author_affiliation):
    member = CommitteeMemberFactory(workshop=workshop, affiliation="Université de Lorraine")
    submission = submission_by(workshop, affiliation=author_affiliation)
    author = submission.authors.get()

    assert services.conflict_reason(member, submission) == (
        f"shares the affiliation “Université de Lorraine” with {author.name}"
    )


def test_other_affiliations_and_an_empty_one_are_no_conflict(workshop):
    submission = submission_by(workshop, affiliation="")
    AuthorFactory(submission=submission, order=1, affiliation="ETH Zürich")

    for affiliation in ("Inria", "", "Université de Lorraine Nancy"):
        member = CommitteeMemberFactory(workshop=workshop, affiliation=affiliation)
        assert services.conflict_reason(member, submission) == ""


def test_a_conflicted_assignment_without_a_reason_is_refused_and_nothing_is_written(workshop):
    member = CommitteeMemberFactory(workshop=workshop, affiliation="Université de Lorraine")
    submission = submission_by(workshop)

    with pytest.raises(services.ConflictOfInterest, match="Give a reason"):
        services.assign_reviewer(submission=submission, member=member, override_reason="  ")

    assert ReviewAssignment.objects.count() == 0


def test_an_organizer_may_override_a_conflict_with_a_recorded_reason(workshop):
    organizer = OrganizerFactory()
    member = CommitteeMemberFactory(workshop=workshop, affiliation="Université de Lorraine")
    submission = submission_by(workshop)

    assignment = services.assign_reviewer(
        submission=submission,
        member=member,
        override_reason=" Different lab, never worked together. ",
        by=organizer,
    )

    assert list(ReviewAssignment.objects.all()) == [assignment]
    assert assignment.conflict_override == "Different lab, never worked together."
    assert assignment.assigned_by == organizer


def test_a_reason_given_without_a_conflict_is_not_recorded(workshop):
    member = CommitteeMemberFactory(workshop=workshop, affiliation="Inria")
    submission = submission_by(workshop)

    assignment = services.assign_reviewer(
        submission=submission, member=member, override_reason="Just in case."
    )

    assert assignment.conflict_override == ""


def test_a_reviewer_of_another_workshop_cannot_be_assigned(workshop):
    member = CommitteeMemberFactory(affiliation="Inria")
    submission = submission_by(workshop)

    with pytest.raises(services.NotAllowed):
        services.assign_reviewer(submission=submission, member=member)

    assert ReviewAssignment.objects.count() == 0


def test_assigning_twice_keeps_one_assignment(workshop):
    member = CommitteeMemberFactory(workshop=workshop, affiliation="Inria")
    submission = submission_by(workshop)

    first = services.assign_reviewer(submission=submission, member=member)
    again = services.assign_reviewer(submission=submission, member=member)

    assert again == first
    assert ReviewAssignment.objects.count() == 1


# Reviews --------------------------------------------------------------------------------------


def test_a_review_is_created_then_updated():
    assignment = ReviewAssignmentFactory()

    first = services.save_review(
        assignment=assignment,
        data=ReviewData(score=2, confidence=4, comments_to_authors="  Nice.  "),
    )
    second = services.save_review(
        assignment=assignment,
        data=ReviewData(score=-1, confidence=3, confidential_comments="On reflection, weak."),
    )

    assert second.pk == first.pk
    review = Review.objects.get()
    assert (review.score, review.confidence) == (-1, 3)
    assert (review.comments_to_authors, review.confidential_comments) == (
        "",
        "On reflection, weak.",
    )


@pytest.mark.parametrize("score, confidence", [(4, 3), (-4, 3), (0, 0), (0, 6)])
def test_scores_and_confidences_out_of_range_are_refused(score, confidence):
    assignment = ReviewAssignmentFactory()

    with pytest.raises(ValidationError):
        services.save_review(
            assignment=assignment, data=ReviewData(score=score, confidence=confidence)
        )

    assert Review.objects.count() == 0


def test_a_review_can_change_after_the_decision_until_the_authors_are_told():
    review = ReviewFactory(score=1)
    submission = review.assignment.submission
    services.decide_submission(submission=submission, decision="talk")

    services.save_review(assignment=review.assignment, data=ReviewData(score=3, confidence=5))

    review.refresh_from_db()
    assert review.score == 3


def test_reviews_are_closed_once_the_decision_is_sent():
    review = ReviewFactory(score=1, comments_to_authors="Fine.")
    Submission.objects.filter(pk=review.assignment.submission_id).update(
        decision="talk", notified_at=timezone.now()
    )

    with pytest.raises(services.ReviewsClosed):
        services.save_review(assignment=review.assignment, data=ReviewData(score=-3, confidence=5))

    review.refresh_from_db()
    assert (review.score, review.comments_to_authors) == (1, "Fine.")


def test_a_withdrawn_submission_takes_no_review():
    assignment = ReviewAssignmentFactory(submission__status=Submission.Status.WITHDRAWN)

    with pytest.raises(services.ReviewsClosed):
        services.save_review(assignment=assignment, data=ReviewData(score=1, confidence=1))

    assert Review.objects.count() == 0


def test_assignments_of_are_the_users_own_for_submitted_abstracts_only():
    mine = ReviewAssignmentFactory()
    user = mine.reviewer.user
    ReviewAssignmentFactory()  # somebody else's
    ReviewAssignmentFactory(
        submission__status=Submission.Status.WITHDRAWN,
        reviewer=CommitteeMemberFactory(user=user),
    )

    assert list(services.assignments_of(user)) == [mine]


# Automatic assignment -------------------------------------------------------------------------


def _committee(workshop, n, **kwargs):
    return [
        CommitteeMemberFactory(workshop=workshop, affiliation=f"Lab {i}", **kwargs)
        for i in range(n)
    ]


def test_automatic_assignment_gives_every_submission_k_reviewers_within_bounds(workshop):
    topic = TopicFactory(workshop=workshop)
    members = _committee(workshop, 4, max_load=3)
    members[0].topics.add(topic)
    submissions = [submission_by(workshop, topic=topic) for _ in range(5)]
    # A conflict the solver must respect: member 1 shares an affiliation with submission 0.
    submissions[0].authors.update(affiliation="Lab 1")
    SubmissionFactory(workshop=workshop, status=Submission.Status.WITHDRAWN)

    services.assign_automatically(workshop=workshop, k=2)

    pairs = list(ReviewAssignment.objects.values_list("submission_id", "reviewer_id"))
    for submission in submissions:
        assert sum(1 for s, _ in pairs if s == submission.pk) == 2
    assert {s for s, _ in pairs} == {s.pk for s in submissions}
    assert (submissions[0].pk, members[1].pk) not in pairs
    for member in members:
        assert sum(1 for _, r in pairs if r == member.pk) <= 3


def test_existing_assignments_are_kept_and_count_toward_k(workshop):
    members = _committee(workshop, 3)
    submission = submission_by(workshop)
    kept = services.assign_reviewer(submission=submission, member=members[2])

    services.assign_automatically(workshop=workshop, k=2)

    assert ReviewAssignment.objects.filter(submission=submission).count() == 2
    assert ReviewAssignment.objects.filter(pk=kept.pk).exists()


def test_an_infeasible_instance_is_reported_and_nothing_is_written(workshop):
    _committee(workshop, 2, max_load=1)
    for _ in range(3):
        submission_by(workshop)

    with pytest.raises(Infeasible) as raised:
        services.assign_automatically(workshop=workshop, k=1)

    assert raised.value.reasons
    assert ReviewAssignment.objects.count() == 0
