"""A form sent back keeps the file the person chose (workshops.pending_uploads): the PDF of
a submission refused for its word count or rearranged without scripts, the photo of a profile
refused for its ORCID iD. The token is the account's own, and expires."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from submissions import services
from submissions.models import Submission
from tests.factories import UserFactory, WorkshopFactory
from tests.submissions.factories import CallForAbstractsFactory, SubmissionTypeFactory
from tests.submissions.pdfs import pdf_bytes
from tests.submissions.test_profile import image_bytes
from workshops import pending_uploads
from workshops.models import SpeakerProfile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def cfa():
    cfa = CallForAbstractsFactory(
        workshop=WorkshopFactory(slug="lora"), pdf_upload="required", word_limit=5
    )
    services.ensure_submission_types(cfa.workshop)
    return cfa


@pytest.fixture
def ada(client):
    client.force_login(author := UserFactory(full_name="Ada Lovelace"))
    return author


def data(cfa, **changes) -> dict:
    return {
        "title": "Adapters",
        "abstract": "Low-rank adapters, studied.",
        "type": SubmissionTypeFactory(workshop=cfa.workshop).pk,
        "topic": "",
        "action": "submit",
        "authors-TOTAL_FORMS": 1,
        "authors-INITIAL_FORMS": 0,
        "authors-0-name": "Ada Lovelace",
        "authors-0-email": "ada@example.org",
        **changes,
    }


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("adapters.pdf", pdf_bytes(title="Adapters"), "application/pdf")


def kept_token(page: str, field: str) -> str:
    return re.search(rf'name="{field}_kept" value="([^"]+)"', page)[1]


def test_a_submission_sent_back_keeps_its_pdf_for_the_next_post(client, cfa, ada):
    url = reverse("submissions:new", args=["lora"])
    refused = client.post(url, {**data(cfa, abstract="one two three four five six"), "pdf": pdf()})

    page = refused.content.decode()
    assert refused.status_code == 200 and "the limit is 5" in page
    assert "Your PDF “adapters.pdf” is kept" in page
    token = kept_token(page, "pdf")

    done = client.post(url, data(cfa, pdf_kept=token))  # no file chosen again

    assert done.status_code == 302
    submission = Submission.objects.get()
    assert submission.pdf and submission.pdf.read().startswith(b"%PDF")


def test_an_author_row_round_trip_keeps_the_pdf(client, cfa, ada):
    url = reverse("submissions:new", args=["lora"])
    page = client.post(url, {**data(cfa, action="add"), "pdf": pdf()}).content.decode()
    assert 'data-testid="pdf-kept"' in page
    assert client.post(url, data(cfa, pdf_kept=kept_token(page, "pdf"))).status_code == 302


def test_a_rejected_file_is_not_kept_and_a_token_is_its_owners_alone(client, cfa, ada):
    url = reverse("submissions:new", args=["lora"])
    fake = SimpleUploadedFile("x.pdf", b"not a pdf", "application/pdf")
    response = client.post(url, {**data(cfa), "pdf": fake})
    assert "PDF" in " ".join(response.context["form"].errors["pdf"])  # refused as one
    assert "pdf_kept" not in response.content.decode()

    token = pending_uploads.keep(pdf(), owner_id=UserFactory().pk).token  # someone else's
    refused = client.post(url, data(cfa, pdf_kept=token))
    assert refused.status_code == 200 and Submission.objects.count() == 0
    assert "pdf" in refused.context["form"].errors  # required, and not given
    forged = client.post(url, data(cfa, pdf_kept="forged"))
    assert forged.status_code == 200 and Submission.objects.count() == 0


def test_a_profile_sent_back_keeps_its_photo(client, ada):
    url = reverse("accounts:profile")
    photo = SimpleUploadedFile("me.png", image_bytes(), "image/png")
    fields = {"name": "Ada Lovelace", "affiliation": "", "homepage": "", "bio": ""}
    refused = client.post(url, {**fields, "orcid": "0000-0002-1825-0098", "photo": photo})
    page = refused.content.decode()
    assert "check digit is wrong" in page and "Your photo “me.png” is kept" in page

    done = client.post(
        url, {**fields, "orcid": "0000-0002-1825-0097", "photo_kept": kept_token(page, "photo")}
    )
    assert done.status_code == 302
    profile = SpeakerProfile.objects.get(user=ada)
    assert profile.photo and profile.photo.name.endswith(".png")


def test_the_sweep_deletes_kept_uploads_once_their_tokens_expire(settings):
    old = pending_uploads.keep(pdf(), owner_id=1)
    fresh = pending_uploads.keep(pdf(), owner_id=2)
    folder = settings.PRIVATE_MEDIA_ROOT / "pending"
    an_hour_too_old = timezone.now() - dt.timedelta(seconds=pending_uploads.MAX_AGE + 3600)
    [stale] = (folder / "1").iterdir()
    os.utime(stale, (an_hour_too_old.timestamp(), an_hour_too_old.timestamp()))

    assert pending_uploads.sweep() == 1
    assert pending_uploads.take(old.token, owner_id=1) is None
    assert pending_uploads.take(fresh.token, owner_id=2) is not None


def test_an_account_keeps_a_few_files_at_most(settings):
    tokens = [pending_uploads.keep(pdf(), owner_id=7).token for _ in range(6)]
    folder = settings.PRIVATE_MEDIA_ROOT / "pending" / "7"
    assert len(list(folder.iterdir())) == pending_uploads.PER_OWNER
    assert pending_uploads.take(tokens[-1], owner_id=7) is not None  # the newest are kept


def test_a_row_button_keeps_only_a_file_that_passes_the_pdf_checks(client, cfa, ada, settings):
    url = reverse("submissions:new", args=["lora"])
    fake = SimpleUploadedFile("evil.exe", b"MZ" + b"\0" * 5000, "application/pdf")
    page = client.post(url, {**data(cfa, action="add"), "pdf": fake}).content.decode()
    assert "pdf_kept" not in page
    pending = settings.PRIVATE_MEDIA_ROOT / "pending"
    assert not [f for f in pending.rglob("*") if f.is_file()]  # nothing stored
