"""An organizer enters a real programme by import, in Chromium: from the admin index to the
workshop's schedule page, “Import a programme”, paste the LoRAINNe'24 table, check the
preview, import, publish, and read the public schedule and its .ics.

Run with ``-s`` to see how long the organizer's part took (the issue's “under 2 minutes”).
"""

from __future__ import annotations

import datetime as dt
import time

import icalendar
import pytest
from playwright.sync_api import expect

from schedule.models import ScheduleItem
from tests.factories import OrganizerFactory, WorkshopFactory
from tests.schedule.test_import import LORAINNE

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-organizer-1"
# A poster session with no end, as real programmes have: “from 17:00”.
TABLE = LORAINNE + "Wed 27 Nov,17:00,Poster session,,Hall\n"


def test_organizer_imports_publishes_and_the_public_reads_it(live_server, page):
    organizer = OrganizerFactory(email="chair@example.org", password=PASSWORD)
    workshop = WorkshopFactory(
        title="LoRAINNe'24", short_title="LoRAINNe'24", slug="lorainne-import",
        time_zone="Europe/Paris", start_date=dt.date(2024, 11, 26),
        end_date=dt.date(2024, 11, 27), published=True, organizers=[organizer],
        venue_name="IDMC", city="Nancy",
    )  # fmt: skip
    started = time.monotonic()
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("#workshops-workshop").get_by_role("link", name="Workshops").click()
    page.get_by_role("link", name="LoRAINNe'24").first.click()
    page.locator("#content-main").get_by_role("link", name="Schedule", exact=True).first.click()
    page.get_by_role("link", name="Import a programme (CSV, XLSX, frab XML or JSON)").click()

    page.get_by_label("…or paste the table").fill(TABLE)
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="19 items to import")).to_be_visible()
    preview = page.get_by_test_id("import-preview")
    expect(preview.locator("tbody tr")).to_have_count(19)
    expect(preview).to_contain_text("Wed 27 Nov, 17:00, open-ended")
    assert ScheduleItem.objects.filter(workshop=workshop).count() == 0  # the preview wrote nothing

    page.get_by_role("button", name="Import 19 items").click()
    expect(page.get_by_text("19 item(s) imported.")).to_be_visible()
    page.get_by_label("Version").fill("v1")
    page.get_by_label("Status").select_option("tentative")
    page.get_by_role("button", name="Publish release").click()
    expect(page.get_by_text("published", exact=False).first).to_be_visible()
    organizer_seconds = time.monotonic() - started
    print(f"\nimport journey: {organizer_seconds:.1f} s from the admin login to the release")

    page.goto(f"{live_server.url}/workshops/{workshop.slug}/schedule/")
    days = page.get_by_test_id("schedule-day")
    expect(days).to_have_count(2)
    first = days.nth(0).locator("tbody tr")
    expect(first).to_have_count(8)
    expect(first.nth(0)).to_contain_text("13:45–14:00")
    expect(first.nth(2)).to_contain_text("André de Almeida")
    expect(days.nth(1).locator("tbody tr").last).to_contain_text("from 17:00")
    ics = page.request.get(f"{live_server.url}/workshops/{workshop.slug}/schedule.ics")
    events = icalendar.Calendar.from_ical(ics.body()).walk("VEVENT")
    assert len(events) == 19
    posters = next(e for e in events if str(e["SUMMARY"]) == "Poster session")
    assert "DTEND" not in posters
