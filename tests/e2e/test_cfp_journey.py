"""From abstract to speaker: an author signs up and submits with a PDF, a committee member
reviews it blind, the organizer accepts it and sends the decision, the author confirms."""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from outbox.models import OutgoingMail
from schedule.models import ScheduleItem
from submissions import services
from submissions.models import Review, Submission
from submissions.services import ensure_submission_types
from tests.factories import OrganizerFactory, UserFactory, WorkshopFactory
from tests.submissions.factories import CallForAbstractsFactory, CommitteeMemberFactory
from tests.submissions.pdfs import pdf_bytes
from workshops.models import SpeakerAppearance

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-9"


def link_in(mail: OutgoingMail, pattern: str) -> str:
    return re.search(rf"http://\S+{pattern}", mail.body_text)[0]


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()


def run_action(page, submission: Submission, action: str) -> None:
    page.locator(f'input[name="_selected_action"][value="{submission.pk}"]').check()
    page.locator('select[name="action"]').select_option(action)
    page.locator('button[name="index"]').first.click()


def test_abstract_to_confirmed_speaker(live_server, browser, page, settings, tmp_path):
    settings.SITE_URL = live_server.url  # the links in the mails point at this server
    settings.MEDIA_ROOT = tmp_path
    organizer = OrganizerFactory(email="olga@example.org", password=PASSWORD)
    workshop = WorkshopFactory(title="Tensor Days", slug="tensor-days", organizers=[organizer])
    CallForAbstractsFactory(
        workshop=workshop,
        opens_at=timezone.now() - dt.timedelta(days=1),
        deadline=timezone.now() + dt.timedelta(days=10),
        pdf_upload="optional",
        blind_review=True,
    )
    ensure_submission_types(workshop)
    reviewer = UserFactory(email="emmy@example.org", full_name="Emmy Noether", password=PASSWORD)
    EmailAddress.objects.create(user=reviewer, email=reviewer.email, verified=True, primary=True)
    member = CommitteeMemberFactory(workshop=workshop, user=reviewer, affiliation="Göttingen")

    # The author signs up, confirms her address from the mail in the outbox, signs in.
    page.goto(f"{live_server.url}/accounts/signup/")
    page.locator("#id_email").fill("ada@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    verification = OutgoingMail.objects.get(to="ada@example.org")
    page.goto(link_in(verification, "/accounts/confirm-email/\\S+/"))
    page.get_by_role("button", name="Confirm").click()
    sign_in(page, live_server.url, "ada@example.org")
    expect(page.get_by_role("heading", name="My submissions")).to_be_visible()

    # She submits an abstract with a PDF whose metadata names her.
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(pdf_bytes(author="Ada Lovelace", title="Tensor trains, by Lovelace"))
    page.goto(f"{live_server.url}/workshops/tensor-days/submit/")
    page.locator("#id_title").fill("Tensor trains in practice")
    page.locator("#id_abstract").fill("We train *tensor* networks.")
    row = page.get_by_test_id("author-row")
    row.get_by_label("Name").fill("Ada Lovelace")
    row.get_by_label("Affiliation").fill("Analytical Society")
    page.locator("#id_pdf").set_input_files(str(pdf))
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    submission = Submission.objects.get()
    assert submission.pdf

    # The organizers assign a reviewer, who reviews without learning who wrote it.
    services.assign_reviewer(submission=submission, member=member, by=organizer)
    reviewing = browser.new_context(locale="en-GB", timezone_id="Europe/Paris").new_page()
    sign_in(reviewing, live_server.url, "emmy@example.org")
    reviewing.goto(f"{live_server.url}/reviews/")
    reviewing.get_by_role("link", name="Tensor trains in practice").click()
    expect(reviewing.get_by_test_id("blind-notice")).to_be_visible()
    expect(reviewing.get_by_text("Lovelace")).to_have_count(0)
    expect(reviewing.get_by_text("Analytical Society")).to_have_count(0)
    pdf_path = reviewing.get_by_role("link", name="Download the PDF").get_attribute("href")
    blind_pdf = reviewing.request.get(f"{live_server.url}{pdf_path}")
    assert blind_pdf.ok
    assert blind_pdf.body().startswith(b"%PDF-")
    assert b"Lovelace" not in blind_pdf.body()
    reviewing.get_by_label("Score").select_option(label="+2 accept")
    reviewing.get_by_label("Confidence").select_option(label="4 high")
    reviewing.get_by_label("Comments to the authors").fill("Convincing experiments.")
    reviewing.get_by_label("Confidential comments to the committee").fill("Accept.")
    reviewing.get_by_role("button", name="Save review").click()
    expect(reviewing.get_by_role("status").first).to_contain_text("Your review is saved.")
    assert Review.objects.get().score == 2

    # The organizer accepts it as a talk, previews the decision mail and sends it.
    organizing = browser.new_context(locale="en-GB", timezone_id="Europe/Paris").new_page()
    organizing.goto(f"{live_server.url}/admin/login/")
    organizing.locator("#id_username").fill("olga@example.org")
    organizing.locator("#id_password").fill(PASSWORD)
    organizing.locator('input[type="submit"]').click()
    organizing.goto(f"{live_server.url}/admin/submissions/submission/")
    run_action(organizing, submission, "accept_as_talk")
    expect(organizing.locator(".messagelist")).to_contain_text("1 submission(s) accepted as talk.")
    run_action(organizing, submission, "notify_authors")
    preview = organizing.get_by_test_id(f"preview-{submission.pk}")
    expect(preview).to_contain_text("Your submission to Tensor Days is accepted")
    expect(preview).to_contain_text("Convincing experiments.")
    expect(preview).not_to_contain_text("Accept.")  # confidential comments stay confidential
    organizing.get_by_role("button", name="Queue 1 decision mail(s)").click()
    expect(organizing.locator(".messagelist")).to_contain_text("1 decision mail(s) queued.")

    # The author opens the decision mail from the outbox and confirms.
    decision = OutgoingMail.objects.get(key=f"decision:{submission.pk}")
    assert decision.to == "ada@example.org"
    assert "accepted as talk" in decision.body_text
    page.goto(link_in(decision, f"/submissions/{submission.pk}/confirm/\\w+/"))
    expect(page.get_by_test_id("decision")).to_have_text("Accepted as talk")
    page.get_by_role("button", name="Confirm my presentation").click()
    expect(page.get_by_role("status").first).to_contain_text("your presentation is confirmed")
    expect(page.get_by_test_id("confirmation")).to_have_text("Confirmed")

    appearance = SpeakerAppearance.objects.get(workshop=workshop)
    assert (appearance.speaker.name, appearance.role, appearance.confirmed) == (
        "Ada Lovelace",
        "contributed",
        True,
    )
    item = ScheduleItem.objects.get(workshop=workshop)
    assert (item.title, item.start, list(item.speakers.all())) == (
        "Tensor trains in practice",
        None,
        [appearance.speaker],
    )
    submission.refresh_from_db()
    assert submission.schedule_item == item
