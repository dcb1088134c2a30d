"""Uploaded files: submitted PDFs live in private storage and leave only through views that
check who asks, as downloads that never render as a page of the site; speaker photos are
public but only ever served as the image type their suffix names."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import OrganizerFactory, UserFactory, WorkshopFactory
from tests.submissions.factories import (
    CallForAbstractsFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    SubmissionFactory,
)
from tests.submissions.pdfs import pdf_bytes
from workshops.models import SpeakerProfile, speaker_photo_path

pytestmark = pytest.mark.django_db

AUTHOR_NAME = "Sofia Kovalevskaya"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def submission_with_pdf(*, blind: bool = False):
    workshop = WorkshopFactory()
    CallForAbstractsFactory(workshop=workshop, blind_review=blind, pdf_upload="optional")
    submission = SubmissionFactory(workshop=workshop, authors=[])
    data = pdf_bytes(author=AUTHOR_NAME, title="Spinning tops")
    submission.pdf.save("my paper.html", ContentFile(data), save=True)
    return submission, data


def reviewer_of(submission, **kwargs):
    member = CommitteeMemberFactory(workshop=submission.workshop, **kwargs)
    assignment = ReviewAssignmentFactory(submission=submission, reviewer=member)
    return member.user, assignment


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_safe_download(response, filename: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy.split("; ")
    assert "default-src 'none'" in policy
    assert "no-store" in response["Cache-Control"]


def test_pdfs_are_stored_outside_media_and_static_and_have_no_url(settings):
    submission, data = submission_with_pdf()
    stored = Path(submission.pdf.path)

    assert stored.read_bytes() == data
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT))
    assert stored.suffix == ".pdf"  # the uploader's name ("my paper.html") is not used
    with pytest.raises(ValueError):
        submission.pdf.url  # noqa: B018 — a template that tried would fail loudly


def test_pdfs_are_not_reachable_under_the_media_url(client):
    submission, _ = submission_with_pdf()
    client.force_login(submission.submitter)

    for path in (submission.pdf.name, f"speakers/../{submission.pdf.name}"):
        assert client.get(f"/media/{path}").status_code == 404


def test_the_submitter_downloads_the_pdf_as_an_attachment(client):
    submission, data = submission_with_pdf()
    client.force_login(submission.submitter)

    response = client.get(reverse("submissions:pdf", args=[submission.pk]))

    assert_safe_download(response, f"submission-{submission.pk}.pdf")
    assert body(response) == data


def test_the_workshops_organizers_download_it_and_nobody_else(client):
    submission, data = submission_with_pdf()
    organizer = OrganizerFactory()
    submission.workshop.organizers.add(organizer)
    url = reverse("submissions:pdf", args=[submission.pk])

    client.force_login(organizer)
    response = client.get(url)
    assert_safe_download(response, f"submission-{submission.pk}.pdf")
    assert body(response) == data

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert body(client.get(url)) == data

    other_organizer = OrganizerFactory()
    WorkshopFactory().organizers.add(other_organizer)
    not_staff = UserFactory()
    submission.workshop.organizers.add(not_staff)  # listed, but no admin access: not organizing
    reviewer, _ = reviewer_of(submission)
    for user in (other_organizer, not_staff, reviewer, UserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 404, user

    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_admin_links_the_pdf_to_the_checked_view(admin_client):
    submission, _ = submission_with_pdf()

    page = admin_client.get(
        reverse("admin:submissions_submission_change", args=[submission.pk])
    ).content.decode()

    assert f'href="{reverse("submissions:pdf", args=[submission.pk])}"' in page
    assert submission.pdf.name not in page


def test_an_assigned_reviewer_gets_the_pdf_as_an_attachment(client):
    submission, data = submission_with_pdf(blind=False)
    reviewer, assignment = reviewer_of(submission)
    client.force_login(reviewer)

    response = client.get(reverse("reviews:pdf", args=[assignment.pk]))

    assert_safe_download(response, f"submission-{submission.pk}.pdf")
    assert body(response) == data


def test_a_blind_reviewer_gets_the_pdf_without_the_authors_metadata(client):
    submission, data = submission_with_pdf(blind=True)
    reviewer, assignment = reviewer_of(submission)
    client.force_login(reviewer)

    response = client.get(reverse("reviews:pdf", args=[assignment.pk]))

    assert_safe_download(response, f"submission-{submission.pk}.pdf")
    served = body(response)
    assert AUTHOR_NAME.encode() in data
    assert AUTHOR_NAME.encode() not in served
    assert len(PdfReader(ContentFile(served)).pages) == 1


def test_a_conflicted_or_unassigned_reviewer_gets_nothing(client):
    submission, _ = submission_with_pdf()
    submission.authors.create(order=0, name="Ada", email="ada@example.org", affiliation="Inria")
    conflicted, conflicted_assignment = reviewer_of(submission, affiliation="Inria")
    _, other_assignment = reviewer_of(submission, affiliation="CNRS")

    client.force_login(conflicted)
    assert client.get(reverse("reviews:pdf", args=[conflicted_assignment.pk])).status_code == 404
    assert client.get(reverse("reviews:pdf", args=[other_assignment.pk])).status_code == 404


# Speaker photos ---------------------------------------------------------------------------------


def write_media(settings, name: str, data: bytes) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_speaker_photos_are_served_as_images_that_nothing_sniffs(client, settings):
    write_media(settings, "speakers/2031/01/1-a.png", b"\x89PNG\r\n\x1a\n")

    response = client.get("/media/speakers/2031/01/1-a.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "name",
    ["speakers/x.html", "speakers/x.svg", "speakers/x", "other/x.png", "speakers/../other/x.png"],
)
def test_anything_but_a_speaker_image_under_media_is_404(client, settings, name):
    write_media(settings, "speakers/x.html", b"<script>alert(1)</script>")
    write_media(settings, "speakers/x.svg", b"<svg onload='alert(1)'/>")
    write_media(settings, "speakers/x", b"<script>alert(1)</script>")
    write_media(settings, "other/x.png", b"\x89PNG\r\n\x1a\n")

    assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.parametrize(
    ("uploaded", "suffix"),
    [("me.JPG", ".jpg"), ("me.webp", ".webp"), ("me.html", ".img"), ("me.svg", ".img")],
)
def test_photo_names_keep_only_image_suffixes(uploaded, suffix):
    assert speaker_photo_path(SpeakerProfile(), uploaded).endswith(suffix)
