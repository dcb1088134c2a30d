"""Open-ended items: a start and no end (“Poster session, from 17:00”), told truthfully.

The model keeps them, conflicts treat them as lasting until the next item in their room (or
the day's end), the public pages say “from 17:00”, and each export follows its format: no
DTEND in iCalendar, an end at the day's last item (or midnight) in frab XML and JSON, an empty
end in CSV; the frab documents still validate against the c3voc schemas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import icalendar
import pytest
import xmlschema
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from schedule.conflicts import find_conflicts, format_slot
from schedule.models import ScheduleItem
from tests.factories import (
    OrganizerFactory,
    RoomFactory,
    SpeakerAppearanceFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
    release_schedule,
)
from tests.schedule.slots import at, item
from tests.workshops.test_schedule_exports import XSD, calendar_events, check_json_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop():
    return WorkshopFactory(
        slug="posters",
        time_zone="Europe/Paris",
        schedule_status="final",
        start_date=dt.date(2030, 3, 4),
        end_date=dt.date(2030, 3, 5),
    )


# The model


def test_an_item_may_have_a_start_and_no_end(workshop):
    posters = item(workshop, "17:00", None, kind="poster_session", title="Posters")
    posters.full_clean()
    posters.refresh_from_db()
    assert posters.end is None
    assert posters.open_ended


def test_an_end_without_a_start_is_refused_on_the_start_field(workshop):
    orphan = ScheduleItem(workshop=workshop, title="Lost", end=at(workshop, "10:00"))
    with pytest.raises(ValidationError) as error:
        orphan.full_clean()
    assert error.value.message_dict["start"] == ["Give a start for an item with an end."]
    with pytest.raises(IntegrityError), transaction.atomic():
        orphan.save()


def test_the_database_rule_speaks_plainly_not_by_its_constraint_name(workshop):
    backwards = ScheduleItem(
        workshop=workshop, title="Backwards", start=at(workshop, "10:00"), end=at(workshop, "09:00")
    )
    with pytest.raises(ValidationError) as error:
        backwards.validate_constraints()
    assert error.value.messages == ["An item must end after it starts."]
    assert "schedule_item_ends_after_start" not in str(error.value)


# Conflicts


def test_the_next_item_in_its_room_ends_an_open_ended_item_without_a_clash(workshop):
    hall = RoomFactory(workshop=workshop, name="Hall")
    item(workshop, "17:00", None, kind="poster_session", title="Posters", room=hall)
    item(workshop, "18:30", "19:00", title="Late talk", room=hall)
    assert find_conflicts(workshop) == []


def test_an_open_ended_item_keeps_its_speaker_busy_until_its_room_moves_on(workshop):
    hall, amphi = (RoomFactory(workshop=workshop, name=n) for n in ("Hall", "Amphi"))
    ada = SpeakerProfileFactory(name="Ada Lovelace")
    posters = item(
        workshop, "17:00", None, kind="poster_session", title="Posters", room=hall, speakers=[ada]
    )
    item(workshop, "18:30", "19:00", title="Late talk", room=hall)
    talk = item(workshop, "17:30", "18:00", title="Engines", room=amphi, speakers=[ada])
    item(workshop, "18:45", "19:15", title="After posters", room=amphi, speakers=[ada])

    conflicts = find_conflicts(workshop)

    assert [(c.kind, c.item_ids) for c in conflicts] == [("speaker", (posters.pk, talk.pk))]
    assert conflicts[0].message == (
        "Ada Lovelace is in “Posters” and “Engines” at once (Mon 4 March, 17:30–18:00)."
    )


def test_the_last_open_ended_item_of_a_day_lasts_until_midnight(workshop):
    hall, amphi = (RoomFactory(workshop=workshop, name=n) for n in ("Hall", "Amphi"))
    ada = SpeakerProfileFactory(name="Ada")
    posters = item(workshop, "17:00", None, title="Posters", room=hall, speakers=[ada])
    dinner = item(workshop, "22:00", "23:30", title="Dinner", room=amphi, speakers=[ada])
    item(workshop, "08:00", "09:00", day=1, title="Next morning", room=amphi, speakers=[ada])

    conflicts = find_conflicts(workshop)

    assert [(c.kind, c.item_ids) for c in conflicts] == [("speaker", (posters.pk, dinner.pk))]


def test_an_open_ended_item_in_all_rooms_ends_when_anything_starts(workshop):
    amphi = RoomFactory(workshop=workshop, name="Amphi")
    item(workshop, "08:30", None, kind="registration", title="Registration", room=None)
    item(workshop, "09:00", "09:30", title="First talk", room=amphi)
    assert find_conflicts(workshop) == []


def test_an_open_ended_item_starting_with_another_in_its_room_clashes(workshop):
    hall = RoomFactory(workshop=workshop, name="Hall")
    posters = item(workshop, "17:00", None, title="Posters", room=hall)
    talk = item(workshop, "17:00", "17:30", title="Talk", room=hall)

    conflicts = find_conflicts(workshop)

    assert [(c.kind, set(c.item_ids)) for c in conflicts] == [("room", {posters.pk, talk.pk})]


def test_a_slot_without_an_end_reads_from(workshop):
    assert format_slot(at(workshop, "17:00"), None, "Hall", workshop.tz) == (
        "Mon 4 March, from 17:00, Hall"
    )


# What the public reads


@pytest.fixture
def programme(workshop):
    """A day that ends with a poster session, and a second day with one in the middle."""
    hall = RoomFactory(workshop=workshop, name="Hall")
    ada = SpeakerAppearanceFactory(workshop=workshop, speaker__name="Ada Lovelace").speaker
    talk = item(workshop, "16:00", "16:45", title="Engines", room=hall, speakers=[ada])
    posters = item(workshop, "17:00", None, kind="poster_session", title="Posters", room=hall)
    morning = item(workshop, "10:00", None, day=1, kind="poster_session", title="Demos", room=hall)
    closing = item(workshop, "11:00", "12:15", day=1, kind="closing", title="Closing", room=hall)
    release_schedule(workshop)
    return {"talk": talk, "posters": posters, "morning": morning, "closing": closing}


def get(client, workshop, name: str, *args) -> bytes:
    response = client.get(reverse(f"schedule:{name}", args=[workshop.slug, *args]))
    assert response.status_code == 200, response.content[:300]
    return response.content


def test_the_public_pages_say_from(client, workshop, programme):
    page = get(client, workshop, "schedule").decode()
    assert "from <time" in page
    assert "data-time>17:00</time></td>" in page
    talk_page = get(client, workshop, "schedule_item", programme["posters"].pk).decode()
    assert "from <time" in talk_page
    workshop_page = client.get(workshop.get_absolute_url()).content.decode()
    assert "from 17:00" in workshop_page


def test_ical_gives_a_start_and_no_end(client, workshop, programme):
    events = calendar_events(
        get(client, workshop, "schedule_ics"), without_end={"Posters", "Demos"}
    )
    by_title = {str(e["SUMMARY"]): e for e in events}
    assert "DTEND" not in by_title["Posters"]
    assert by_title["Posters"]["DTSTART"].dt == at(workshop, "17:00")
    assert by_title["Engines"]["DTEND"].dt == at(workshop, "16:45")
    single = icalendar.Calendar.from_ical(
        get(client, workshop, "schedule_item_ics", programme["posters"].pk)
    )
    assert "DTEND" not in single.walk("VEVENT")[0]


def test_frab_xml_and_json_end_at_the_days_last_item_or_midnight(
    client, workshop, programme, tmp_path
):
    xml = get(client, workshop, "schedule_xml").decode()
    xmlschema.XMLSchema(str(XSD)).validate(xml)
    check_json_schema(tmp_path, get(client, workshop, "schedule_json"))
    document = json.loads(get(client, workshop, "schedule_json"))
    days = document["schedule"]["conference"]["days"]
    events = {e["title"]: e for day in days for room in day["rooms"].values() for e in room}
    # The last item of its day: until midnight. One in the middle: until the day's last end.
    assert events["Posters"]["duration"] == "07:00"
    assert events["Posters"]["end"] == "2030-03-05T00:00:00+01:00"
    assert events["Demos"]["duration"] == "02:15"
    assert events["Demos"]["end"] == "2030-03-05T12:15:00+01:00"
    assert days[0]["day_end"] == "2030-03-05T00:00:00+01:00"
    assert "<title>Posters</title>" in xml and "<duration>07:00</duration>" in xml


def test_csv_leaves_the_end_empty(client, workshop, programme):
    rows = list(
        csv.DictReader(io.StringIO(get(client, workshop, "schedule_csv").decode("utf-8-sig")))
    )
    posters = next(r for r in rows if r["title"] == "Posters")
    engines = next(r for r in rows if r["title"] == "Engines")
    assert (posters["start"], posters["end"], posters["duration_minutes"]) == ("17:00", "", "")
    assert (engines["end"], engines["duration_minutes"]) == ("16:45", "45")


# The organizer's schedule page


def test_the_schedule_page_saves_a_row_without_an_end(client, workshop):
    alice = OrganizerFactory(email="alice@example.org")
    workshop.organizers.add(alice)
    client.force_login(alice)
    url = reverse("admin:workshops_workshop_schedule", args=[workshop.pk])
    data = {
        "items-TOTAL_FORMS": 1, "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000,
        "items-0-kind": "poster_session", "items-0-title": "Posters",
        "items-0-day": "2030-03-04", "items-0-start": "17:00", "items-0-end": "",
        "items-0-room": "",
    }  # fmt: skip

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context.get("errors")
    posters = ScheduleItem.objects.get(workshop=workshop)
    assert (posters.start, posters.end) == (at(workshop, "17:00"), None)
    page = client.get(url).content.decode()
    assert 'name="items-0-start" value="17:00"' in page
    [end_input] = re.findall(r'<input[^>]*name="items-0-end"[^>]*>', page)
    assert "value=" not in end_input  # shown empty again, not as an invented end


def test_times_the_clocks_skip_or_repeat_are_judged_in_utc():
    spring = WorkshopFactory(
        time_zone="Europe/Paris", start_date=dt.date(2025, 3, 30), end_date=dt.date(2025, 3, 30)
    )
    ghost = ScheduleItem(
        workshop=spring,
        title="Ghost",
        start=spring.local_datetime(spring.start_date, dt.time(2, 15)),
        end=spring.local_datetime(spring.start_date, dt.time(3, 0)),
    )
    with pytest.raises(ValidationError) as error:
        ghost.full_clean()
    assert error.value.message_dict["start"] == [
        "02:15 does not exist that day: the clocks change that night."
    ]
    fine = ScheduleItem(
        workshop=spring,
        title="Fine",
        start=spring.local_datetime(spring.start_date, dt.time(1, 30)),
        end=spring.local_datetime(spring.start_date, dt.time(3, 30)),  # one hour of real time
    )
    fine.full_clean()


def test_the_schedule_page_refuses_a_skipped_time_with_a_message(client):
    alice = OrganizerFactory(email="alice@example.org")
    spring = WorkshopFactory(
        time_zone="Europe/Paris", start_date=dt.date(2025, 3, 30), end_date=dt.date(2025, 3, 30),
        organizers=[alice],
    )  # fmt: skip
    client.force_login(alice)
    response = client.post(
        reverse("admin:workshops_workshop_schedule", args=[spring.pk]),
        {
            "items-TOTAL_FORMS": 1, "items-INITIAL_FORMS": 0,
            "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000,
            "items-0-kind": "talk", "items-0-title": "Ghost", "items-0-day": "2025-03-30",
            "items-0-start": "02:15", "items-0-end": "03:00", "items-0-room": "",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "02:15 does not exist that day" in response.content.decode()
    assert not ScheduleItem.objects.filter(workshop=spring).exists()
