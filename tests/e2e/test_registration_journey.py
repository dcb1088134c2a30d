"""Three people register for a two-seat workshop; one cancels from her mail; the next moves up."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from outbox.models import OutgoingMail
from registration.models import Registration
from tests.factories import RegistrationSettingsFactory

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = [
    ("Ada", "Lovelace", "ada@example.org"),
    ("Emmy", "Noether", "emmy@example.org"),
    ("Sofia", "Kovalevskaya", "sofia@example.org"),
]


def delivered_to(address: str, subject: str) -> str:
    """Return the body of the one mail delivered to ``address`` with ``subject``."""
    bodies = [m.body for m in mail.outbox if m.to == [address] and m.subject == subject]
    assert len(bodies) == 1, [(m.to, m.subject) for m in mail.outbox]
    return bodies[0]


def link_in(body: str) -> str:
    return re.search(r"http://\S+/registrations/\d+/\w+/", body)[0]


def test_waiting_list_moves_up_when_someone_cancels_from_her_mail(live_server, page, settings):
    settings.SITE_URL = live_server.url  # the links in the mails point at this server
    RegistrationSettingsFactory(
        capacity=2,
        waitlist_enabled=True,
        show_remaining_seats=True,
        workshop__title="Tensor Days",
        workshop__slug="tensor-days",
    )
    register_url = f"{live_server.url}/workshops/tensor-days/register/"
    seats_before = ["2 seats left.", "1 seat left.", "The workshop is full."]
    statuses = ["Confirmed", "Confirmed", "On the waiting list — position 1 on the waiting list"]

    for (first, last, email), seats, status in zip(PEOPLE, seats_before, statuses, strict=True):
        page.goto(register_url)
        expect(page.get_by_test_id("registration-state")).to_contain_text(seats)
        page.get_by_label("First name").fill(first)
        page.get_by_label("Last name").fill(last)
        page.get_by_label("Email").fill(email)
        page.get_by_label("Affiliation").fill("Université de Lorraine")
        page.get_by_label("Career stage").select_option(label="PhD student")
        page.get_by_role("button", name="Register").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your registration")
        expect(page.get_by_test_id("registration-status")).to_have_text(status)

    emmy, sofia = (Registration.objects.get(email=email) for _, _, email in PEOPLE[1:])
    ada_link = link_in(delivered_to("ada@example.org", "Your seat at Tensor Days is confirmed"))
    sofia_link = link_in(
        delivered_to("sofia@example.org", "You are on the waiting list for Tensor Days")
    )

    page.goto(ada_link)
    expect(page.get_by_test_id("registration-status")).to_have_text("Confirmed")
    page.get_by_role("button", name="Cancel my registration…").click()
    expect(page.get_by_test_id("confirm-cancel")).to_contain_text("This cannot be undone")
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_role("status").first).to_contain_text("Your registration is cancelled.")
    expect(page.get_by_test_id("registration-status")).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Cancel my registration…")).to_have_count(0)

    page.goto(sofia_link)
    expect(page.get_by_test_id("registration-status")).to_have_text("Confirmed")
    expect(page.get_by_text(sofia.checkin_code)).to_be_visible()

    assert dict(Registration.objects.values_list("email", "status")) == {
        "ada@example.org": "cancelled",
        "emmy@example.org": "confirmed",
        "sofia@example.org": "confirmed",
    }
    promoted = OutgoingMail.objects.get(key=f"registration-promoted:{sofia.pk}")
    assert (promoted.to, promoted.status) == ("sofia@example.org", OutgoingMail.Status.SENT)
    body = delivered_to("sofia@example.org", "You're in: a seat at Tensor Days is yours")
    assert f"Your check-in code is {sofia.checkin_code}." in body
    assert link_in(body) == sofia_link
    assert emmy.status == "confirmed"
