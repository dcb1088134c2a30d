"""A visitor reads the LoRAINNe'24 schedule in a real browser, in the workshop's zone or theirs."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

# The seed's tentative schedule (day, time, session), as the page must read it.
DAY_1 = [
    ("13:45–14:00", "Registration"),
    ("14:00–14:15", "Opening remarks"),
    ("14:15–15:15", "Overview of tensor decompositions and some applications to wireless"),
    ("15:15–15:45", "Decoupling multivariate functions using tensors"),
    ("15:45–16:15", "Coffee break"),
    ("16:15–17:15", "Francesco Tudisco"),
    ("17:15–17:30", "Spotlight posters"),
    ("17:30–19:00", "Cocktail + posters"),
]
DAY_2 = [
    ("09:00–09:30", "Welcome coffee"),
    ("09:30–10:30", "Low rank approximation of moment matrices and tensors"),
    ("10:30–11:00", "Implicit Regularization in Regularized (Nonnegative) Low-Rank"),
    ("11:00–11:30", "Coffee break"),
    ("11:30–12:30", "Julia Gusak"),
    ("12:30–14:00", "Lunch break"),
    ("14:00–15:00", "Study of a few properties of LLM pruning"),
    ("15:00–15:30", "Invited talk"),
    ("15:30–16:00", "Invited talk"),
    ("16:00–17:00", "Farewell coffee break"),
]


def test_visitor_reads_the_lorainne_schedule_day_by_day(live_server, page):
    call_command("load_demo", verbosity=0)
    page.goto(f"{live_server.url}/workshops/lorainne24/")
    page.get_by_role("link", name="Schedule", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tentative schedule")
    expect(page.get_by_test_id("tentative-banner")).to_be_visible()
    days = page.get_by_test_id("schedule-day")
    expect(days).to_have_count(2)
    expect(days.nth(0).get_by_role("heading", level=2)).to_have_text("Tue 26 Nov (Day 1)")
    expect(days.nth(1).get_by_role("heading", level=2)).to_have_text("Wed 27 Nov (Day 2)")
    for day, expected in ((days.nth(0), DAY_1), (days.nth(1), DAY_2)):
        rows = day.locator("tbody tr")
        expect(rows).to_have_count(len(expected))
        for n, (times, session) in enumerate(expected):
            expect(rows.nth(n).locator("td").first).to_have_text(times)
            expect(rows.nth(n)).to_contain_text(session)
    talk = days.nth(0).locator("tbody tr").nth(2)
    expect(talk).to_contain_text("André de Almeida (Federal University of Ceara, Fortaleza)")
    # Breaks read as breaks: their own row style, not a link to a talk page.
    coffee = days.nth(0).locator("tbody tr").nth(4)
    expect(coffee).to_have_class(re.compile(r"\bschedule-row-break\b"))
    assert coffee.get_by_role("link").count() == 0

    # The day tabs jump to each day.
    page.get_by_role("link", name="Wed 27 Nov").click()
    expect(page).to_have_url(re.compile(r"#day-2024-11-27$"))


def test_visitor_switches_to_their_own_time_zone(live_server, browser):
    call_command("load_demo", verbosity=0)
    context = browser.new_context(locale="en-GB", timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/workshops/lorainne24/schedule/")
        first_day = page.get_by_test_id("schedule-day").nth(0)
        registration = first_day.locator("tbody tr").nth(0).locator("td").first
        expect(registration).to_have_text("13:45–14:00")

        page.get_by_role("button", name="Show times in my time zone").click()
        # 13:45 in Paris (CET) is 07:45 in New York (EST).
        expect(registration).to_have_text("07:45–08:00")
        expect(page.get_by_text("Times are in your time zone (America/New_York).")).to_be_visible()
        toggle = page.get_by_role("button", name="Show times in Europe/Paris")
        expect(toggle).to_have_attribute("aria-pressed", "true")
        toggle.click()
        expect(registration).to_have_text("13:45–14:00")
    finally:
        context.close()


def test_visitor_opens_a_talk_and_its_calendar_file(live_server, page):
    call_command("load_demo", verbosity=0)
    page.goto(f"{live_server.url}/workshops/lorainne24/schedule/")
    page.get_by_role("link", name=re.compile("^Implicit Regularization")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Implicit Regularization")
    expect(page.get_by_test_id("item-time")).to_have_text("Wednesday 27 November 2024, 10:30–11:00")
    expect(page.get_by_test_id("item-speakers")).to_have_text("Jérémy Cohen (CNRS-CREATIS, Lyon)")
    expect(page.get_by_role("heading", name="Abstract")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("item-ics").click()
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in body
    assert "DTSTART;TZID=Europe/Paris:20241127T103000" in body
