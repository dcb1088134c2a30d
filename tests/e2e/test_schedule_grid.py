"""The organizer on the schedule grid: moves a talk with the keyboard alone (the speaker
conflict it makes appears at once, an undo clears it), drags blocks, an unplaced talk and a
block's edge, adds an item from an empty slot in a dialog and opens one with Enter."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from schedule.models import Room, ScheduleItem
from tests.factories import (
    OrganizerFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
)
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-organizer-1"


@dataclass
class Desk:
    workshop: Workshop
    amphi: Room
    hall: Room

    def at(self, hour: int, minute: int = 0) -> dt.datetime:
        return self.workshop.local_datetime(self.workshop.start_date, dt.time(hour, minute))


@pytest.fixture
def desk(live_server, page) -> Desk:
    """A one-day workshop in Paris with two rooms, and its organizer logged in to the admin."""
    organizer = OrganizerFactory(email="chair@example.org", password=PASSWORD)
    workshop = WorkshopFactory(
        title="Grid Workshop", time_zone="Europe/Paris", start_date=dt.date(2030, 3, 4),
        end_date=dt.date(2030, 3, 4), organizers=[organizer],
    )  # fmt: skip
    amphi = RoomFactory(workshop=workshop, name="Amphi", order=1)
    hall = RoomFactory(workshop=workshop, name="Hall", order=2)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    return Desk(workshop, amphi, hall)


def test_keyboard_only_move_shows_the_conflict_and_undo_clears_it(live_server, page, desk):
    workshop, amphi, hall, at = desk.workshop, desk.amphi, desk.hall, desk.at
    ada = SpeakerProfileFactory(name="Ada Lovelace")

    talk = ScheduleItemFactory(
        workshop=workshop, title="Engines", room=amphi, start=at(9), end=at(9, 30), speakers=[ada]
    )
    ScheduleItemFactory(
        workshop=workshop, title="Looms", room=hall, start=at(11), end=at(11, 30), speakers=[ada]
    )
    page.goto(f"{live_server.url}/admin/workshops/workshop/{workshop.pk}/schedule/")
    page.get_by_role("link", name="Grid view").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("No conflicts.")).to_be_visible()

    # Item: the first (Engines); the day stays; start 11:10; no end; room: Hall. Enter moves it.
    page.get_by_label("Item", exact=True).focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # the day: Mon 4 Mar already
    page.keyboard.press("Tab")
    page.keyboard.type("11:10")
    page.keyboard.press("Tab")  # the end: empty, the item keeps its length
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


def test_dragging_moves_a_block_and_places_an_unplaced_talk(live_server, page, desk):
    workshop, amphi, hall, at = desk.workshop, desk.amphi, desk.hall, desk.at

    talk = ScheduleItemFactory(
        workshop=workshop, title="Engines", room=amphi, start=at(9), end=at(9, 30)
    )
    ScheduleItemFactory(workshop=workshop, title="Looms", room=amphi, start=at(12), end=at(12, 30))
    later = ScheduleItemFactory(
        workshop=workshop, title="Later", start=None, end=None, duration=dt.timedelta(minutes=45)
    )
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


def test_a_new_item_from_an_empty_slot_and_a_blocks_edge_dragged_longer(live_server, page, desk):
    workshop, hall, at = desk.workshop, desk.hall, desk.at

    talk = ScheduleItemFactory(
        workshop=workshop, title="Engines", room=hall, start=at(9), end=at(9, 30)
    )
    page.goto(f"{live_server.url}/admin/workshops/workshop/{workshop.pk}/change/")
    page.get_by_role("link", name="Schedule grid").click()

    # The bottom edge of Engines (09:00–09:30) onto the 09:45 slot: it ends at 10:00.
    edge = page.locator(f'[data-resize="{talk.pk}"]')
    edge.drag_to(page.locator(f'.grid-cell[data-start="09:45"][data-room="{hall.pk}"]'))
    expect(page.get_by_text("“Engines” moved to Mon 4 March, 09:00–10:00, Hall.")).to_be_visible()
    talk.refresh_from_db()
    assert talk.end == at(10)

    # A click on the empty 10:00 slot of the Hall opens a new item there, in a modal dialog.
    page.locator(f'.grid-cell[data-start="10:00"][data-room="{hall.pk}"]').click()
    dialog = page.get_by_role("dialog", name="New item")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Start:")).to_have_value("10:00")
    dialog.get_by_label("Title:").fill("Looms")
    dialog.get_by_label("End:").fill("10:40")
    dialog.get_by_label("New speaker:").fill("Ada Lovelace")
    dialog.get_by_role("button", name="Save").click()

    expect(page.get_by_text("“Looms” added.")).to_be_visible()
    block = page.locator(".grid-block", has_text="Looms")
    expect(block).to_contain_text("10:00–10:40 · Hall")
    expect(block).to_contain_text("Ada Lovelace")

    # Enter on a block opens it; Escape closes the dialog and leaves the item as it was.
    block.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Edit “Looms”")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    looms = ScheduleItem.objects.get(title="Looms")
    assert (looms.start, looms.end, looms.room) == (at(10), at(10, 40), hall)
    assert [s.name for s in looms.speakers.all()] == ["Ada Lovelace"]
