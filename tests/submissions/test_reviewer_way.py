"""A reviewer's way through: told by mail when papers are given to them (one mail per batch),
reminded of the reviews left (at most once a day), a “Reviews” entry with the count in every
page's menu, and a home listing each workshop's assignments with the due date and progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutgoingMail
from submissions import services
from tests.factories import OrganizerFactory, UserFactory, WorkshopFactory
from tests.submissions.factories import (
    CallForAbstractsFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop():
    workshop = WorkshopFactory(title="Tensor Days", short_title="TD30")
    CallForAbstractsFactory(workshop=workshop, review_deadline=dt.date(2030, 2, 15))
    return workshop


@pytest.fixture
def emmy(workshop):
    user = UserFactory(email="emmy@example.org", full_name="Emmy Noether")
    return CommitteeMemberFactory(workshop=workshop, user=user, affiliation="Göttingen")


def mails_to(address: str) -> list[OutgoingMail]:
    return list(OutgoingMail.objects.filter(to=address).order_by("pk"))


def test_a_batch_of_assignments_is_one_mail_per_reviewer_and_only_once(workshop, emmy):
    first = SubmissionFactory(workshop=workshop, title="Tensor trains")
    second = SubmissionFactory(workshop=workshop, title="Sketching")
    ReviewAssignmentFactory(submission=first, reviewer=emmy)
    ReviewAssignmentFactory(submission=second, reviewer=emmy)

    assert services.notify_new_assignments(workshop=workshop) == 1
    assert services.notify_new_assignments(workshop=workshop) == 0  # told already

    [mail] = mails_to("emmy@example.org")
    assert mail.subject == "2 abstracts to review for TD30"
    assert "“Sketching”" in mail.body_text and "“Tensor trains”" in mail.body_text
    assert "Reviews are due by Friday 15 February 2030." in mail.body_text
    assert reverse("reviews:list") in mail.body_text

    ReviewAssignmentFactory(submission=SubmissionFactory(workshop=workshop), reviewer=emmy)
    services.notify_new_assignments(workshop=workshop)
    later = mails_to("emmy@example.org")
    assert len(later) == 2 and later[1].subject == "1 abstract to review for TD30"


def test_automatic_assignment_tells_each_reviewer_once(workshop, emmy):
    grace = CommitteeMemberFactory(workshop=workshop, user__email="grace@example.org")
    for n in range(3):
        SubmissionFactory(workshop=workshop, title=f"Paper {n}")

    services.assign_automatically(workshop=workshop, k=2)

    assert len(mails_to("emmy@example.org")) == 1
    assert len(mails_to(grace.user.email)) == 1
    assert "3 abstracts to review" in mails_to(grace.user.email)[0].subject


def test_a_reviewer_without_a_password_is_told_how_to_set_one(workshop):
    member = services.seat_committee_member(
        member=CommitteeMemberFactory.build(workshop=workshop, user=None),
        email="new.reviewer@example.org",
    )
    ReviewAssignmentFactory(submission=SubmissionFactory(workshop=workshop), reviewer=member)
    services.notify_new_assignments(workshop=workshop)
    [mail] = mails_to("new.reviewer@example.org")
    assert "You have no password for this site yet" in mail.body_text
    assert reverse("account_reset_password") in mail.body_text


def test_the_reminder_goes_to_those_with_reviews_left_once_a_day(client, workshop, emmy):
    done = CommitteeMemberFactory(workshop=workshop, user__email="done@example.org")
    open_one = ReviewAssignmentFactory(
        submission=SubmissionFactory(workshop=workshop), reviewer=emmy
    )
    ReviewFactory(
        assignment=ReviewAssignmentFactory(
            submission=SubmissionFactory(workshop=workshop), reviewer=done
        )
    )
    organizer = OrganizerFactory()
    workshop.organizers.add(organizer)
    client.force_login(organizer)
    changelist = reverse("admin:submissions_committeemember_changelist")
    action = {"action": "remind", "_selected_action": [emmy.pk, done.pk]}

    response = client.post(changelist, action, follow=True)

    assert "Reminded 1 reviewer of 1 review left" in response.content.decode()
    [mail] = mails_to("emmy@example.org")
    assert mail.subject == "Reminder: 1 review left for TD30"
    assert open_one.submission.title in mail.body_text
    assert mails_to("done@example.org") == []
    client.post(changelist, action)
    assert len(mails_to("emmy@example.org")) == 1  # once a day


def test_another_organizer_cannot_remind_this_committee(client, workshop, emmy):
    ReviewAssignmentFactory(submission=SubmissionFactory(workshop=workshop), reviewer=emmy)
    client.force_login(OrganizerFactory(email="bob@example.org"))
    changelist = reverse("admin:submissions_committeemember_changelist")
    client.post(changelist, {"action": "remind", "_selected_action": [emmy.pk]})
    assert mails_to("emmy@example.org") == []


def test_the_menu_offers_reviews_with_the_count_to_committee_members_only(client, workshop, emmy):
    ReviewAssignmentFactory(submission=SubmissionFactory(workshop=workshop), reviewer=emmy)
    ReviewFactory(
        assignment=ReviewAssignmentFactory(
            submission=SubmissionFactory(workshop=workshop), reviewer=emmy
        )
    )
    closed = SubmissionFactory(workshop=workshop, notified_at=timezone.now())
    ReviewAssignmentFactory(submission=closed, reviewer=emmy)
    client.force_login(emmy.user)

    home = client.get(reverse("workshops:home")).content.decode()

    entry = home.split('data-testid="nav-reviews"')[1].split("</a>")[0]
    # One left: the open one (not the reviewed one, nor the one whose decision is sent).
    assert 'text-bg-warning">1<span class="visually-hidden"> to do</span>' in entry
    client.force_login(UserFactory(email="nobody@example.org"))
    assert 'data-testid="nav-reviews"' not in client.get(reverse("workshops:home")).content.decode()


def test_the_reviewers_home_shows_each_workshops_due_date_and_progress(client, workshop, emmy):
    ReviewAssignmentFactory(submission=SubmissionFactory(workshop=workshop), reviewer=emmy)
    ReviewFactory(
        assignment=ReviewAssignmentFactory(
            submission=SubmissionFactory(workshop=workshop), reviewer=emmy
        )
    )
    other = WorkshopFactory(title="Sketch Week")
    seat = CommitteeMemberFactory(workshop=other, user=emmy.user)
    ReviewAssignmentFactory(submission=SubmissionFactory(workshop=other), reviewer=seat)
    client.force_login(emmy.user)

    page = client.get(reverse("reviews:list")).content.decode()

    tensor = page.split(f'data-testid="review-group-{workshop.pk}"')[1].split("</section>")[0]
    assert "1 review to write" in tensor and "1 of 2 done" in tensor
    assert "reviews due by Friday 15 February 2030" in tensor
    assert 'aria-valuenow="50"' in tensor
    sketch = page.split(f'data-testid="review-group-{other.pk}"')[1].split("</section>")[0]
    assert "Sketch Week" in sketch and "0 of 1 done" in sketch and "reviews due" not in sketch
