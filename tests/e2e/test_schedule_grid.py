"""The organizer moves a talk on the schedule grid with the keyboard alone, sees the speaker
conflict it makes appear at once, and undoes the move."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from schedule.models import ScheduleItem
from tests.factories import (
    OrganizerFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-organizer-1"


def test_keyboard_only_move_shows_the_conflict_and_undo_clears_it(live_server, page):
    organizer = OrganizerFactory(email="chair@example.org", password=PASSWORD)
    workshop = WorkshopFactory(
        title="Grid Workshop", time_zone="Europe/Paris", start_date=dt.date(2030, 3, 4),
        end_date=dt.date(2030, 3, 4), organizers=[organizer],
    )  # fmt: skip
    amphi = RoomFactory(workshop=workshop, name="Amphi", order=1)
    hall = RoomFactory(workshop=workshop, name="Hall", order=2)
    ada = SpeakerProfileFactory(name="Ada Lovelace")

    def at(hour, minute=0):
        return workshop.local_datetime(workshop.start_date, dt.time(hour, minute))

    talk = ScheduleItemFactory(
        workshop=workshop, title="Engines", room=amphi, start=at(9), end=at(9, 30), speakers=[ada]
    )
    ScheduleItemFactory(
        workshop=workshop, title="Looms", room=hall, start=at(11), end=at(11, 30), speakers=[ada]
    )
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/workshops/workshop/{workshop.pk}/schedule/")
    page.get_by_role("link", name="Grid view").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("No conflicts.")).to_be_visible()

    # Item: the first (Engines); the day stays; start 11:10; room: Hall. Enter moves it.
    page.get_by_label("Item", exact=True).focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # the day: Mon 4 Mar already
    page.keyboard.press("Tab")
    page.keyboard.type("11:10")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # All rooms → Amphi → Hall
    page.get_by_label("Start", exact=True).focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("“Engines” moved to Mon 4 March, 11:10–11:40, Hall.")).to_be_visible()
    block = page.locator(f'.grid-block[data-item="{talk.pk}"]')
    expect(block).to_have_class(re.compile(r"\bhas-conflict\b"))
    expect(page.locator("#conflicts")).to_contain_text("Ada Lovelace is in “Looms” and “Engines”")
    talk.refresh_from_db()
    assert (talk.start, talk.room) == (at(11, 10), hall)

    page.get_by_role("button", name="Undo the last move").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Undone: “Engines” is back")).to_be_visible()
    expect(page.locator("#conflicts")).to_contain_text("No conflicts.")
    assert ScheduleItem.objects.get(pk=talk.pk).start == at(9)


def test_dragging_moves_a_block_and_places_an_unplaced_talk(live_server, page):
    organizer = OrganizerFactory(email="chair@example.org", password=PASSWORD)
    workshop = WorkshopFactory(
        title="Drag Workshop", time_zone="Europe/Paris", start_date=dt.date(2030, 3, 4),
        end_date=dt.date(2030, 3, 4), organizers=[organizer],
    )  # fmt: skip
    amphi = RoomFactory(workshop=workshop, name="Amphi", order=1)
    hall = RoomFactory(workshop=workshop, name="Hall", order=2)

    def at(hour, minute=0):
        return workshop.local_datetime(workshop.start_date, dt.time(hour, minute))

    talk = ScheduleItemFactory(
        workshop=workshop, title="Engines", room=amphi, start=at(9), end=at(9, 30)
    )
    ScheduleItemFactory(workshop=workshop, title="Looms", room=amphi, start=at(12), end=at(12, 30))
    later = ScheduleItemFactory(
        workshop=workshop, title="Later", start=None, end=None, duration=dt.timedelta(minutes=45)
    )
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/workshops/workshop/{workshop.pk}/schedule/grid/")

    hall_1030 = page.locator(f'.grid-cell[data-start="10:30"][data-room="{hall.pk}"]')
    page.locator(f'.grid-block[data-item="{talk.pk}"]').drag_to(hall_1030)

    expect(page.get_by_text("“Engines” moved to Mon 4 March, 10:30–11:00, Hall.")).to_be_visible()
    talk.refresh_from_db()
    assert (talk.start, talk.end, talk.room) == (at(10, 30), at(11), hall)

    amphi_1100 = page.locator(f'.grid-cell[data-start="11:00"][data-room="{amphi.pk}"]')
    page.locator(f'.grid-side [data-item="{later.pk}"]').drag_to(amphi_1100)

    expect(page.get_by_text("“Later” moved to Mon 4 March, 11:00–11:45, Amphi.")).to_be_visible()
    expect(page.get_by_text("Every item has a slot.")).to_be_visible()
    later.refresh_from_db()
    assert (later.start, later.end, later.room) == (at(11), at(11, 45), amphi)

    # Onto the "all rooms" band: out of its room, across all of them.
    band = page.locator('.grid-cell[data-start="10:15"][data-room=""]')
    page.locator(f'.grid-block[data-item="{later.pk}"]').drag_to(band)

    expect(
        page.get_by_text("“Later” moved to Mon 4 March, 10:15–11:00, all rooms.")
    ).to_be_visible()
    later.refresh_from_db()
    assert (later.start, later.room) == (at(10, 15), None)
