"""Every role's way through the demo, in Chromium, as a newcomer on a fresh `make run` would
go: from the home page (or the admin index), clicking, with the README's accounts. A mail's
link is followed as the person would follow it from their mailbox (the outbox row holds the
mail as it was sent); nothing else is a typed URL.

- An attendee registers, is told so on the page and by mail, and cancels after confirming.
- A speaker signs up, submits with a co-author and a PDF (adding the author keeps the PDF),
  gets a receipt, later sees the decision on her page and confirms.
- A reviewer logs in, lands on Reviews (in the menu, with the count) and reviews two papers.
- An organizer mails the selected people: a wrong placeholder is refused with the known
  ones, the preview shows the first recipients' mail, a test copy goes to herself.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from outbox.models import OutgoingMail
from registration.models import Registration
from submissions import services
from submissions.models import Review, Submission
from tests.submissions.pdfs import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = re.compile(r"^Demo Workshop on Sparse and Low-Rank Models")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(live_server, settings):
    settings.SITE_URL = live_server.url  # the links in the mails point at this server
    call_command("load_demo", "--with-users", verbosity=0)
    return live_server.url


def mail_to(address: str, key_prefix: str) -> OutgoingMail:
    [mail] = OutgoingMail.objects.filter(to=address, key__startswith=key_prefix)
    return mail


def link_in(mail: OutgoingMail, path: str) -> str:
    return re.search(rf"http://\S+{path}\S*", mail.body_text)[0]


def open_demo_workshop(page, base_url: str) -> None:
    page.goto(base_url)
    page.get_by_role("link", name=DEMO).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO)


def log_in(page, email: str, password: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Log in").click()
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def test_an_attendee_registers_is_told_and_cancels_after_confirming(demo, page, tmp_path):
    page.set_viewport_size(PHONE)  # the call to action is there on a phone, above the fold
    open_demo_workshop(page, demo)
    register = page.get_by_test_id("call-to-action").get_by_role("link", name="Register")
    expect(register).to_be_in_viewport()
    page.screenshot(path=tmp_path / "attendee-phone.png")
    register.click()

    expect(page.get_by_test_id("registration-closes")).to_contain_text("Registration closes")
    page.locator("#id_first_name").fill("Grace")
    page.locator("#id_last_name").fill("Hopper")
    page.locator("#id_email").fill("grace@example.org")
    page.locator("#id_affiliation").fill("Yale")
    page.get_by_label("Will you join the workshop dinner?").select_option("Yes")
    page.get_by_role("button", name="Register").click()

    registration = Registration.objects.get(email="grace@example.org")
    if registration.awaits_address_confirmation:  # the demo asks to confirm the address
        expect(page.get_by_role("main")).to_contain_text("grace@example.org")
        page.goto(link_in(mail_to("grace@example.org", "registration"), "/confirm"))
        page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.get_by_role("status").first).to_contain_text("We have sent a mail")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    mails = OutgoingMail.objects.filter(to="grace@example.org")
    assert any(registration.get_absolute_url() in m.body_text for m in mails)
    # The workshop's navigation is on her page (behind the menu button on a phone).
    expect(page.locator("nav a", has_text="Speakers")).to_be_attached()

    page.get_by_role("button", name="Cancel my registration…").click()
    expect(page.get_by_test_id("confirm-cancel")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED  # nothing yet
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_role("main")).to_contain_text("cancelled")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_a_speaker_submits_with_a_coauthor_and_a_pdf_then_confirms(demo, page, tmp_path):
    password = "tensor-Trains-42"
    page.goto(demo)
    page.get_by_role("navigation").get_by_role("link", name="Log in").click()
    page.get_by_role("link", name="sign up").click()
    page.locator("#id_email").fill("ada@example.org")
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    page.get_by_role("button", name="Sign up", exact=True).click()
    page.goto(link_in(mail_to("ada@example.org", "account:"), "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    log_in(page, "ada@example.org", password)
    expect(page.get_by_role("heading", name="My submissions")).to_be_visible()

    open_demo_workshop(page, demo)
    page.get_by_test_id("call-to-action").get_by_role("link", name="Submit an abstract").click()
    page.locator("#id_title").fill("Sketching for tensor trains")
    page.locator("#id_abstract").fill("We sketch *tensor trains* in linear time.")
    rows = page.get_by_test_id("author-row")
    rows.nth(0).get_by_label("Name").fill("Ada Lovelace")
    pdf = tmp_path / "sketching.pdf"
    pdf.write_bytes(pdf_bytes(title="Sketching for tensor trains"))
    page.locator("#id_pdf").set_input_files(pdf)
    page.evaluate("window.sameDocument = true")

    page.get_by_role("button", name="Add an author").click()  # no round trip

    expect(rows).to_have_count(2)
    assert page.locator("#id_pdf").evaluate("input => input.files.length") == 1
    assert page.evaluate("window.sameDocument === true")  # no reload: the page did not jump
    expect(rows.nth(1).get_by_label("Name")).to_be_focused()
    rows.nth(1).get_by_label("Name").fill("Emmy Noether")
    rows.nth(1).get_by_label("Email").fill("emmy@example.org")
    # A blank row moved to the top is left out, not refused as incomplete.
    page.get_by_role("button", name="Add an author").click()
    page.get_by_role("button", name="Move author 3 up").click()
    page.get_by_role("button", name="Move author 2 up").click()
    expect(rows.nth(0).get_by_label("Name")).to_have_value("")
    page.screenshot(path=tmp_path / "speaker-form.png", full_page=True)
    page.get_by_role("button", name="Submit", exact=True).click()

    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    expect(page.get_by_test_id("pdf")).to_be_visible()
    submission = Submission.objects.get(title="Sketching for tensor trains")
    assert [a.name for a in submission.authors.all()] == ["Ada Lovelace", "Emmy Noether"]
    receipt = mail_to("ada@example.org", "receipt:")
    assert "We sketch *tensor trains* in linear time." in receipt.body_text

    # The committee reviews, the organizers decide and send the decisions (admin journeys of
    # their own); she learns it by mail and on her page.
    services.decide_submission(submission=submission, decision="talk")
    services.notify_authors(submissions=Submission.objects.filter(pk=submission.pk))
    assert OutgoingMail.objects.filter(to="emmy@example.org", key__startswith="decision:")
    page.get_by_role("navigation").get_by_role("link", name="My submissions").click()
    page.get_by_role("link", name="Sketching for tensor trains").click()
    outcome = page.get_by_test_id("outcome")
    expect(outcome).to_contain_text("Decision: Accepted as talk")
    outcome.get_by_role("link", name="Confirm or decline").click()
    page.get_by_role("button", name="Confirm my presentation").click()
    submission.refresh_from_db()
    assert submission.confirmation == Submission.Confirmation.CONFIRMED
    page.get_by_role("navigation").get_by_role("link", name="My submissions").click()
    page.get_by_role("link", name="Sketching for tensor trains").click()
    expect(page.get_by_test_id("confirmation")).to_contain_text("You confirmed")


def test_a_reviewer_finds_reviews_in_the_menu_and_reviews_two_papers(demo, page, tmp_path):
    page.goto(demo)
    log_in(page, "reviewer@example.org", "reviewer")

    # She lands on her reviews; the menu says how many are left.
    expect(page.get_by_role("heading", name="My reviews")).to_be_visible()
    menu = page.get_by_test_id("nav-reviews")
    expect(menu).to_be_visible()
    left = int(re.search(r"\d+", menu.inner_text())[0])
    assert left >= 2
    page.screenshot(path=tmp_path / "reviewer-home.png", full_page=True)

    for n in range(2):
        page.get_by_text("To review").first.locator("xpath=ancestor::tr").get_by_role(
            "link"
        ).click()
        page.locator("#id_score").select_option("2")
        page.locator("#id_confidence").select_option("4")
        page.locator("#id_comments_to_authors").fill(f"Clear and useful ({n + 1}).")
        page.get_by_role("button", name="Save review").click()
        expect(page.get_by_role("status").first).to_contain_text("Your review is saved")
        page.get_by_test_id("nav-reviews").click()
        if left - n - 1:
            expect(page.get_by_test_id("nav-reviews")).to_contain_text(str(left - n - 1))
        else:
            expect(page.get_by_test_id("nav-reviews")).to_have_text("Reviews")
            expect(page.get_by_role("main")).to_contain_text("All your reviews are written")

    assert (
        Review.objects.filter(
            assignment__reviewer__user__email="reviewer@example.org",
            comments_to_authors__startswith="Clear and useful",
        ).count()
        == 2
    )


def test_an_organizer_mails_the_selected_people_with_a_preview(demo, page, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{demo}/admin/")
    page.locator("#id_username").fill("organizer@example.org")
    page.locator("#id_password").fill("organizer")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Registrations").first.click()
    page.locator("#action-toggle").check()  # every registration on the page
    page.locator('select[name="action"]').select_option("email_selected")
    page.locator('button[name="index"]').first.click()

    expect(page.get_by_test_id("recipients")).to_contain_text("Alice Martin")
    page.locator("#id_subject").fill("Dinner on {workshop}")
    page.locator("#id_body").fill("Dear {frist_name},\n\nthe dinner is at 19:30.")
    page.get_by_role("button", name="Preview").click()
    errors = page.locator(".errorlist")
    expect(errors).to_contain_text("{frist_name}")
    expect(errors).to_contain_text("{first_name}")  # the known ones, listed
    assert not OutgoingMail.objects.filter(subject__startswith="Dinner").exists()

    page.locator("#id_body").fill("Dear {first_name},\n\nthe dinner is at 19:30.")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_test_id("mail-preview").first  # by surname: Bruno Costa first
    expect(preview).to_contain_text("Dear Bruno,")
    page.screenshot(path=tmp_path / "organizer-preview.png", full_page=True)
    page.get_by_role("button", name=re.compile(r"Send a test to me")).click()
    test_copy = OutgoingMail.objects.get(to="organizer@example.org")
    assert test_copy.subject.startswith("[Test]") and "Dear Bruno," in test_copy.body_text

    page.get_by_role("button", name=re.compile(r"Send to \d+ people")).click()
    expect(page.locator(".messagelist")).to_contain_text("mail(s) queued")
    sent = OutgoingMail.objects.filter(subject__startswith="Dinner on").exclude(
        to="organizer@example.org"
    )
    assert sent.count() == Registration.objects.filter(workshop__slug="demo-workshop").count()
    assert "Dear Alice," in sent.get(to="alice.demo@example.org").body_text


def test_the_organizers_lists_fit_1280_pixels(demo, page):
    """Every column in view: reviews, scores, the schedule link, the seats."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{demo}/admin/")
    page.locator("#id_username").fill("organizer@example.org")
    page.locator("#id_password").fill("organizer")
    page.get_by_role("button", name="Log in").click()
    for name in ("Submissions", "Workshops", "Registrations"):
        page.goto(f"{demo}/admin/")
        page.get_by_role("link", name=name, exact=True).last.click()
        results = page.locator("#changelist-form .results")
        overflow = results.evaluate("el => el.scrollWidth - el.clientWidth")
        assert overflow <= 0, f"{name}: {overflow} px off-screen"
