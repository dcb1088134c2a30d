"""All-day items: a day and no times (an excursion, a poster exhibition), told truthfully.

The model keeps a day or times, never both; they clash with nothing (only a day outside the
workshop's dates is a conflict); the public pages say “All day” first in the day; iCalendar
gives a DATE alone, frab XML and JSON the day's programme (and still validate), CSV no times;
the grid shows them in a strip above the day and an item dropped there becomes all day; an
import row with a day and no times is one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import icalendar
import pytest
import xmlschema
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from schedule import changes
from schedule.conflicts import find_conflicts
from schedule.models import ScheduleItem
from tests.factories import RoomFactory, ScheduleItemFactory, release_schedule
from tests.schedule.slots import at, item
from tests.workshops.test_schedule_exports import XSD, calendar_events, check_json_schema

pytestmark = pytest.mark.django_db


def all_day(workshop, title: str, day: int = 0, **kwargs) -> ScheduleItem:
    return ScheduleItemFactory(
        workshop=workshop,
        title=title,
        start=None,
        end=None,
        day=workshop.start_date + dt.timedelta(days=day),
        **kwargs,
    )


def test_an_item_has_a_day_or_times_never_both(workshop):
    both = ScheduleItem(
        workshop=workshop, title="Both", day=workshop.start_date, start=at(workshop, "09:00")
    )
    with pytest.raises(ValidationError) as error:
        both.full_clean()
    assert error.value.message_dict["day"] == [
        "An all-day item has no times: clear the day, or the start and end."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        both.save()
    trip = all_day(workshop, "Excursion")
    assert trip.all_day and trip.placed and not trip.open_ended


def test_all_day_items_clash_with_nothing_but_may_be_outside_the_dates(workshop):
    hall = RoomFactory(workshop=workshop, name="Hall")
    item(workshop, "09:00", "10:00", title="Engines", room=hall)
    all_day(workshop, "Exhibition", room=hall)
    all_day(workshop, "Excursion")
    assert find_conflicts(workshop) == []

    all_day(workshop, "Too late", day=5)

    [conflict] = find_conflicts(workshop)
    assert conflict.message == (
        "“Too late” (Sat 9 March, all day) is outside the workshop's dates (4–5 March 2030)."
    )


@pytest.fixture
def published(workshop):
    """Day one: an exhibition all day, talks 09:00–12:30. Day two: an excursion alone."""
    hall = RoomFactory(workshop=workshop, name="Hall")
    item(workshop, "09:00", "10:00", title="Engines", room=hall)
    item(workshop, "11:30", "12:30", title="Looms", room=hall)
    all_day(workshop, "Exhibition", room=hall)
    all_day(workshop, "Excursion", day=1)
    workshop.schedule_status = "final"
    workshop.save()
    release_schedule(workshop)
    return workshop


def get(client, workshop, name: str) -> bytes:
    response = client.get(reverse(f"schedule:{name}", args=[workshop.slug]))
    assert response.status_code == 200
    return response.content


def test_the_schedule_page_says_all_day_first_in_its_day(client, published):
    page = get(client, published, "schedule").decode()
    day_one = page.split("Exhibition")[0].rsplit("<tr", 1)[1]
    assert "All day" in day_one
    assert page.index("Exhibition") < page.index("Engines") < page.index("Excursion")


def test_ical_gives_a_date_alone(client, published):
    events = calendar_events(
        get(client, published, "schedule_ics"), without_end={"Exhibition", "Excursion"}
    )
    by_title = {str(e["SUMMARY"]): e for e in events}
    assert by_title["Exhibition"]["DTSTART"].dt == dt.date(2030, 3, 4)
    assert by_title["Exhibition"]["DTSTART"].params["VALUE"] == "DATE"
    assert "DTEND" not in by_title["Excursion"]
    assert by_title["Engines"]["DTSTART"].dt == at(published, "09:00")
    assert icalendar.Calendar.from_ical(get(client, published, "schedule_ics"))


def test_frab_gives_the_days_programme_and_validates(client, published, tmp_path):
    xml = get(client, published, "schedule_xml").decode()
    xmlschema.XMLSchema(str(XSD)).validate(xml)
    check_json_schema(tmp_path, get(client, published, "schedule_json"))
    days = json.loads(get(client, published, "schedule_json"))["schedule"]["conference"]["days"]
    events = {e["title"]: e for day in days for room in day["rooms"].values() for e in room}
    assert (events["Exhibition"]["start"], events["Exhibition"]["duration"]) == ("09:00", "03:30")
    # A day without timed items: from midnight to midnight (the apps take no 24:00 duration).
    assert (events["Excursion"]["start"], events["Excursion"]["duration"]) == ("00:00", "23:59")
    assert events["Excursion"]["end"] == "2030-03-06T00:00:00+01:00"
    assert days[0]["day_start"] == "2030-03-04T09:00:00+01:00"


def test_csv_gives_the_date_and_no_times(client, published):
    text = get(client, published, "schedule_csv").decode("utf-8-sig")
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(text))}
    trip = rows["Excursion"]
    assert (trip["date"], trip["start"], trip["end"], trip["duration_minutes"]) == (
        "2030-03-05",
        "",
        "",
        "",
    )


def test_a_release_says_an_item_became_all_day(workshop):
    talk = item(workshop, "09:00", "09:30", title="Engines")
    before = changes.take_snapshot([talk])
    talk.start = talk.end = None
    talk.day = workshop.start_date
    talk.save()
    diff = changes.diff_snapshots(before, changes.take_snapshot([talk]))
    [line] = changes.describe_changes(diff, workshop.tz)
    assert line.text == (
        "Moved: “Engines”, Mon 4 March, 09:00–09:30, all rooms → Mon 4 March, all day, all rooms"
    )


def grid_url(workshop, query: str = "") -> str:
    url = reverse("admin:workshops_workshop_schedule_grid", args=[workshop.pk])
    return f"{url}?{query}" if query else url


def test_the_grid_shows_the_days_all_day_items_and_a_drop_makes_one(client, alice, workshop):
    trip = all_day(workshop, "Excursion")
    talk = item(workshop, "09:00", "09:30", title="Engines")
    client.force_login(alice)
    page = client.get(grid_url(workshop, "day=2030-03-04")).content.decode()
    strip = page.split('data-testid="all-day"')[1].split('data-testid="schedule-grid"')[0]
    assert f'data-item="{trip.pk}"' in strip and "Excursion" in strip
    assert "Engines" not in strip

    # What dropping Engines on the strip posts: the day, no start.
    moved = client.post(
        grid_url(workshop),
        {"_move": "1", "item": talk.pk, "day": "2030-03-04", "start": "", "end": "", "room": ""},
    )

    said = [m.message for m in get_messages(moved.wsgi_request)]
    assert "“Engines” moved to Mon 4 March, all day, all rooms." in said
    talk.refresh_from_db()
    assert (talk.start, talk.end, talk.day) == (None, None, workshop.start_date)
    assert talk.duration == dt.timedelta(minutes=30)  # its length, for when it gets times again

    client.post(grid_url(workshop), {"_undo": "1"})
    talk.refresh_from_db()
    assert (talk.start, talk.end, talk.day) == (at(workshop, "09:00"), at(workshop, "09:30"), None)


def test_an_import_row_with_a_day_and_no_times_is_all_day(client, alice, workshop):
    client.force_login(alice)
    url = reverse("admin:workshops_workshop_schedule_import", args=[workshop.pk])
    text = "day,start,end,title\n2030-03-05,,,Excursion\n2030-03-05,09:00,10:00,Engines\n"
    preview = client.post(url, {"text": text, "_preview": "1"}).content.decode()
    assert "Tue 5 Mar, all day" in preview
    client.post(url, {"text": text, "_import": "1"})
    trip = ScheduleItem.objects.get(title="Excursion")
    assert (trip.start, trip.end, trip.day) == (None, None, dt.date(2030, 3, 5))
    again = client.post(url, {"text": text, "_import": "1"}).content.decode()
    assert again.count("Already in the schedule") == 2  # the all-day row too
    assert ScheduleItem.objects.filter(title="Excursion").count() == 1
