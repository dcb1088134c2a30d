"""The reviewers' own pages: only their assignments, blind when the call says so, closed once
the authors know the decision."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ArrayObject, NumberObject, TextStringObject

from accounts.models import User
from outbox.models import OutgoingMail
from submissions.models import Review, Submission
from submissions.pdf import metadata_texts
from tests.factories import UserFactory, WorkshopFactory
from tests.submissions.factories import (
    AuthorFactory,
    CallForAbstractsFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    SubmissionFactory,
)
from tests.submissions.pdfs import latex_like_pdf, pdf_bytes, pdf_with

pytestmark = pytest.mark.django_db

SUBMITTER = {"email": "ada.lovelace@analytical.example.org", "full_name": "Ada Lovelace"}
CO_AUTHOR = {
    "name": "Charles Babbage",
    "email": "babbage@engines.example.org",
    "affiliation": "Difference Engine Works",
}
AUTHOR_TRACES = [
    "Ada Lovelace",
    "Lovelace",
    "ada.lovelace@analytical.example.org",
    "analytical.example.org",
    "Analytical Society",
    "Charles Babbage",
    "Babbage",
    "babbage@engines.example.org",
    "Difference Engine Works",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make_submission(*, blind: bool, pdf: bool = True) -> Submission:
    workshop = WorkshopFactory(title="Tensor Days")
    CallForAbstractsFactory(workshop=workshop, blind_review=blind, pdf_upload="optional")
    submission = SubmissionFactory(
        workshop=workshop,
        submitter=User.objects.filter(email=SUBMITTER["email"]).first() or UserFactory(**SUBMITTER),
        title="Tensor trains for the rest of us",
        abstract="We make tensor trains *easy*.",
        authors=[CO_AUTHOR],
    )
    submission.authors.filter(order=0).update(affiliation="Analytical Society")
    if pdf:
        data = pdf_bytes(author="Ada Lovelace; Charles Babbage", title="Lovelace tensor trains")
        submission.pdf.save("paper.pdf", ContentFile(data), save=True)
    return submission


@pytest.fixture
def reviewer():
    return UserFactory(email="emmy@example.org", full_name="Emmy Noether")


def assign(submission, user, **kwargs):
    member = CommitteeMemberFactory(
        workshop=submission.workshop, user=user, affiliation="Göttingen"
    )
    return ReviewAssignmentFactory(submission=submission, reviewer=member, **kwargs)


@pytest.fixture
def blind_assignment(reviewer):
    return assign(make_submission(blind=True), reviewer)


@pytest.fixture
def open_assignment(reviewer):
    return assign(make_submission(blind=False), reviewer)


def detail(assignment) -> str:
    return reverse("reviews:detail", args=[assignment.pk])


def pdf_url(assignment) -> str:
    return reverse("reviews:pdf", args=[assignment.pk])


def review_post(**overrides) -> dict:
    return {
        "score": "2",
        "confidence": "4",
        "comments_to_authors": "A clear contribution.",
        "confidential_comments": "I know this line of work well.",
        **overrides,
    }


# Who may see what -----------------------------------------------------------------------------


def test_pages_need_a_login(client, blind_assignment):
    for url in (reverse("reviews:list"), detail(blind_assignment), pdf_url(blind_assignment)):
        response = client.get(url)
        assert response.status_code == 302
        assert "next=" in response["Location"]


def test_my_assignment_opens(client, reviewer, open_assignment):
    client.force_login(reviewer)

    response = client.get(detail(open_assignment))

    assert response.status_code == 200
    assert "Tensor trains for the rest of us" in response.content.decode()


def test_another_reviewers_assignment_is_404(client, reviewer, open_assignment):
    # Even a committee member of the same workshop, assigned to something else.
    other = assign(SubmissionFactory(workshop=open_assignment.submission.workshop), UserFactory())
    client.force_login(other.reviewer.user)

    assert client.get(detail(open_assignment)).status_code == 404
    assert client.get(pdf_url(open_assignment)).status_code == 404
    assert client.post(detail(open_assignment), review_post()).status_code == 404
    assert Review.objects.count() == 0


def test_an_unassigned_submission_is_404_even_to_a_committee_member(client, reviewer):
    submission = make_submission(blind=False)
    CommitteeMemberFactory(workshop=submission.workshop, user=reviewer, affiliation="Göttingen")
    somebody_elses = assign(submission, UserFactory())
    client.force_login(reviewer)

    assert client.get(detail(somebody_elses)).status_code == 404
    assert client.get(reverse("reviews:detail", args=[987654])).status_code == 404
    assert "Tensor trains" not in client.get(reverse("reviews:list")).content.decode()


def test_a_conflicted_assignment_without_an_override_is_404(client, reviewer):
    submission = make_submission(blind=False)
    member = CommitteeMemberFactory(
        workshop=submission.workshop, user=reviewer, affiliation="difference engine works,"
    )
    assignment = ReviewAssignmentFactory(submission=submission, reviewer=member)
    client.force_login(reviewer)

    assert client.get(detail(assignment)).status_code == 404
    assert client.get(pdf_url(assignment)).status_code == 404
    assert client.post(detail(assignment), review_post()).status_code == 404
    assert "Tensor trains" not in client.get(reverse("reviews:list")).content.decode()
    assert Review.objects.count() == 0


def test_an_overridden_conflict_may_review(client, reviewer):
    submission = make_submission(blind=False)
    member = CommitteeMemberFactory(
        workshop=submission.workshop, user=reviewer, affiliation="Difference Engine Works"
    )
    assignment = ReviewAssignmentFactory(
        submission=submission, reviewer=member, conflict_override="Different department."
    )
    client.force_login(reviewer)

    assert client.get(detail(assignment)).status_code == 200


def test_a_reviewer_who_authored_the_submission_is_404(client):
    submission = make_submission(blind=False)
    assignment = assign(submission, submission.submitter)
    client.force_login(submission.submitter)

    assert client.get(detail(assignment)).status_code == 404


def test_a_withdrawn_submission_is_404(client, reviewer, open_assignment):
    Submission.objects.filter(pk=open_assignment.submission_id).update(
        status=Submission.Status.WITHDRAWN
    )
    client.force_login(reviewer)

    assert client.get(detail(open_assignment)).status_code == 404
    assert client.get(pdf_url(open_assignment)).status_code == 404


def test_my_list_shows_my_assignments_and_their_state(
    client, reviewer, django_assert_max_num_queries
):
    reviewed = assign(make_submission(blind=True), reviewer)
    ReviewFactory(assignment=reviewed, score=-2)
    pending = assign(make_submission(blind=False), reviewer)
    Submission.objects.filter(pk=pending.submission_id).update(title="Another one")
    assign(make_submission(blind=False), UserFactory())  # somebody else's
    client.force_login(reviewer)

    with django_assert_max_num_queries(5):
        response = client.get(reverse("reviews:list"))

    page = response.content.decode()
    assert page.count('data-testid="assignment-') == 2
    assert "Reviewed: score -2" in page
    assert "To review" in page
    for trace in AUTHOR_TRACES:
        assert trace not in page


# Blind review ---------------------------------------------------------------------------------


def test_the_blind_page_shows_no_trace_of_the_authors(client, reviewer, blind_assignment):
    client.force_login(reviewer)

    page = client.get(detail(blind_assignment)).content.decode()

    assert "Tensor trains for the rest of us" in page
    assert "Hidden: this is a blind review." in page
    for trace in AUTHOR_TRACES:
        assert trace not in page, trace
    assert blind_assignment.submission.pdf.name not in page


def test_the_blind_pdf_has_no_metadata(client, reviewer, blind_assignment):
    client.force_login(reviewer)

    response = client.get(pdf_url(blind_assignment))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"submission-{blind_assignment.submission_id}.pdf" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    info = reader.metadata or {}
    assert "/Author" not in info
    assert "/Title" not in info
    assert "/Creator" not in info
    assert reader.xmp_metadata is None
    for trace in (b"Lovelace", b"Babbage"):
        assert trace not in data


def test_an_unreadable_pdf_is_not_shown_in_a_blind_review(client, reviewer, blind_assignment):
    submission = blind_assignment.submission
    submission.pdf.save("broken.pdf", ContentFile(b"%PDF-1.4\nLovelace\n%%EOF\n"), save=True)
    client.force_login(reviewer)

    response = client.get(pdf_url(blind_assignment), follow=True)

    assert response.redirect_chain == [(detail(blind_assignment), 302)]
    assert "could not be made anonymous" in response.content.decode()


def test_a_submission_without_a_pdf_has_no_pdf_link(client, reviewer):
    assignment = assign(make_submission(blind=True, pdf=False), reviewer)
    client.force_login(reviewer)

    assert "Download the PDF" not in client.get(detail(assignment)).content.decode()
    assert client.get(pdf_url(assignment)).status_code == 404


def test_a_non_blind_review_shows_the_authors(client, reviewer, open_assignment):
    client.force_login(reviewer)

    page = client.get(detail(open_assignment)).content.decode()

    assert "Ada Lovelace (Analytical Society)" in page
    assert "Charles Babbage (Difference Engine Works)" in page
    pdf = client.get(pdf_url(open_assignment))
    assert pdf.status_code == 200
    assert b"Lovelace" in b"".join(pdf.streaming_content)


# The review form ------------------------------------------------------------------------------


def test_a_review_is_saved_then_edited(client, reviewer, blind_assignment):
    client.force_login(reviewer)

    response = client.post(detail(blind_assignment), review_post(), follow=True)

    assert response.redirect_chain == [(detail(blind_assignment), 302)]
    assert "Your review is saved." in response.content.decode()
    review = Review.objects.get(assignment=blind_assignment)
    assert (review.score, review.confidence) == (2, 4)
    assert review.comments_to_authors == "A clear contribution."
    assert review.confidential_comments == "I know this line of work well."

    client.post(detail(blind_assignment), review_post(score="-3", comments_to_authors=""))

    review.refresh_from_db()
    assert (review.score, review.comments_to_authors) == (-3, "")
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    "bad", [{"score": "4"}, {"score": ""}, {"confidence": "0"}, {"confidence": "x"}]
)
def test_an_invalid_review_is_not_saved(client, reviewer, blind_assignment, bad):
    client.force_login(reviewer)

    response = client.post(detail(blind_assignment), review_post(**bad))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Review.objects.count() == 0


def test_the_form_shows_my_saved_review(client, reviewer, blind_assignment):
    ReviewFactory(assignment=blind_assignment, score=-1, comments_to_authors="Needs work.")
    client.force_login(reviewer)

    form = client.get(detail(blind_assignment)).context["form"]

    assert form.initial["score"] == -1
    assert form.initial["comments_to_authors"] == "Needs work."


def test_a_review_can_change_after_the_decision_until_it_is_sent(
    client, reviewer, blind_assignment
):
    ReviewFactory(assignment=blind_assignment, score=1)
    Submission.objects.filter(pk=blind_assignment.submission_id).update(decision="talk")
    client.force_login(reviewer)

    client.post(detail(blind_assignment), review_post(score="3"))

    assert Review.objects.get().score == 3


def test_the_review_is_read_only_once_the_decision_is_sent(client, reviewer, blind_assignment):
    ReviewFactory(assignment=blind_assignment, score=1, comments_to_authors="Fine.")
    Submission.objects.filter(pk=blind_assignment.submission_id).update(
        decision="talk", notified_at=timezone.now()
    )
    client.force_login(reviewer)

    page = client.get(detail(blind_assignment))
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert "Save review" not in page.content.decode()

    response = client.post(detail(blind_assignment), review_post(score="-3"), follow=True)

    assert "reviews can no longer change" in response.content.decode()
    review = Review.objects.get()
    assert (review.score, review.comments_to_authors) == (1, "Fine.")


def test_an_author_never_reaches_the_review_pages_of_their_submission(client):
    submission = make_submission(blind=True)
    reviewer_of_it = assign(submission, UserFactory())
    AuthorFactory(submission=submission, order=2)
    client.force_login(submission.submitter)

    assert client.get(detail(reviewer_of_it)).status_code == 404
    assert client.get(pdf_url(reviewer_of_it)).status_code == 404


def test_a_pdf_missing_from_storage_is_404_not_500(client, reviewer, open_assignment):
    open_assignment.submission.pdf.storage.delete(open_assignment.submission.pdf.name)
    client.force_login(reviewer)

    assert client.get(pdf_url(open_assignment)).status_code == 404


# What pdfTeX and viewers leave in a paper --------------------------------------------------


def store_pdf(submission, data: bytes) -> None:
    submission.pdf.save("paper.pdf", ContentFile(data), save=True)


def every_text(data: bytes) -> str:
    """Every string and non-content stream of the PDF, decoded, as the leak check reads them."""
    return "\n".join(metadata_texts(PdfReader(io.BytesIO(data)).trailer, set()))


def test_the_blind_pdf_of_a_latex_paper_has_none_of_what_names_its_author(
    client, reviewer, blind_assignment
):
    store_pdf(
        blind_assignment.submission,
        latex_like_pdf(author="Ada Lovelace", home="/home/lovelace"),
    )
    client.force_login(reviewer)

    response = client.get(pdf_url(blind_assignment))

    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    figure = page["/Resources"]["/XObject"]["/Fm1"].get_object()
    assert not [key for key in figure if key.startswith("/PTEX.")]
    assert "/Metadata" not in figure
    assert "/Annots" not in page and "/Info" not in page and "/PieceInfo" not in page
    assert "/Names" not in reader.trailer["/Root"] and "/OpenAction" not in reader.trailer["/Root"]
    assert reader.xmp_metadata is None
    text = every_text(data)
    for trace in ("Lovelace", "/home/lovelace", "app.alert", "notes.txt", "fix this"):
        assert trace not in text, trace
    assert not OutgoingMail.objects.filter(key__startswith="blind-pdf:").exists()


def test_a_blind_pdf_that_still_names_an_author_is_refused_and_the_organizers_told(
    client, reviewer, blind_assignment
):
    submission = blind_assignment.submission
    organizer = UserFactory(email="chair@example.org", is_staff=True)
    submission.workshop.organizers.add(organizer)
    # A place no list of metadata keys knows: a tool's private key on the page.
    store_pdf(submission, pdf_with(MyToolUser=TextStringObject("Charles Babbage")))
    client.force_login(reviewer)

    for _ in range(2):
        response = client.get(pdf_url(blind_assignment), follow=True)
        assert response.redirect_chain == [(detail(blind_assignment), 302)]
        assert "could not be made anonymous" in response.content.decode()

    [alert] = OutgoingMail.objects.filter(key__startswith="blind-pdf:")
    assert alert.to == "chair@example.org"
    assert "Charles Babbage" in alert.body_text  # for the organizers, who may know the authors


def test_a_page_whose_annotations_are_not_dictionaries_is_served(
    client, reviewer, blind_assignment
):
    store_pdf(blind_assignment.submission, pdf_with(Annots=ArrayObject([NumberObject(1)])))
    client.force_login(reviewer)
    response = client.get(pdf_url(blind_assignment))
    assert response.status_code == 200
    assert "/Annots" not in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0]
