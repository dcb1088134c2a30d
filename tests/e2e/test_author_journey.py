"""A speaker signs up, verifies her address from the mail, submits an abstract with a co-author,
and sees the AoE deadline in her own time zone."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from submissions.models import Submission
from submissions.services import ensure_submission_types
from tests.factories import WorkshopFactory
from tests.submissions.factories import CallForAbstractsFactory
from workshops.timezones import AOE

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery-9"


def test_sign_up_verify_and_submit_with_a_coauthor(live_server, page):
    workshop = WorkshopFactory(title="Tensor Days", slug="tensor-days")
    CallForAbstractsFactory(
        workshop=workshop,
        deadline_zone=AOE,
        opens_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        deadline=dt.datetime(2031, 3, 16, 11, 59, tzinfo=dt.UTC),  # 23:59 AoE on 15 March
        word_limit=20,
    )
    ensure_submission_types(workshop)

    page.goto(f"{live_server.url}/accounts/signup/")
    page.locator("#id_email").fill("ada@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    [message] = [m for m in mail.outbox if m.to == ["ada@example.org"]]
    confirm = re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body)[0]
    page.goto(confirm)
    page.get_by_role("button", name="Confirm").click()

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_login").fill("ada@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="My submissions")).to_be_visible()

    page.goto(f"{live_server.url}/workshops/tensor-days/submit/")
    # The browser runs in Europe/Paris: 23:59 AoE is 12:59 CET the next day.
    expect(page.get_by_test_id("deadline")).to_contain_text("15 March 2031, 23:59 AoE")
    expect(page.get_by_test_id("deadline")).to_contain_text("your time:")
    expect(page.get_by_test_id("deadline")).to_contain_text("12:59")

    page.locator("#id_title").fill("Tensor trains in practice")
    page.locator("#id_abstract").fill("word " * 21)
    expect(page.get_by_text("21 / 20 words")).to_be_visible()
    page.locator("#id_abstract").fill("We train *tensor* networks.")
    expect(page.get_by_text("4 / 20 words")).to_be_visible()

    # A new account has no name yet: the submitter's row has her address, she adds her name.
    expect(page.get_by_test_id("author-row").get_by_label("Email")).to_have_value("ada@example.org")
    page.get_by_test_id("author-row").get_by_label("Name").fill("Ada Lovelace")
    page.get_by_role("button", name="Add an author").click()
    rows = page.get_by_test_id("author-row")
    expect(rows).to_have_count(2)
    expect(page.locator("#id_title")).to_have_value("Tensor trains in practice")
    rows.nth(1).get_by_label("Name").fill("Emmy Noether")
    rows.nth(1).get_by_label("Email").fill("emmy@example.org")
    page.get_by_role("button", name="Move author 2 up").click()
    expect(page.get_by_test_id("author-row").nth(0).get_by_label("Name")).to_have_value(
        "Emmy Noether"
    )
    page.get_by_role("button", name="Submit", exact=True).click()

    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    expect(page.get_by_test_id("abstract").locator("em")).to_have_text("tensor")
    submission = Submission.objects.get()
    assert [a.email for a in submission.authors.all()] == ["emmy@example.org", "ada@example.org"]
    assert any(m.to == ["emmy@example.org"] for m in mail.outbox)
