"""The schedule grid: blocks as long as their items, rooms as columns, items without a room
across every room, open-ended items to the day's end (faded), conflicts on the blocks, the
unplaced items beside it; the page only for the workshop's own organizers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schedule import conflicts
from schedule.grid import day_grid
from tests.factories import (
    OrganizerFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
)
from tests.schedule.slots import at, item

pytestmark = pytest.mark.django_db


def layout(workshop, step=15):
    items = list(conflicts.schedule_queryset(workshop))
    found = conflicts.find_conflicts(workshop, items=items)
    rooms = list(workshop.rooms.all())
    return day_grid(workshop.start_date, items, rooms, found, tz=workshop.tz, step=step)


def test_blocks_are_as_long_as_their_items_in_their_rooms_column(workshop):
    amphi = RoomFactory(workshop=workshop, name="Amphi", order=1)
    hall = RoomFactory(workshop=workshop, name="Hall", order=2)
    talk = item(workshop, "09:00", "09:45", room=amphi, title="Talk")
    coffee = item(workshop, "09:45", "10:15", room=None, kind="break", title="Coffee")
    posters = item(workshop, "16:30", None, room=hall, kind="poster_session", title="Posters")

    grid = layout(workshop)
    blocks = {b.item.pk: b for b in grid.blocks}

    assert grid.rooms == ["All rooms", "Amphi", "Hall"]
    # 09:00 is the first row after the header; 15-minute rows.
    assert (blocks[talk.pk].row, blocks[talk.pk].rows, blocks[talk.pk].column) == (2, 3, 3)
    assert (blocks[coffee.pk].row, blocks[coffee.pk].rows) == (5, 2)
    # The "all rooms" band and every room.
    assert (blocks[coffee.pk].column, blocks[coffee.pk].columns) == (2, 3)
    # Open-ended: to the grid's end (18:00: its start plus an hour, to the hour), faded.
    assert blocks[posters.pk].open_ended and blocks[posters.pk].when == "from 16:30"
    assert blocks[posters.pk].row + blocks[posters.pk].rows == grid.rows + 1
    assert blocks[posters.pk].column == 4
    # A slot to drop on in the band (room "") and in each room, for each row.
    assert {c.room for c in grid.cells if c.start == "09:00"} == {"", str(amphi.pk), str(hall.pk)}
    assert grid.times[0].text == "09:00" and grid.times[-1].text == "18:45"  # an hour to add more


def test_without_rooms_the_grid_is_one_column_for_all(workshop):
    coffee = item(workshop, "10:00", "10:30", room=None, kind="break", title="Coffee")
    grid = layout(workshop)
    [block] = grid.blocks
    assert grid.rooms == ["All rooms"] and (block.column, block.columns) == (2, 1)
    assert "repeat(0" not in grid.style and block.item == coffee
    assert {c.room for c in grid.cells} == {""}


def test_the_step_changes_the_rows_and_odd_times_still_cover_their_rows(workshop):
    odd = item(workshop, "09:07", "09:20")
    five = {b.item.pk: b for b in layout(workshop, step=5).blocks}[odd.pk]
    thirty = {b.item.pk: b for b in layout(workshop, step=30).blocks}[odd.pk]
    assert (five.row, five.rows) == (3, 3)  # 09:05–09:20
    assert (thirty.row, thirty.rows) == (2, 1)
    assert layout(workshop, step=7).step == 15  # not a step on offer


def test_conflicting_blocks_carry_their_conflicts(workshop):
    amphi = RoomFactory(workshop=workshop, name="Amphi")
    one = item(workshop, "09:00", "10:00", room=amphi, title="One")
    two = item(workshop, "09:30", "10:30", room=amphi, title="Two")
    item(workshop, "11:00", "11:30", room=amphi, title="Fine")
    marked = {b.item.title: len(b.conflicts) for b in layout(workshop).blocks}
    assert marked == {"One": 1, "Two": 1, "Fine": 0}
    assert {one.pk, two.pk} == set(layout(workshop).blocks[0].conflicts[0].item_ids)


def grid_url(workshop, **query) -> str:
    url = reverse("admin:workshops_workshop_schedule_grid", args=[workshop.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_grid_page_draws_a_day_and_lists_the_unplaced(client, alice, workshop):
    amphi = RoomFactory(workshop=workshop, name="Amphi")
    talk = item(workshop, "09:00", "09:30", room=amphi, title="Engines")
    ScheduleItemFactory(workshop=workshop, title="Later", start=at(workshop, "10:00", day=1),
                        end=at(workshop, "11:00", day=1))  # fmt: skip
    ScheduleItemFactory(
        workshop=workshop, title="Unplaced", start=None, end=None, duration=dt.timedelta(minutes=30)
    )
    client.force_login(alice)
    desk = client.get(reverse("admin:workshops_workshop_schedule", args=[workshop.pk]))
    assert grid_url(workshop) in desk.content.decode()  # reachable from the schedule page

    with CaptureQueriesContext(connection) as queries:
        page = client.get(grid_url(workshop)).content.decode()

    assert "Monday 4 March 2030" in page
    block = re.search(r'<a class="grid-block[^"]*"\s+style="([^"]+)"\s+href="([^"]+)"', page)
    assert block[1] == "grid-row: 2 / span 2; grid-column: 3 / span 1;"
    assert block[2] == f"?day=2030-03-04&amp;step=15&amp;edit={talk.pk}"  # opens its dialog
    drawn = page.split('data-testid="schedule-grid"')[1].split('id="unplaced-heading"')[0]
    assert "Engines" in drawn and "Later" not in drawn  # another day
    assert "Unplaced</a> (30 min)" in page
    assert len(queries) < 20
    tuesday = client.get(grid_url(workshop, day="2030-03-05", step=30)).content.decode()
    assert "Tuesday 5 March 2030" in tuesday and ">Later<" in tuesday
    assert client.get(grid_url(workshop, day="nonsense", step="x")).status_code == 200


def test_another_organizer_gets_no_grid(client, workshop):
    client.force_login(OrganizerFactory(email="bob@example.org"))
    assert client.get(grid_url(workshop)).status_code == 404


CONFLICTED = re.compile(r'class="grid-block[^"]*has-conflict')


def move(client, workshop, item, day, start, room=None):
    return client.post(
        grid_url(workshop),
        {
            "_move": "1",
            "item": item.pk,
            "day": day,
            "start": start,
            "room": room.pk if room else "",
        },
    )


def test_an_item_moves_by_keyboard_keeping_its_length_and_the_move_can_be_undone(
    client, alice, workshop
):
    amphi, hall = (RoomFactory(workshop=workshop, name=n) for n in ("Amphi", "Hall"))
    ada = SpeakerProfileFactory(name="Ada")
    talk = item(workshop, "09:00", "09:45", room=amphi, title="Engines", speakers=[ada])
    item(workshop, "11:00", "11:30", room=hall, title="Looms", speakers=[ada])
    client.force_login(alice)

    moved = move(client, workshop, talk, "2030-03-04", "11:15", hall)

    assert moved.status_code == 302
    assert moved.url == grid_url(workshop, day="2030-03-04", step=15)
    talk.refresh_from_db()
    assert (talk.start, talk.end, talk.room) == (at(workshop, "11:15"), at(workshop, "12:00"), hall)
    said = [m.message for m in get_messages(moved.wsgi_request)]
    assert "“Engines” moved to Mon 4 March, 11:15–12:00, Hall." in said
    assert any("Ada is in “Looms” and “Engines” at once" in m for m in said)  # appears at once
    page = client.get(moved.url).content.decode()
    assert 'value="Undo the last move"' in page and CONFLICTED.search(page)

    undone = client.post(grid_url(workshop, day="2030-03-04"), {"_undo": "1"})

    assert undone.status_code == 302
    talk.refresh_from_db()
    assert (talk.start, talk.end, talk.room) == (
        at(workshop, "09:00"),
        at(workshop, "09:45"),
        amphi,
    )
    assert not CONFLICTED.search(client.get(undone.url).content.decode())  # and disappears
    assert 'value="Undo the last move"' not in client.get(undone.url).content.decode()


def test_an_unplaced_talk_is_placed_with_its_planned_length(client, alice, workshop):
    talk = ScheduleItemFactory(
        workshop=workshop, title="Later", start=None, end=None, duration=dt.timedelta(minutes=40)
    )
    client.force_login(alice)
    move(client, workshop, talk, "2030-03-05", "14:00")
    talk.refresh_from_db()
    assert (talk.start, talk.end, talk.room) == (
        at(workshop, "14:00", day=1), at(workshop, "14:40", day=1), None,
    )  # fmt: skip


def test_a_move_needs_a_real_item_day_and_time(client, alice, workshop):
    other = WorkshopFactory(organizers=[alice])
    foreign = ScheduleItemFactory(workshop=other, start=None, end=None)
    mine = item(workshop, "09:00", "09:30")
    client.force_login(alice)
    for data, message in (
        ({"item": foreign.pk, "day": "2030-03-04", "start": "10:00"}, "Item:"),
        ({"item": mine.pk, "day": "2031-01-01", "start": "10:00"}, "Day:"),
        ({"item": mine.pk, "day": "2030-03-04", "start": "25:61"}, "Start:"),
    ):
        response = client.post(grid_url(workshop), {"_move": "1", "room": "", **data})
        assert response.status_code == 200
        assert message in response.content.decode()
    mine.refresh_from_db()
    foreign.refresh_from_db()
    assert mine.start == at(workshop, "09:00") and foreign.start is None
