"""Authoring services: drafts, submission, co-author mail, the call's rules, the deadline to the
second in AoE and in the workshop's zone."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from outbox.models import OutgoingMail
from submissions import services
from submissions.models import Author, Submission
from submissions.services import AuthorData, SubmissionData
from tests.factories import TopicFactory, UserFactory, WorkshopFactory
from tests.submissions.factories import (
    CallForAbstractsFactory,
    SubmissionFactory,
    SubmissionTypeFactory,
)
from workshops.timezones import AOE

pytestmark = pytest.mark.django_db

AOE_ZONE = zoneinfo.ZoneInfo(AOE)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cfa():
    return CallForAbstractsFactory(workshop=WorkshopFactory(title="Low-Rank Workshop"))


@pytest.fixture
def submitter():
    return UserFactory(email="ada@example.org", full_name="Ada Lovelace")


def pdf(content: bytes = PDF, name: str = "paper.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


def data(cfa, **changes) -> SubmissionData:
    fields = {
        "title": "Adapters of low rank",
        "abstract": "We study low-rank adapters.",
        "type": SubmissionTypeFactory(workshop=cfa.workshop),
        "authors": [
            AuthorData(name="Ada Lovelace", email="ada@example.org", affiliation="Inria"),
            AuthorData(name="Grace Hopper", email="grace@example.org", is_presenter=True),
            AuthorData(name="Emmy Noether", email="emmy@example.org"),
        ],
    }
    fields.update(changes)
    return SubmissionData(**fields)


def create(cfa, submitter, *, submit=True, now=None, **changes) -> Submission:
    return services.create_submission(
        workshop=cfa.workshop,
        submitter=submitter,
        data=data(cfa, **changes),
        submit=submit,
        now=now,
    )


def test_draft_keeps_authors_in_order_and_mails_nobody(cfa, submitter):
    submission = create(cfa, submitter, submit=False)
    assert submission.status == Submission.Status.DRAFT
    assert submission.submitted_at is None
    assert [(a.order, a.email, a.is_presenter) for a in submission.authors.all()] == [
        (0, "ada@example.org", False),
        (1, "grace@example.org", True),
        (2, "emmy@example.org", False),
    ]
    assert OutgoingMail.objects.count() == 0


def test_first_author_presents_when_nobody_is_marked(cfa, submitter):
    authors = [AuthorData("Ada Lovelace", "ada@example.org"), AuthorData("Emmy", "e@example.org")]
    submission = create(cfa, submitter, authors=authors)
    assert [a.is_presenter for a in submission.authors.all()] == [True, False]


def test_submitting_mails_each_coauthor_once_naming_the_submission(cfa, submitter):
    now = cfa.opens_at + dt.timedelta(hours=1)
    submission = create(cfa, submitter, now=now)
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitted_at == now
    key = f"coauthor:{submitter.pk}:{submission.pk}"
    mails = {m.key: m for m in OutgoingMail.objects.all()}
    assert set(mails) == {
        f"{key}:grace@example.org",
        f"{key}:emmy@example.org",
        f"receipt:{submission.pk}",  # the submitter's receipt: test_receipt_…
    }
    grace = mails[f"{key}:grace@example.org"]
    assert grace.to == "grace@example.org"
    # The title is the submitter's text: quoted in the body, never in the subject.
    assert "Adapters of low rank" not in grace.subject
    assert "    “Adapters of low rank”" in grace.body_text
    assert "and presenter" in grace.body_text

    # Saving again mails nobody twice; a newly added co-author hears of it once.
    more = [*data(cfa).authors, AuthorData(name="Ida Rhodes", email="Ida@Example.org")]
    services.update_submission(
        submission=submission, data=data(cfa, authors=more), submit=True, now=now
    )
    services.update_submission(
        submission=submission, data=data(cfa, authors=more), submit=True, now=now
    )
    assert OutgoingMail.objects.count() == 4
    assert OutgoingMail.objects.filter(key=f"{key}:ida@example.org").exists()


def test_a_coauthor_added_later_hears_at_most_once_a_day(cfa, submitter, settings):
    settings.COAUTHOR_NOTICES_PER_DAY = 100
    now = cfa.opens_at + dt.timedelta(hours=1)
    cfa.multiple_submissions = True
    cfa.save()
    first, second = create(cfa, submitter, now=now), create(cfa, submitter, now=now)
    ida = [*data(cfa).authors, AuthorData(name="Ida Rhodes", email="ida@example.org")]
    for submission in (first, second):
        services.update_submission(
            submission=submission, data=data(cfa, authors=ida), submit=True, now=now
        )
    assert OutgoingMail.objects.filter(to="ida@example.org").count() == 1


def test_an_account_sends_a_bounded_number_of_coauthor_notices_a_day(cfa, submitter, settings):
    settings.COAUTHOR_NOTICES_PER_DAY = 5
    now = cfa.opens_at + dt.timedelta(hours=1)
    submission = create(cfa, submitter, now=now)  # two co-authors
    for batch in range(4):
        strangers = [
            AuthorData(name=f"Stranger {batch}.{n}", email=f"s{batch}.{n}@example.org")
            for n in range(3)
        ]
        services.update_submission(
            submission=submission,
            data=data(cfa, authors=[*data(cfa).authors, *strangers]),
            submit=True,
            now=now,
        )
    assert OutgoingMail.objects.filter(key__startswith="coauthor:").count() == 5
    # A day later the account may notify again.
    OutgoingMail.objects.update(created_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    extra = AuthorData(name="Late Comer", email="late@example.org")
    services.update_submission(
        submission=submission,
        data=data(cfa, authors=[*data(cfa).authors, extra]),
        submit=True,
        now=timezone.now(),
    )
    assert OutgoingMail.objects.filter(to="late@example.org").exists()


def test_coauthor_mail_reaches_the_outbox_after_commit(
    cfa, submitter, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(cfa, submitter)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "ada@example.org",  # the receipt
        "emmy@example.org",
        "grace@example.org",
    ]


def test_receipt_goes_to_the_submitter_once_with_the_abstract(cfa, submitter):
    now = cfa.opens_at + dt.timedelta(hours=1)
    draft = create(cfa, submitter, submit=False, now=now)
    assert not OutgoingMail.objects.filter(key__startswith="receipt:").exists()  # a draft

    submission = services.update_submission(submission=draft, data=data(cfa), submit=True, now=now)
    services.update_submission(submission=submission, data=data(cfa), submit=True, now=now)

    [receipt] = OutgoingMail.objects.filter(key__startswith="receipt:")
    assert receipt.to == submitter.email
    assert receipt.subject.startswith("We received your abstract for")
    assert submission.abstract in receipt.body_text
    assert "Title: Adapters of low rank" in receipt.body_text
    assert "Grace Hopper" in receipt.body_text
    assert submission.get_absolute_url() in receipt.body_text
    assert services.deadline_text(cfa) in receipt.body_text


def test_word_limit_is_enforced_and_nothing_is_written(cfa, submitter):
    cfa.word_limit = 10
    cfa.save()
    with pytest.raises(services.SubmissionError, match="11 words; the limit is 10"):
        create(cfa, submitter, abstract="one two three four five six seven eight nine ten eleven")
    assert Submission.objects.count() == 0
    assert Author.objects.count() == 0
    assert create(cfa, submitter, abstract=" ".join(["word"] * 10)).pk


def test_duplicate_author_emails_are_refused(cfa, submitter):
    authors = [AuthorData("Ada", "ada@example.org"), AuthorData("Ada again", "ADA@example.org")]
    with pytest.raises(services.SubmissionError, match="own email address"):
        create(cfa, submitter, authors=authors)


def test_type_or_topic_of_another_workshop_is_refused(cfa, submitter):
    other = WorkshopFactory()
    with pytest.raises(services.SubmissionError, match="submission types"):
        create(cfa, submitter, type=SubmissionTypeFactory(workshop=other))
    with pytest.raises(services.SubmissionError, match="topics"):
        create(cfa, submitter, topic=TopicFactory(workshop=other))
    assert create(cfa, submitter, topic=TopicFactory(workshop=cfa.workshop)).topic


@pytest.mark.parametrize("setting", ["optional", "required"])
def test_real_pdf_is_stored_under_our_name(cfa, submitter, setting):
    cfa.pdf_upload = setting
    cfa.save()
    submission = create(cfa, submitter, pdf=pdf(name="../../etc/passwd.pdf"))
    assert submission.pdf.name.startswith(f"submissions/{cfa.workshop_id}/")
    assert "passwd" not in submission.pdf.name
    with submission.pdf.open("rb") as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (pdf(b"Dear committee, here is my abstract as text.", "x.pdf"), "not a PDF"),
        (pdf(PDF + b"0" * (2 * 1024 * 1024)), "the limit is 2 MB"),
        (pdf(PDF[:-7]), "truncated"),
        (pdf(b"%PDF"), "too small"),
    ],
    ids=["text-named-pdf", "too-big", "truncated", "tiny"],
)
def test_bad_pdf_is_refused_by_its_content(cfa, submitter, upload, message):
    cfa.pdf_upload, cfa.pdf_max_mb = "optional", 2
    cfa.save()
    with pytest.raises(services.InvalidPdf, match=message):
        create(cfa, submitter, pdf=upload)
    assert Submission.objects.count() == 0


def test_pdf_is_refused_when_the_call_takes_none(cfa, submitter):
    with pytest.raises(services.InvalidPdf, match="does not take PDF"):
        create(cfa, submitter, pdf=pdf())


def test_required_pdf_is_needed_to_submit_but_not_for_a_draft(cfa, submitter):
    cfa.pdf_upload = "required"
    cfa.save()
    with pytest.raises(services.InvalidPdf, match="needs a PDF"):
        create(cfa, submitter)
    draft = create(cfa, submitter, submit=False)
    with pytest.raises(services.InvalidPdf, match="needs a PDF"):
        services.update_submission(submission=draft, data=data(cfa), submit=True)
    draft.refresh_from_db()
    assert draft.status == Submission.Status.DRAFT
    submitted = services.update_submission(submission=draft, data=data(cfa, pdf=pdf()), submit=True)
    assert submitted.status == Submission.Status.SUBMITTED


def test_a_refused_change_keeps_the_pdf_file(cfa, submitter, django_capture_on_commit_callbacks):
    cfa.pdf_upload = "required"
    cfa.save()
    submission = create(cfa, submitter, pdf=pdf())
    name = submission.pdf.name
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.InvalidPdf),
    ):
        services.update_submission(
            submission=submission, data=data(cfa, remove_pdf=True), submit=True
        )
    submission.refresh_from_db()
    assert submission.pdf.name == name
    assert submission.pdf.storage.exists(name)


def test_a_replaced_pdf_file_is_deleted_after_commit(
    cfa, submitter, django_capture_on_commit_callbacks
):
    cfa.pdf_upload = "optional"
    cfa.save()
    submission = create(cfa, submitter, pdf=pdf())
    old = submission.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.update_submission(
            submission=submission, data=data(cfa, pdf=pdf()), submit=True
        )
    assert updated.pdf.name != old
    assert not updated.pdf.storage.exists(old)
    assert updated.pdf.storage.exists(updated.pdf.name)


def test_one_submission_per_person_when_the_call_says_so(cfa, submitter):
    cfa.multiple_submissions = False
    cfa.save()
    first = create(cfa, submitter, submit=False)
    with pytest.raises(services.OneSubmissionOnly, match="one submission per person"):
        create(cfa, submitter)
    assert Submission.objects.count() == 1
    assert create(cfa, UserFactory()).pk  # somebody else may
    services.withdraw_submission(submission=first)
    assert create(cfa, submitter).pk  # after withdrawing, again


def test_several_submissions_per_person_by_default(cfa, submitter):
    create(cfa, submitter)
    create(cfa, submitter)
    assert Submission.objects.filter(submitter=submitter).count() == 2


def _call(zone: str, deadline: dt.datetime):
    return CallForAbstractsFactory(
        deadline_zone=zone,
        opens_at=deadline - dt.timedelta(days=60),
        deadline=deadline,
    )


@pytest.mark.parametrize(
    ("zone", "label"),
    [(AOE, "AoE"), ("Europe/Paris", "Europe/Paris")],
)
def test_deadline_holds_to_the_second(submitter, zone, label):
    tz = zoneinfo.ZoneInfo(zone)
    deadline = dt.datetime(2031, 3, 15, 23, 59, 59, tzinfo=tz)
    cfa = _call(zone, deadline)
    message = re.escape(
        f"The deadline (15 March 2031, 23:59 {label}) has passed: "
        "submissions can no longer be changed."
    )

    just_before = dt.datetime(2031, 3, 15, 23, 59, 58, tzinfo=tz)
    submission = create(cfa, submitter, submit=False, now=just_before)
    submitted = services.update_submission(
        submission=submission, data=data(cfa), submit=True, now=just_before
    )
    assert submitted.status == Submission.Status.SUBMITTED

    for late in (deadline, dt.datetime(2031, 3, 16, 0, 0, 0, tzinfo=tz)):
        with pytest.raises(services.DeadlinePassed, match=message):
            create(cfa, submitter, now=late)
        with pytest.raises(services.DeadlinePassed, match=message):
            services.update_submission(
                submission=submission, data=data(cfa, title="Too late"), submit=True, now=late
            )
        with pytest.raises(services.DeadlinePassed, match=message):
            services.withdraw_submission(submission=submission, now=late)
    submission.refresh_from_db()
    assert submission.title == "Adapters of low rank"
    assert submission.status == Submission.Status.SUBMITTED
    assert Submission.objects.count() == 1


def test_aoe_and_paris_deadlines_are_different_instants():
    aoe = dt.datetime(2031, 3, 15, 23, 59, 59, tzinfo=AOE_ZONE)
    paris = dt.datetime(2031, 3, 15, 23, 59, 59, tzinfo=PARIS)
    # 23:59:59 AoE is 11:59:59 UTC the next day; 23:59:59 in Paris (CET) is 22:59:59 UTC.
    assert aoe.astimezone(dt.UTC) == dt.datetime(2031, 3, 16, 11, 59, 59, tzinfo=dt.UTC)
    assert paris.astimezone(dt.UTC) == dt.datetime(2031, 3, 15, 22, 59, 59, tzinfo=dt.UTC)
    cfa = _call("Europe/Paris", paris)
    # At 23:59:58 AoE, Paris' deadline has long passed.
    with pytest.raises(services.DeadlinePassed):
        services.check_call_open(cfa, aoe - dt.timedelta(seconds=1))


def test_paris_deadline_in_summer_time(submitter):
    deadline = dt.datetime(2031, 7, 1, 12, 0, tzinfo=PARIS)  # CEST, UTC+2
    cfa = _call("Europe/Paris", deadline)
    assert services.deadline_text(cfa) == "1 July 2031, 12:00 Europe/Paris"
    services.check_call_open(cfa, dt.datetime(2031, 7, 1, 9, 59, 59, tzinfo=dt.UTC))
    with pytest.raises(services.DeadlinePassed):
        services.check_call_open(cfa, dt.datetime(2031, 7, 1, 10, 0, 0, tzinfo=dt.UTC))


def test_call_is_closed_before_it_opens(submitter):
    opens = dt.datetime(2031, 1, 10, 9, 0, tzinfo=AOE_ZONE)
    cfa = CallForAbstractsFactory(
        opens_at=opens, deadline=opens + dt.timedelta(days=30), deadline_zone=AOE
    )
    with pytest.raises(services.CallNotOpen, match="opens on 10 January 2031, 09:00 AoE"):
        create(cfa, submitter, now=opens - dt.timedelta(seconds=1))
    assert create(cfa, submitter, now=opens).pk
    cfa.opens_at = None
    cfa.save()
    with pytest.raises(services.CallNotOpen, match="not open yet"):
        services.check_call_open(cfa, opens)


def test_workshop_without_a_call_takes_nothing(submitter):
    workshop = WorkshopFactory()
    with pytest.raises(services.CallNotOpen, match="no call for abstracts"):
        services.create_submission(
            workshop=workshop,
            submitter=submitter,
            data=SubmissionData(
                title="t", abstract="a", type=SubmissionTypeFactory(workshop=workshop)
            ),
            submit=True,
        )


def test_editing_or_withdrawing_after_a_decision_is_refused(cfa, submitter):
    submission = create(cfa, submitter)
    services.decide_submission(submission=submission, decision="talk")
    with pytest.raises(services.NotAllowed, match="decision has been made"):
        services.update_submission(
            submission=submission, data=data(cfa, title="Changed"), submit=True
        )
    with pytest.raises(services.NotAllowed, match="decision has been made"):
        services.withdraw_submission(submission=submission)
    submission.refresh_from_db()
    assert (submission.title, submission.status) == ("Adapters of low rank", "submitted")
    assert "decision has been made" in services.edit_refusal(submission)


def test_withdraw_then_nothing_more_changes(cfa, submitter):
    submission = create(cfa, submitter)
    assert services.edit_refusal(submission) == ""
    withdrawn = services.withdraw_submission(submission=submission)
    assert withdrawn.status == Submission.Status.WITHDRAWN
    with pytest.raises(services.NotAllowed, match="withdrawn"):
        services.update_submission(submission=submission, data=data(cfa), submit=True)
    with pytest.raises(services.NotAllowed, match="withdrawn"):
        services.withdraw_submission(submission=submission)


def test_ensure_submission_types_gives_the_four_standard_types_once():
    workshop = WorkshopFactory()
    services.ensure_submission_types(workshop)
    names = [t.name for t in services.ensure_submission_types(workshop)]
    assert names == ["Talk", "Poster", "Spotlight", "Lightning talk"]


def test_submission_factory_builds_a_submitted_abstract_with_authors():
    submission = SubmissionFactory(authors=[("Emmy Noether", "emmy@example.org")])
    assert [a.email for a in submission.authors.all()] == [
        submission.submitter.email,
        "emmy@example.org",
    ]
