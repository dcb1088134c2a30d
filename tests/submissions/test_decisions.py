"""Decisions, one decision mail per submission (never two), and the authors' answer."""

import pytest
from django.urls import reverse

from outbox.models import OutgoingMail
from schedule.models import ScheduleItem
from submissions import services
from submissions.models import DecisionMailText, Submission
from submissions.tokens import confirmation_token
from tests.factories import UserFactory, WorkshopFactory
from tests.submissions.factories import (
    AuthorFactory,
    ReviewFactory,
    SubmissionFactory,
    SubmissionTypeFactory,
)
from workshops.models import SpeakerAppearance, SpeakerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop():
    return WorkshopFactory(title="Tensor Days")


def submitted(workshop, name="Ada Lovelace", **kwargs) -> Submission:
    user = UserFactory(full_name=name)
    return SubmissionFactory(workshop=workshop, submitter=user, **kwargs)


def notify(submissions, capture) -> int:
    with capture(execute=True):
        return services.notify_authors(submissions=submissions)


def mail_for(submission) -> OutgoingMail:
    return OutgoingMail.objects.get(key=f"decision:{submission.pk}")


def confirm_link(submission) -> str:
    return reverse(
        "submissions:confirm",
        kwargs={"pk": submission.pk, "token": confirmation_token.make_token(submission)},
    )


# Deciding -------------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["talk", "poster", "spotlight", "reject"])
def test_a_submission_is_decided(workshop, decision):
    submission = submitted(workshop)

    services.decide_submission(submission=submission, decision=decision)

    submission.refresh_from_db()
    assert submission.decision == decision
    assert submission.decided_at is not None
    assert submission.notified_at is None


def test_many_submissions_are_decided_one_by_one_and_may_change_until_sent(workshop):
    talks = [submitted(workshop) for _ in range(3)]

    for submission in talks:
        services.decide_submission(submission=submission, decision="talk")
    services.decide_submission(submission=talks[0], decision="reject")

    assert list(Submission.objects.order_by("pk").values_list("decision", flat=True)) == [
        "reject",
        "talk",
        "talk",
    ]


@pytest.mark.parametrize("decision", ["", "maybe", "TALK"])
def test_an_unknown_decision_is_refused(workshop, decision):
    submission = submitted(workshop)

    with pytest.raises(services.NotAllowed):
        services.decide_submission(submission=submission, decision=decision)

    submission.refresh_from_db()
    assert submission.decision == ""


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_only_submitted_abstracts_are_decided(workshop, status):
    submission = submitted(workshop, status=status)

    with pytest.raises(services.NotAllowed):
        services.decide_submission(submission=submission, decision="talk")

    submission.refresh_from_db()
    assert submission.decision == ""


def test_a_decision_cannot_change_once_the_authors_know_it(
    workshop, django_capture_on_commit_callbacks
):
    submission = submitted(workshop)
    services.decide_submission(submission=submission, decision="reject")
    notify(Submission.objects.all(), django_capture_on_commit_callbacks)

    with pytest.raises(services.NotAllowed, match="already know"):
        services.decide_submission(submission=submission, decision="talk")

    submission.refresh_from_db()
    assert submission.decision == "reject"


# Decision mail --------------------------------------------------------------------------------


def test_notify_queues_one_mail_per_decided_submission_with_its_decision(
    workshop, mailoutbox, django_capture_on_commit_callbacks, settings
):
    decided = {}
    for decision in ("talk", "poster", "spotlight", "reject"):
        submission = submitted(workshop, title=f"A {decision} paper")
        services.decide_submission(submission=submission, decision=decision)
        decided[decision] = submission
    undecided = submitted(workshop, title="Not decided yet")
    withdrawn = submitted(workshop, title="Gone", status=Submission.Status.WITHDRAWN)
    Submission.objects.filter(pk=withdrawn.pk).update(decision="talk")

    assert notify(Submission.objects.all(), django_capture_on_commit_callbacks) == 4

    assert sorted(OutgoingMail.objects.values_list("key", flat=True)) == sorted(
        f"decision:{s.pk}" for s in decided.values()
    )
    assert len(mailoutbox) == 4
    for decision in ("talk", "poster", "spotlight"):
        submission = decided[decision]
        mail = mail_for(submission)
        assert mail.to == submission.submitter.email
        assert mail.subject == "Your submission to Tensor Days is accepted"
        assert f"“A {decision} paper” is accepted as {decision} at Tensor Days" in mail.body_text
        assert settings.SITE_URL + confirm_link(submission) in mail.body_text
    rejected = mail_for(decided["reject"])
    assert rejected.subject == "Your submission to Tensor Days"
    assert "could not accept it" in rejected.body_text
    assert "/confirm/" not in rejected.body_text
    for submission in (undecided, withdrawn):
        submission.refresh_from_db()
        assert submission.notified_at is None
    assert Submission.objects.filter(notified_at__isnull=False).count() == 4


def test_notifying_twice_sends_nothing_new(
    workshop, mailoutbox, django_capture_on_commit_callbacks
):
    submissions = [submitted(workshop) for _ in range(3)]
    for submission in submissions:
        services.decide_submission(submission=submission, decision="poster")
    notify(Submission.objects.all(), django_capture_on_commit_callbacks)
    sent_at = {s.pk: s.notified_at for s in Submission.objects.all()}

    assert notify(Submission.objects.all(), django_capture_on_commit_callbacks) == 0

    assert OutgoingMail.objects.count() == 3
    assert len(mailoutbox) == 3
    assert {s.pk: s.notified_at for s in Submission.objects.all()} == sent_at


def test_a_submission_decided_later_is_notified_alone(
    workshop, mailoutbox, django_capture_on_commit_callbacks
):
    first, later = submitted(workshop), submitted(workshop)
    services.decide_submission(submission=first, decision="talk")
    notify(Submission.objects.all(), django_capture_on_commit_callbacks)
    services.decide_submission(submission=later, decision="reject")

    assert notify(Submission.objects.all(), django_capture_on_commit_callbacks) == 1

    assert [m.to for m in mailoutbox] == [[first.submitter.email], [later.submitter.email]]


def test_the_text_is_chosen_by_type_then_decision_then_built_in(
    workshop, django_capture_on_commit_callbacks
):
    talk_type = SubmissionTypeFactory(workshop=workshop, name="Talk")
    lightning = SubmissionTypeFactory(workshop=workshop, name="Lightning talk")
    DecisionMailText.objects.create(
        workshop=workshop,
        decision="talk",
        type=lightning,
        subject="{title}: five minutes of fame",
        body="Dear {first_name}, your {type} is {decision}. Confirm: {confirm_url}\n{reviews}",
    )
    DecisionMailText.objects.create(
        workshop=workshop,
        decision="talk",
        type=None,
        subject="Accepted at {workshop}",
        body="Hello {name}, “{title}” is {decision}. {unknown} stays as typed.",
    )
    by_type = submitted(workshop, name="Emmy Noether", type=lightning, title="Rings")
    ReviewFactory(assignment__submission=by_type, comments_to_authors="Lovely rings.")
    ReviewFactory(assignment__submission=by_type, comments_to_authors="")
    by_decision = submitted(workshop, name="Sofia Kovalevskaya", type=talk_type, title="Tops")
    built_in = submitted(workshop, name="Grace Hopper", type=talk_type, title="Compilers")
    for submission in (by_type, by_decision):
        services.decide_submission(submission=submission, decision="talk")
    services.decide_submission(submission=built_in, decision="reject")

    notify(Submission.objects.all(), django_capture_on_commit_callbacks)

    mail = mail_for(by_type)
    assert mail.subject == "Rings: five minutes of fame"
    assert mail.body_text.startswith(
        "Dear Emmy, your Lightning talk is accepted as talk. Confirm: http"
    )
    assert confirm_link(by_type) in mail.body_text
    assert "Comments from the reviewers:\n\nReview 1:\nLovely rings." in mail.body_text
    assert "Review 2" not in mail.body_text
    mail = mail_for(by_decision)
    assert mail.subject == "Accepted at Tensor Days"
    assert mail.body_text.startswith(
        "Hello Sofia Kovalevskaya, “Tops” is accepted as talk. {unknown} stays as typed."
    )
    mail = mail_for(built_in)
    assert mail.subject == "Your submission to Tensor Days"
    assert mail.body_text.startswith("Dear Grace,\n\nthank you for submitting “Compilers”")


def test_another_workshops_texts_are_never_used(workshop, django_capture_on_commit_callbacks):
    DecisionMailText.objects.create(
        workshop=WorkshopFactory(), decision="reject", subject="Other", body="Other"
    )
    submission = submitted(workshop)
    services.decide_submission(submission=submission, decision="reject")

    notify(Submission.objects.all(), django_capture_on_commit_callbacks)

    assert mail_for(submission).subject == "Your submission to Tensor Days"


# The authors' answer --------------------------------------------------------------------------


@pytest.fixture
def accepted_talk(workshop, django_capture_on_commit_callbacks):
    submission = submitted(workshop, name="Ada Lovelace", title="Tensor trains")
    submission.authors.update(affiliation="Analytical Society")
    AuthorFactory(submission=submission, order=1, name="Charles Babbage", is_presenter=False)
    services.decide_submission(submission=submission, decision="talk")
    notify(Submission.objects.all(), django_capture_on_commit_callbacks)
    submission.refresh_from_db()
    return submission


def test_a_bad_token_is_404(client, accepted_talk):
    url = reverse("submissions:confirm", kwargs={"pk": accepted_talk.pk, "token": "x" * 40})

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm"}).status_code == 404
    # Another submission's valid token does not open this one.
    borrowed = confirmation_token.make_token(submitted(accepted_talk.workshop))
    url = reverse("submissions:confirm", kwargs={"pk": accepted_talk.pk, "token": borrowed})
    assert client.get(url).status_code == 404
    accepted_talk.refresh_from_db()
    assert accepted_talk.confirmation == ""


def test_a_link_of_an_unnotified_submission_is_404(client, workshop):
    submission = submitted(workshop)
    services.decide_submission(submission=submission, decision="talk")

    assert client.get(confirm_link(submission)).status_code == 404


def test_the_link_shows_the_decision_and_two_buttons(client, accepted_talk):
    page = client.get(confirm_link(accepted_talk)).content.decode()

    assert "Accepted as talk" in page
    assert "Confirm my presentation" in page
    assert "I cannot present it" in page


def test_confirming_a_talk_makes_a_confirmed_speaker_and_an_unplaced_slot(client, accepted_talk):
    response = client.post(confirm_link(accepted_talk), {"action": "confirm"}, follow=True)

    assert "your presentation is confirmed" in response.content.decode()
    accepted_talk.refresh_from_db()
    assert accepted_talk.confirmation == "confirmed"
    speaker = SpeakerProfile.objects.get()
    assert (speaker.name, speaker.affiliation, speaker.user) == (
        "Ada Lovelace",
        "Analytical Society",
        accepted_talk.submitter,
    )
    appearance = SpeakerAppearance.objects.get()
    assert (appearance.workshop, appearance.speaker, appearance.role, appearance.confirmed) == (
        accepted_talk.workshop,
        speaker,
        SpeakerAppearance.Role.CONTRIBUTED,
        True,
    )
    item = ScheduleItem.objects.get()
    assert accepted_talk.schedule_item == item
    assert (item.kind, item.title, item.start, item.end) == ("talk", "Tensor trains", None, None)
    assert list(item.speakers.all()) == [speaker]


def test_confirming_twice_changes_nothing(client, accepted_talk):
    client.post(confirm_link(accepted_talk), {"action": "confirm"})
    client.post(confirm_link(accepted_talk), {"action": "confirm"})
    services.confirm_participation(submission=accepted_talk)

    assert SpeakerProfile.objects.count() == 1
    assert SpeakerAppearance.objects.count() == 1
    assert ScheduleItem.objects.count() == 1


def test_a_confirmed_poster_gets_a_speaker_but_no_slot(
    client, workshop, django_capture_on_commit_callbacks
):
    poster = submitted(workshop)
    services.decide_submission(submission=poster, decision="poster")
    notify(Submission.objects.all(), django_capture_on_commit_callbacks)

    client.post(confirm_link(poster), {"action": "confirm"})

    assert SpeakerAppearance.objects.filter(confirmed=True).count() == 1
    assert ScheduleItem.objects.count() == 0


def test_declining_records_it_and_drafts_nothing(client, accepted_talk):
    response = client.post(confirm_link(accepted_talk), {"action": "decline"}, follow=True)

    assert "you cannot come" in response.content.decode()
    accepted_talk.refresh_from_db()
    assert accepted_talk.confirmation == "declined"
    assert SpeakerAppearance.objects.count() == 0
    assert ScheduleItem.objects.count() == 0

    response = client.post(confirm_link(accepted_talk), {"action": "confirm"}, follow=True)

    assert "You declined this presentation" in response.content.decode()
    accepted_talk.refresh_from_db()
    assert accepted_talk.confirmation == "declined"
    assert ScheduleItem.objects.count() == 0


def test_a_rejected_submission_cannot_be_confirmed(
    client, workshop, django_capture_on_commit_callbacks
):
    rejected = submitted(workshop)
    services.decide_submission(submission=rejected, decision="reject")
    notify(Submission.objects.all(), django_capture_on_commit_callbacks)

    page = client.get(confirm_link(rejected)).content.decode()
    response = client.post(confirm_link(rejected), {"action": "confirm"}, follow=True)

    assert "Confirm my presentation" not in page
    assert "Only accepted submissions" in response.content.decode()
    rejected.refresh_from_db()
    assert rejected.confirmation == ""


def test_an_unknown_answer_changes_nothing(client, accepted_talk):
    response = client.post(confirm_link(accepted_talk), {"action": "maybe"}, follow=True)

    assert response.status_code == 200
    assert "Choose to confirm or to decline." in response.content.decode()
    accepted_talk.refresh_from_db()
    assert accepted_talk.confirmation == ""


def test_the_link_stops_working_when_the_secret_changes(client, accepted_talk):
    link = confirm_link(accepted_talk)
    Submission.objects.filter(pk=accepted_talk.pk).update(secret="rotated")

    assert client.get(link).status_code == 404


def test_notify_works_in_chunks_with_a_bounded_number_of_queries(
    workshop, django_capture_on_commit_callbacks, django_assert_max_num_queries, monkeypatch
):
    from submissions.services import decisions

    monkeypatch.setattr(decisions, "NOTIFY_CHUNK", 4)
    submissions = [submitted(workshop) for _ in range(10)]
    for submission in submissions:
        services.decide_submission(submission=submission, decision="poster")

    # Three chunks, each: lock, mark notified, texts, reviews, the authors (who else to
    # tell), existing keys, one insert, and four savepoint statements (the test runs inside a
    # transaction).
    with (
        django_assert_max_num_queries(1 + 3 * 11),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        assert services.notify_authors(submissions=Submission.objects.all()) == 10

    assert len(callbacks) == 3  # one hand-over to the broker per chunk
    assert sorted(OutgoingMail.objects.values_list("key", flat=True)) == sorted(
        f"decision:{s.pk}" for s in submissions
    )


def test_the_decision_goes_to_every_author_who_asked_for_it_once_each(workshop):
    submission = submitted(workshop)
    AuthorFactory(submission=submission, order=1, name="Grace Hopper", email="grace@example.org")
    AuthorFactory(
        submission=submission, order=2, name="Emmy Noether", email="emmy@example.org",
        wants_mail=False,
    )  # fmt: skip
    services.decide_submission(submission=submission, decision="talk")

    assert services.notify_authors(submissions=Submission.objects.all()) == 1
    assert services.notify_authors(submissions=Submission.objects.all()) == 0

    mails = {m.to: m for m in OutgoingMail.objects.filter(key__startswith="decision:")}
    assert set(mails) == {submission.submitter.email, "grace@example.org"}
    assert mails[submission.submitter.email].key == f"decision:{submission.pk}"
    grace = mails["grace@example.org"]
    assert grace.key == f"decision:{submission.pk}:grace@example.org"
    assert grace.body_text.startswith("Dear Grace,")
    assert grace.subject == mails[submission.submitter.email].subject
    # The confirm link (it can decline the talk) stays with the submitter.
    assert confirm_link(submission) in mails[submission.submitter.email].body_text
    assert confirm_link(submission) not in grace.body_text
    assert "the link to confirm went to Ada Lovelace" in grace.body_text


def test_a_very_long_coauthor_address_gets_a_key_that_fits(workshop):
    long = "a" * 190 + "@example.org"
    submission = submitted(workshop)
    AuthorFactory(submission=submission, order=1, name="Long Address", email=long)
    services.decide_submission(submission=submission, decision="poster")
    assert services.notify_authors(submissions=Submission.objects.all()) == 1
    mail = OutgoingMail.objects.get(to=long)
    assert len(mail.key) <= 200 and mail.key.startswith(f"decision:{submission.pk}:#")
