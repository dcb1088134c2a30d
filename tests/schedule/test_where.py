"""One answer to “where”: the pages and every export name an item's place the same way.

An item's place is its room; without one it is “All rooms” while the workshop has rooms, else
the venue's name, or nothing at all (never “To be announced” on one page and a city in the
calendar). The frab formats need a room name: the workshop's title stands in for a venue that
is not given.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import icalendar
import pytest
from django.urls import reverse

from tests.factories import RoomFactory, ScheduleItemFactory, WorkshopFactory, release_schedule

pytestmark = pytest.mark.django_db


def make_workshop(**fields):
    fields = {
        "slug": "where", "title": "Where Workshop", "time_zone": "Europe/Berlin",
        "schedule_status": "final", "start_date": dt.date(2030, 6, 3),
        "end_date": dt.date(2030, 6, 3), "venue_name": "", "venue_address": "",
        "city": "Bonn", "country": "Germany", **fields,
    }  # fmt: skip
    return WorkshopFactory(**fields)


def at(workshop, hour: int, minute: int = 0) -> dt.datetime:
    return workshop.local_datetime(workshop.start_date, dt.time(hour, minute))


def get(client, workshop, name: str, *args) -> bytes:
    response = client.get(reverse(f"schedule:{name}", args=[workshop.slug, *args]))
    assert response.status_code == 200
    return response.content


def places(client, workshop, item) -> dict[str, object]:
    """What each output says of ``item``'s place."""
    page = get(client, workshop, "schedule_item", item.pk).decode()
    document = json.loads(get(client, workshop, "schedule_json"))
    [day] = document["schedule"]["conference"]["days"]
    [json_room] = [
        name for name, events in day["rooms"].items() if any(e["id"] == item.pk for e in events)
    ]
    events = icalendar.Calendar.from_ical(get(client, workshop, "schedule_ics")).walk("VEVENT")
    [event] = [e for e in events if str(e["SUMMARY"]) == item.title]
    rows = csv.DictReader(io.StringIO(get(client, workshop, "schedule_csv").decode("utf-8-sig")))
    [row] = [r for r in rows if r["title"] == item.title]
    xml = get(client, workshop, "schedule_xml").decode()
    return {
        "page": 'data-testid="item-room"' in page,
        "json": json_room,
        "xml": f'<room name="{json_room}"' in xml,
        "ics": str(event.get("LOCATION", "")),
        "csv": row["room"],
        "page_text": page,
    }


def test_without_rooms_every_output_names_the_venue(client):
    workshop = make_workshop(venue_name="Universitätsclub")
    talk = ScheduleItemFactory(workshop=workshop, start=at(workshop, 9), end=at(workshop, 10))
    release_schedule(workshop)

    said = places(client, workshop, talk)

    assert said["page"] and 'data-testid="item-room">Universitätsclub</dd>' in said["page_text"]
    assert (said["json"], said["xml"], said["ics"], said["csv"]) == (
        "Universitätsclub", True, "Universitätsclub", "Universitätsclub",
    )  # fmt: skip


def test_without_rooms_or_venue_no_output_invents_a_place(client):
    workshop = make_workshop()
    talk = ScheduleItemFactory(workshop=workshop, start=at(workshop, 9), end=at(workshop, 10))
    release_schedule(workshop)

    said = places(client, workshop, talk)

    assert not said["page"]
    assert "To be announced" not in said["page_text"]
    assert (said["ics"], said["csv"]) == ("", "")
    # frab needs a room name: the workshop's title, not "Main room" nor the city.
    assert (said["json"], said["xml"]) == ("Where Workshop", True)


def test_with_rooms_an_item_without_one_is_in_all_rooms_everywhere(client):
    workshop = make_workshop(venue_name="IDMC")
    amphi = RoomFactory(workshop=workshop, name="Amphi")
    ScheduleItemFactory(
        workshop=workshop, title="Morning talk", room=amphi,
        start=at(workshop, 11), end=at(workshop, 12),
    )  # fmt: skip
    lunch = ScheduleItemFactory(
        workshop=workshop, kind="meal", title="Lunch", room=None,
        start=at(workshop, 12), end=at(workshop, 13),
    )  # fmt: skip
    release_schedule(workshop)

    said = places(client, workshop, lunch)

    assert (said["json"], said["ics"], said["csv"]) == ("All rooms", "All rooms, IDMC", "All rooms")


def test_the_venue_line_never_begins_with_a_comma(client):
    workshop = make_workshop(published=True)
    page = client.get(workshop.get_absolute_url()).content.decode()
    line = page.split('data-testid="workshop-venue">', 1)[1].split("</dd>", 1)[0]
    assert line.strip().startswith("Bonn, Germany")


def test_no_badge_repeats_the_title(client):
    workshop = make_workshop()
    opening = ScheduleItemFactory(
        workshop=workshop, kind="opening", title="Opening", start=at(workshop, 9),
        end=at(workshop, 9, 15),
    )  # fmt: skip
    ScheduleItemFactory(
        workshop=workshop, kind="keynote", title="On tensors", start=at(workshop, 9, 15),
        end=at(workshop, 10),
    )  # fmt: skip
    release_schedule(workshop)

    schedule = get(client, workshop, "schedule").decode()
    item_page = get(client, workshop, "schedule_item", opening.pk).decode()

    assert "schedule-kind-opening" not in schedule
    assert "schedule-kind-keynote" in schedule  # a title that does not say its kind keeps it
    assert "schedule-kind-opening" not in item_page
