"""A reviewer's way through: told by mail when papers are given to them (one mail per batch),
reminded of the reviews left (at most once a day), a “Reviews” entry with the count in every
page's menu, and a home listing each workshop's assignments with the due date and progress."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
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


def seat(workshop, email: str, **kwargs):
    return services.seat_committee_member(
        member=CommitteeMemberFactory.build(workshop=workshop, user=None), email=email, **kwargs
    )


def invitation_path(mail: OutgoingMail) -> str:
    [path] = re.findall(r"https?://[^/\s]+(/reviews/invitation/\S+)", mail.body_text)
    return path


def test_a_new_committee_member_is_invited_once_with_a_link_that_sets_a_password(client, workshop):
    member = seat(workshop, "new.reviewer@example.org", full_name="Nora New")

    [mail] = mails_to("new.reviewer@example.org")
    assert mail.key == f"committee-invitation:{member.pk}"
    assert mail.subject == "You are on the programme committee of TD30"
    assert "Dear Nora New" in mail.body_text
    assert "Choose its password here" in mail.body_text
    assert "Reviews are due by Friday 15 February 2030." in mail.body_text
    services.notify_new_assignments(workshop=workshop)  # nothing assigned: no other mail
    assert len(mails_to("new.reviewer@example.org")) == 1

    path = invitation_path(mail)
    page = client.get(path)
    assert page.status_code == 200 and b"new.reviewer@example.org" in page.content
    refused = client.post(path, {"new_password1": "short", "new_password2": "short"})
    assert refused.status_code == 200 and b"too short" in refused.content
    user = member.user
    user.refresh_from_db()
    assert not user.has_usable_password()  # nothing half-saved

    done = client.post(path, {"new_password1": "c0mmittee-Pass", "new_password2": "c0mmittee-Pass"})

    assert done.status_code == 302 and done["Location"] == reverse("reviews:list")
    user.refresh_from_db()
    assert user.check_password("c0mmittee-Pass")
    assert EmailAddress.objects.get(user=user, email=user.email).verified
    assert client.get(reverse("reviews:list")).status_code == 200  # logged in
    # Used: it now sets nothing, and says so without telling anything about the seat.
    client.logout()
    again = client.get(path)
    assert again.status_code == 404 and b"log in" in again.content
    # And the person can log in with the address and the password they chose.
    login = client.post(
        reverse("account_login"), {"login": user.email, "password": "c0mmittee-Pass"}
    )
    assert login.status_code == 302


def test_an_existing_account_is_invited_to_log_in(client, workshop):
    UserFactory(email="known@example.org")  # has a password
    seat(workshop, "known@example.org")

    [mail] = mails_to("known@example.org")
    assert "You have an account on this site" in mail.body_text
    response = client.get(invitation_path(mail))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/reviews/"


def test_a_forged_invitation_is_a_clear_404(client, workshop, emmy):
    response = client.get(reverse("reviews:invitation", kwargs={"pk": emmy.pk, "token": "0" * 40}))
    assert response.status_code == 404
    assert b"This invitation link is not valid" in response.content


def test_the_admin_seat_form_sends_the_invitation(client, workshop):
    organizer = OrganizerFactory()
    workshop.organizers.add(organizer)
    client.force_login(organizer)
    response = client.post(
        reverse("admin:submissions_committeemember_add"),
        {
            "workshop": workshop.pk,
            "email": "ada@example.org",
            "full_name": "Ada Lovelace",
            "affiliation": "",
            "min_load": 0,
            "max_load": 10,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    [mail] = mails_to("ada@example.org")
    assert mail.subject.startswith("You are on the programme committee")


def test_a_reviewer_without_a_password_gets_the_invitation_link_with_the_papers(workshop):
    member = seat(workshop, "new.reviewer@example.org")
    ReviewAssignmentFactory(submission=SubmissionFactory(workshop=workshop), reviewer=member)
    services.notify_new_assignments(workshop=workshop)
    invitation, assigned = mails_to("new.reviewer@example.org")
    assert "You have no password for this site yet" in assigned.body_text
    assert invitation_path(assigned) == invitation_path(invitation)


def test_a_login_lands_a_reviewer_with_reviews_left_on_their_reviews(client, workshop, emmy):
    ReviewAssignmentFactory(submission=SubmissionFactory(workshop=workshop), reviewer=emmy)
    EmailAddress.objects.create(user=emmy.user, email=emmy.user.email, verified=True, primary=True)
    emmy.user.set_password("emmy-Pass-1")
    emmy.user.save()

    response = client.post(
        reverse("account_login"), {"login": emmy.user.email, "password": "emmy-Pass-1"}
    )
    assert client.get(response["Location"])["Location"] == reverse("reviews:list")

    speaker = UserFactory()
    client.force_login(speaker)
    assert client.get(reverse("submissions:after_login"))["Location"] == reverse("submissions:mine")


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


def test_an_organizer_never_sees_a_link_that_sets_someones_password(client, workshop):
    """The outbox shows organizers their workshops' mail: a mail with the set-password link
    is not one of them (else an organizer could seat any address and take its account)."""
    organizer = OrganizerFactory()
    workshop.organizers.add(organizer)
    member = seat(workshop, "victim@example.org")
    ReviewAssignmentFactory(submission=SubmissionFactory(workshop=workshop), reviewer=member)
    services.notify_new_assignments(workshop=workshop)
    services.remind_reviewers(members=[member])
    mails = mails_to("victim@example.org")
    assert len(mails) == 3 and all("/reviews/invitation/" in m.body_text for m in mails)
    assert all(m.workshop_id is None for m in mails)
    assert mails[0].reply_to == workshop.contact_email

    visible = OutgoingMail.objects.managed_by(organizer)
    assert not visible.filter(to="victim@example.org").exists()
    client.force_login(organizer)
    page = client.get(reverse("admin:outbox_outgoingmail_changelist")).content.decode()
    assert "victim@example.org" not in page
    assert client.get(
        reverse("admin:outbox_outgoingmail_change", args=[mails[0].pk])
    ).status_code in (302, 403, 404)


def test_an_invitation_is_for_the_address_it_was_mailed_to(client, workshop):
    member = seat(workshop, "first@example.org")
    path = invitation_path(mails_to("first@example.org")[0])
    User = type(member.user)
    User.objects.filter(pk=member.user_id).update(email="second@example.org")

    assert client.get(path).status_code == 404  # the link does not verify another address
