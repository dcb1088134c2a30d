"""Organizer admin for review and decisions: scoped to one's workshops, every action a service."""

import csv
import io

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from outbox.models import OutgoingMail
from submissions.models import CommitteeMember, DecisionMailText, ReviewAssignment, Submission
from tests.factories import OrganizerFactory, UserFactory, WorkshopFactory
from tests.submissions.factories import (
    CallForAbstractsFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    SubmissionFactory,
    SubmissionTypeFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:submissions_submission_changelist"
# Column numbers for ?o= (the action checkbox is column 0).
MEAN_SCORE_COLUMN = 9


@pytest.fixture
def alice():
    return OrganizerFactory(email="alice@example.org")


@pytest.fixture
def workshop(alice):
    workshop = WorkshopFactory(title="Tensor Days", organizers=[alice])
    CallForAbstractsFactory(workshop=workshop, reviewers_per_submission=2)
    return workshop


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bobs_submission():
    bob = OrganizerFactory(email="bob@example.org")
    hidden = WorkshopFactory(title="Hidden Bob Workshop", organizers=[bob])
    return SubmissionFactory(workshop=hidden, title="Bob's secret abstract")


def reviewed(workshop, title: str, scores: list[int]) -> Submission:
    submission = SubmissionFactory(workshop=workshop, title=title)
    for score in scores:
        ReviewFactory(assignment__submission=submission, score=score)
    return submission


def action(client, name: str, submissions, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": name, "_selected_action": [s.pk for s in submissions], **extra},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Scoping and the list -------------------------------------------------------------------------


def test_another_organizer_sees_nothing_of_my_submissions(client, workshop, bobs_submission):
    mine = SubmissionFactory(workshop=workshop, title="Alice's abstract")
    bob = User.objects.get(email="bob@example.org")
    client.force_login(bob)

    page = client.get(reverse(CHANGELIST)).content.decode()

    assert "Bob&#x27;s secret abstract" in page
    assert "Alice&#x27;s abstract" not in page
    change = client.get(reverse("admin:submissions_submission_change", args=[mine.pk]))
    assert change.status_code == 302  # the admin's "does not exist" answer
    for model in ("committeemember", "reviewassignment", "review", "decisionmailtext"):
        assert client.get(reverse(f"admin:submissions_{model}_changelist")).status_code == 200


def test_other_organizers_reviews_and_committee_stay_hidden(admin_client, bobs_submission):
    ReviewFactory(assignment__submission=bobs_submission, comments_to_authors="Bob-only text")

    for model in ("committeemember", "reviewassignment", "review"):
        response = admin_client.get(reverse(f"admin:submissions_{model}_changelist"))
        assert response.context["cl"].result_count == 0, model


def test_actions_ignore_submissions_of_other_workshops(admin_client, workshop, bobs_submission):
    response = action(admin_client, "accept_as_talk", [bobs_submission])

    assert response.status_code == 200
    bobs_submission.refresh_from_db()
    assert bobs_submission.decision == ""


def test_the_list_shows_review_count_mean_and_spread(
    admin_client, workshop, django_assert_max_num_queries
):
    reviewed(workshop, "Strong", [3, 2, 1])
    reviewed(workshop, "Split", [-3, 3])
    reviewed(workshop, "Unreviewed", [])
    # A second organizer on the workshop must not multiply the counts.
    workshop.organizers.add(OrganizerFactory())
    ReviewAssignmentFactory(submission=Submission.objects.get(title="Unreviewed"))

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse(CHANGELIST))

    rows = {s.title: s for s in response.context["cl"].result_list}
    model_admin = response.context["cl"].model_admin
    assert [
        (model_admin.review_count(s), model_admin.mean_score(s), model_admin.spread(s))
        for s in (rows["Strong"], rows["Split"], rows["Unreviewed"])
    ] == [(3, "+2.00", "2"), (2, "+0.00", "6"), (0, "—", "—")]


def test_the_list_sorts_by_mean_score(admin_client, workshop):
    reviewed(workshop, "Middle", [0, 1])
    reviewed(workshop, "Best", [3, 3])
    reviewed(workshop, "Worst", [-2, -3])

    ascending = admin_client.get(reverse(CHANGELIST), {"o": str(MEAN_SCORE_COLUMN)})
    descending = admin_client.get(reverse(CHANGELIST), {"o": f"-{MEAN_SCORE_COLUMN}"})

    assert [s.title for s in ascending.context["cl"].result_list] == ["Worst", "Middle", "Best"]
    assert [s.title for s in descending.context["cl"].result_list] == ["Best", "Middle", "Worst"]


def test_search_finds_by_author(admin_client, workshop):
    submission = SubmissionFactory(workshop=workshop, authors=[("Sofia K", "sofia@example.org")])
    SubmissionFactory(workshop=workshop)

    response = admin_client.get(reverse(CHANGELIST), {"q": "sofia@example"})

    assert list(response.context["cl"].result_list) == [submission]


# Decisions ------------------------------------------------------------------------------------


def test_bulk_decisions_go_through_the_service(admin_client, workshop):
    talks = [SubmissionFactory(workshop=workshop) for _ in range(2)]
    draft = SubmissionFactory(workshop=workshop, status="draft", title="Half-written")

    response = action(admin_client, "accept_as_talk", [*talks, draft])

    assert messages_of(response) == [
        "2 submission(s) accepted as talk.",
        "“Half-written” is not submitted (draft).",
    ]
    assert [s.decision for s in Submission.objects.order_by("pk")] == ["talk", "talk", ""]

    response = action(admin_client, "reject", talks[:1])
    assert messages_of(response) == ["1 submission(s) rejected."]
    talks[0].refresh_from_db()
    assert talks[0].decision == "reject"


@pytest.mark.parametrize(
    "name, decision",
    [("accept_as_poster", "poster"), ("accept_as_spotlight", "spotlight")],
)
def test_each_accept_action_sets_its_type(admin_client, workshop, name, decision):
    submission = SubmissionFactory(workshop=workshop)

    action(admin_client, name, [submission])

    submission.refresh_from_db()
    assert submission.decision == decision


def test_a_decision_already_sent_is_not_changed(admin_client, workshop):
    submission = SubmissionFactory(workshop=workshop, title="Told", decision="reject")
    Submission.objects.filter(pk=submission.pk).update(notified_at=timezone.now())

    response = action(admin_client, "accept_as_talk", [submission])

    assert messages_of(response) == ["The authors of “Told” already know the decision."]
    submission.refresh_from_db()
    assert submission.decision == "reject"


def test_one_decision_from_the_change_form(admin_client, workshop):
    submission = SubmissionFactory(workshop=workshop)
    url = reverse("admin:submissions_submission_change", args=[submission.pk])
    page = admin_client.get(url)
    assert 'name="_decide_spotlight"' in page.content.decode()

    response = admin_client.post(
        url, {**change_form_data(page), "_decide_spotlight": "Accept as spotlight"}, follow=True
    )

    assert messages_of(response) == ["1 submission(s) accepted as spotlight."]
    submission.refresh_from_db()
    assert submission.decision == "spotlight"


# Notify authors -------------------------------------------------------------------------------


def test_notify_previews_the_mails_then_sends_them_once(
    admin_client, workshop, mailoutbox, django_capture_on_commit_callbacks
):
    talk = SubmissionFactory(workshop=workshop, title="Tensor trains", decision="talk")
    rejected = SubmissionFactory(workshop=workshop, title="Not this time", decision="reject")
    undecided = SubmissionFactory(workshop=workshop, title="Still open")
    selection = [talk, rejected, undecided]

    preview = action(admin_client, "notify_authors", selection)

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "<strong>2</strong> decision mail(s) will be queued" in page
    assert "1 undecided submission(s) are skipped" in page
    assert "Your submission to Tensor Days is accepted" in page
    assert "“Tensor trains” is accepted as talk at Tensor Days" in page
    assert "thank you for submitting “Not this time”" in page
    assert f"/submissions/{talk.pk}/confirm/" in page
    assert OutgoingMail.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = action(admin_client, "notify_authors", selection, send="Queue")

    assert messages_of(response) == [
        "2 decision mail(s) queued.",
        "1 undecided submission(s) skipped.",
    ]
    assert sorted(OutgoingMail.objects.values_list("key", flat=True)) == sorted(
        [f"decision:{talk.pk}", f"decision:{rejected.pk}"]
    )
    assert len(mailoutbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        again = action(admin_client, "notify_authors", [talk, rejected], send="Queue")

    assert messages_of(again) == [
        "0 decision mail(s) queued.",
        "2 submission(s) were already notified: nothing sent again.",
    ]
    assert OutgoingMail.objects.count() == 2
    assert len(mailoutbox) == 2


# Automatic assignment -------------------------------------------------------------------------


def test_automatic_assignment_asks_k_then_assigns(admin_client, workshop):
    submissions = [SubmissionFactory(workshop=workshop) for _ in range(3)]
    for i in range(3):
        CommitteeMemberFactory(workshop=workshop, affiliation=f"Lab {i}")

    form = action(admin_client, "assign_automatically", submissions[:1])
    assert form.context["form"]["k"].value() == 2  # the call's reviewers_per_submission

    response = action(admin_client, "assign_automatically", submissions[:1], assign="1", k="2")

    assert messages_of(response) == [
        "Tensor Days: 6 new assignment(s); every submitted abstract has 2 reviewer(s)."
    ]
    for submission in submissions:
        assert submission.assignments.count() == 2
        assert all(a.assigned_by.email == "alice@example.org" for a in submission.assignments.all())


def test_an_infeasible_assignment_is_reported_and_nothing_changes(admin_client, workshop):
    submissions = [SubmissionFactory(workshop=workshop) for _ in range(3)]
    CommitteeMemberFactory(workshop=workshop, affiliation="Lab", max_load=1)

    response = action(admin_client, "assign_automatically", submissions, assign="1", k="1")

    errors = messages_of(response)
    assert errors[0] == (
        "Tensor Days: no assignment gives every submission 1 reviewer(s) within the load "
        "limits; nothing was changed."
    )
    assert len(errors) >= 2
    assert all(e.startswith("Tensor Days: ") for e in errors)
    assert ReviewAssignment.objects.count() == 0


# Reviews as CSV -------------------------------------------------------------------------------


def test_reviews_export_as_csv(admin_client, workshop):
    submission = SubmissionFactory(workshop=workshop, title="=HYPERLINK(1)")
    member = CommitteeMemberFactory(workshop=workshop, user=UserFactory(email="emmy@example.org"))
    review = ReviewFactory(
        assignment__submission=submission,
        assignment__reviewer=member,
        score=-2,
        confidence=4,
        comments_to_authors="-- see above",
        confidential_comments="Weak.",
    )
    ReviewAssignmentFactory(submission=submission)  # no review yet: no row
    other = SubmissionFactory(workshop=workshop)
    ReviewFactory(assignment__submission=other)  # not selected

    response = action(admin_client, "export_reviews_csv", [submission])

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [
        [
            "submission_id",
            "title",
            "reviewer_email",
            "score",
            "confidence",
            "comments_to_authors",
            "confidential_comments",
            "updated",
        ],
        [
            str(submission.pk),
            "'=HYPERLINK(1)",
            "emmy@example.org",
            "-2",
            "4",
            "'-- see above",
            "Weak.",
            review.updated_at.isoformat(),
        ],
    ]


# The committee, assignments by hand, mail texts -----------------------------------------------


def add_member(client, workshop, email: str, **extra):
    return client.post(
        reverse("admin:submissions_committeemember_add"),
        {
            "workshop": workshop.pk,
            "email": email,
            "full_name": "Emmy Noether",
            "affiliation": "Göttingen",
            "min_load": "0",
            "max_load": "5",
            **extra,
        },
        follow=True,
    )


def test_a_committee_member_is_added_by_email_with_a_new_passwordless_account(
    admin_client, workshop, mailoutbox
):
    response = add_member(admin_client, workshop, "emmy@example.org")

    assert response.status_code == 200
    member = CommitteeMember.objects.get()
    assert (member.workshop, member.user.email, member.user.full_name) == (
        workshop,
        "emmy@example.org",
        "Emmy Noether",
    )
    assert not is_password_usable(member.user.password)
    assert not member.user.is_staff
    # One mail, the invitation with its set-password link (test_reviewer_way.py follows it).
    [invitation] = OutgoingMail.objects.all()
    assert invitation.key == f"committee-invitation:{member.pk}"
    assert invitation.to == "emmy@example.org"


def test_an_existing_account_is_reused_and_a_second_seat_refused(admin_client, workshop):
    user = UserFactory(email="Emmy@Example.org", full_name="E. Noether")

    add_member(admin_client, workshop, "emmy@example.org")
    again = add_member(admin_client, workshop, "EMMY@example.org")

    assert CommitteeMember.objects.get().user == user
    assert User.objects.filter(email__iexact="emmy@example.org").count() == 1
    assert again.context["adminform"].form.errors == {
        "email": ["This person is on this workshop's committee already."]
    }
    user.refresh_from_db()
    assert user.full_name == "E. Noether"


def test_a_member_cannot_be_seated_at_another_organizers_workshop(admin_client, bobs_submission):
    response = add_member(admin_client, bobs_submission.workshop, "emmy@example.org")

    assert "workshop" in response.context["adminform"].form.errors
    assert CommitteeMember.objects.count() == 0


def test_a_conflicted_manual_assignment_needs_a_reason(admin_client, workshop):
    submission = SubmissionFactory(workshop=workshop)  # authors at Université de Lorraine
    member = CommitteeMemberFactory(workshop=workshop, affiliation="université de lorraine")
    url = reverse("admin:submissions_reviewassignment_add")

    refused = admin_client.post(url, {"submission": submission.pk, "reviewer": member.pk})

    errors = refused.context["adminform"].form.errors
    assert "Give a reason to assign them anyway." in errors["conflict_override"][0]
    assert ReviewAssignment.objects.count() == 0

    admin_client.post(
        url,
        {"submission": submission.pk, "reviewer": member.pk, "conflict_override": "Other lab."},
    )

    assignment = ReviewAssignment.objects.get()
    assert (assignment.conflict_override, assignment.assigned_by.email) == (
        "Other lab.",
        "alice@example.org",
    )


def test_a_reviewer_of_another_workshop_cannot_be_assigned_by_hand(admin_client, workshop, alice):
    submission = SubmissionFactory(workshop=workshop)
    elsewhere = CommitteeMemberFactory(workshop=WorkshopFactory(organizers=[alice]))

    response = admin_client.post(
        reverse("admin:submissions_reviewassignment_add"),
        {"submission": submission.pk, "reviewer": elsewhere.pk},
    )

    assert response.context["adminform"].form.errors == {
        "reviewer": ["This reviewer is on another workshop's committee."]
    }
    assert ReviewAssignment.objects.count() == 0


def change_form_data(response) -> dict:
    """The POST a browser would send back for an admin change form, as it was rendered."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


def test_the_assignment_inline_refuses_a_conflict_without_a_reason(admin_client, workshop):
    submission = SubmissionFactory(workshop=workshop)
    conflicted = CommitteeMemberFactory(workshop=workshop, affiliation="Université de Lorraine")
    url = reverse("admin:submissions_submission_change", args=[submission.pk])
    data = change_form_data(admin_client.get(url))
    data.update(
        {
            "assignments-TOTAL_FORMS": "1",
            "assignments-0-reviewer": conflicted.pk,
            "assignments-0-submission": submission.pk,
        }
    )

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    [formset] = [
        f.formset
        for f in refused.context["inline_admin_formsets"]
        if f.formset.prefix == "assignments"
    ]
    assert "Give a reason to assign them anyway." in formset.forms[0].errors["conflict_override"][0]
    assert ReviewAssignment.objects.count() == 0

    data["assignments-0-conflict_override"] = "Never met."
    response = admin_client.post(url, data, follow=True)

    assert response.status_code == 200
    assignment = ReviewAssignment.objects.get()
    assert (assignment.reviewer, assignment.conflict_override) == (conflicted, "Never met.")
    assert assignment.assigned_by.email == "alice@example.org"


def test_the_inline_offers_only_this_workshops_committee(admin_client, workshop, alice):
    submission = SubmissionFactory(workshop=workshop)
    mine = CommitteeMemberFactory(workshop=workshop)
    CommitteeMemberFactory(workshop=WorkshopFactory(organizers=[alice]))
    CommitteeMemberFactory()

    page = admin_client.get(reverse("admin:submissions_submission_change", args=[submission.pk]))

    [formset] = [
        f.formset
        for f in page.context["inline_admin_formsets"]
        if f.formset.prefix == "assignments"
    ]
    assert list(formset.empty_form.fields["reviewer"].queryset) == [mine]


def test_reviews_are_read_only_for_organizers(admin_client, workshop):
    review = ReviewFactory(assignment__submission=SubmissionFactory(workshop=workshop))

    page = admin_client.get(reverse("admin:submissions_review_change", args=[review.pk]))

    assert page.status_code == 200
    assert 'name="score"' not in page.content.decode()
    response = admin_client.post(
        reverse("admin:submissions_review_change", args=[review.pk]), {"score": "-3"}
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.score == 1


def test_a_decision_text_starts_from_the_built_in_wording(admin_client, workshop):
    page = admin_client.get(
        reverse("admin:submissions_decisionmailtext_add"), {"decision": "reject"}
    )

    form = page.context["adminform"].form
    assert form.initial["subject"] == "Your submission to {workshop}"
    assert "{confirm_url}" in page.content.decode()  # the placeholders help


def test_a_decision_text_takes_only_this_workshops_types(admin_client, workshop, alice):
    other_type = SubmissionTypeFactory(workshop=WorkshopFactory(organizers=[alice]), name="Talk")
    url = reverse("admin:submissions_decisionmailtext_add")
    data = {"workshop": workshop.pk, "decision": "talk", "subject": "S", "body": "B"}

    refused = admin_client.post(url, {**data, "type": other_type.pk})
    admin_client.post(url, data)
    twice = admin_client.post(url, data)

    assert refused.context["adminform"].form.errors == {
        "type": ["Choose a submission type of this workshop."]
    }
    assert twice.context["adminform"].form.errors == {
        "decision": ["This workshop has a text for this decision already."]
    }
    assert DecisionMailText.objects.count() == 1
