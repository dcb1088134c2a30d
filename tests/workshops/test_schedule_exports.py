"""The schedule exports validate where schedule tools read them, and keep their identities.

schedule.xml against the c3voc XSD (xmlschema), schedule.json against the c3voc JSON schema
(check-jsonschema, which also checks the ``uuid`` formats), the .ics files parsed back with
icalendar and checked with vobject's ``validate()``; for the LoRAINNe'24 demo workshop and
for the 300-talk benchmark workshop.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import icalendar
import pytest
import vobject
import xmlschema
from django.core.management import call_command
from django.urls import reverse

from schedule.models import ScheduleItem
from tests.factories import (
    RoomFactory,
    ScheduleItemFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
    release_schedule,
)
from workshops.models import SpeakerAppearance, SpeakerProfile, Workshop

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[3] / "shared"
SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "c3voc"  # with their licence note
XSD = SCHEMAS / "schedule.xml.xsd"
JSON_SCHEMA = SCHEMAS / "schema.json"
BENCH_DATA = SHARED / "bench-data" / "lorainne25.json"
CHECK_JSONSCHEMA = shutil.which("check-jsonschema") or str(
    Path(sys.executable).with_name("check-jsonschema")
)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def xml_schema():
    return xmlschema.XMLSchema(str(XSD))


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)
    return Workshop.objects.get(slug="lorainne24")


@pytest.fixture
def bench():
    if not BENCH_DATA.exists():
        pytest.skip(f"no benchmark data at {BENCH_DATA} (CI has it)")
    call_command("load_bench_schedule", str(BENCH_DATA), stdout=io.StringIO())
    return Workshop.objects.get(slug="lorainne25")


@pytest.fixture(params=["demo", "bench"])
def exported(request) -> Workshop:
    """The demo workshop (tentative, no rooms) and the benchmark one (final, three rooms)."""
    return request.getfixturevalue(request.param)


def get(client, workshop: Workshop, name: str, *args) -> bytes:
    response = client.get(reverse(f"schedule:{name}", args=[workshop.slug, *args]))
    assert response.status_code == 200, response.content[:500]
    return response.content


def check_json_schema(tmp_path: Path, document: bytes) -> None:
    path = tmp_path / "schedule.json"
    path.write_bytes(document)
    result = subprocess.run(
        [CHECK_JSONSCHEMA, "--schemafile", str(JSON_SCHEMA), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def calendar_events(data: bytes, *, without_end: set[str] = frozenset()) -> list[icalendar.Event]:
    """Parse an .ics as calendar apps do and check what RFC 5545 and the apps require.

    ``without_end``: the summaries of open-ended items, the only events without a DTEND (RFC
    5545 allows a DTSTART alone)."""
    text = data.decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "unfolded line"
    vobject.readOne(text).validate(raiseException=True)
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    events = calendar.walk("VEVENT")
    for event in events:
        # icalendar's parser does not insist on these; schedule apps do.
        for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert event.get(required), f"{required} missing in {event}"
        assert "DURATION" not in event
        assert event["DTSTAMP"].dt.utcoffset() == dt.timedelta(0)
        if str(event["SUMMARY"]) in without_end:
            assert "DTEND" not in event
        else:
            assert event["DTEND"].dt > event["DTSTART"].dt
        for prop in ("DTSTART", "DTEND") if "DTEND" in event else ("DTSTART",):
            tzid = event[prop].params.get("TZID")
            assert tzid is None or tzid in zones, f"{tzid} has no VTIMEZONE"
    assert calendar.get_missing_tzids() == set()
    return events


def placed(workshop: Workshop) -> list[ScheduleItem]:
    return list(ScheduleItem.objects.filter(workshop=workshop, start__isnull=False))


def test_schedule_xml_validates_against_the_c3voc_xsd(client, exported, xml_schema):
    data = get(client, exported, "schedule_xml")

    xml_schema.validate(data.decode())
    # Giggity recognises the format by these two tags in the first KiB.
    assert b"<schedule" in data[:1024] and b"<conference" in data[:1024]
    document = xml_schema.to_dict(data.decode())
    events = [e for day in document["day"] for room in day["room"] for e in room["event"]]
    assert sorted(e["@id"] for e in events) == sorted(i.pk for i in placed(exported))
    assert all(UUID.match(e["@guid"]) for e in events)
    assert all(re.fullmatch(r"\d\d:\d\d", e["duration"]) for e in events)
    assert [day["@index"] for day in document["day"]] == list(range(1, len(document["day"]) + 1))


def test_schedule_json_validates_against_the_c3voc_schema(client, exported, tmp_path):
    data = get(client, exported, "schedule_json")

    check_json_schema(tmp_path, data)
    schedule = json.loads(data)["schedule"]
    events = [
        event
        for day in schedule["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]
    assert sorted(e["id"] for e in events) == sorted(i.pk for i in placed(exported))
    assert len({e["guid"] for e in events}) == len(events)
    # frab persons (never a pretalx "name": it would match both shapes of the oneOf), with
    # their links: homepage, ORCID record.
    assert all(set(p) == {"id", "public_name", "links"} for e in events for p in e["persons"])


def test_check_jsonschema_rejects_what_the_schema_forbids(tmp_path, demo, client):
    """The validator is live: a person with name and public_name matches both shapes."""
    document = json.loads(get(client, demo, "schedule_json"))
    day = document["schedule"]["conference"]["days"][0]
    event = next(e for events in day["rooms"].values() for e in events if e["persons"])
    event["persons"][0]["name"] = event["persons"][0]["public_name"]
    with pytest.raises(AssertionError, match=r"schedule\.json"):
        check_json_schema(tmp_path, json.dumps(document).encode())


def test_schedule_ics_parses_and_validates(client, exported):
    events = calendar_events(get(client, exported, "schedule_ics"))

    assert len(events) == len(placed(exported))
    assert len({str(e["UID"]) for e in events}) == len(events)
    zone = exported.time_zone
    assert {e["DTSTART"].params["TZID"] for e in events} == {zone}


def test_each_item_has_its_own_calendar(client, demo):
    item = ScheduleItem.objects.get(workshop=demo, title__startswith="Implicit Regularization")

    [event] = calendar_events(get(client, demo, "schedule_item_ics", item.pk))

    assert event["SUMMARY"] == item.title
    assert event["DTSTART"].dt == item.start
    assert "Jérémy Cohen (CNRS-CREATIS, Lyon)" in event["DESCRIPTION"]
    assert "scale- invariance" in event["DESCRIPTION"]
    assert event["LOCATION"] == "IDMC (Institut des Sciences du Digital)"
    assert event["STATUS"] == "TENTATIVE"
    assert event["URL"].endswith(f"/workshops/lorainne24/schedule/{item.pk}/")
    whole = calendar_events(get(client, demo, "schedule_ics"))
    assert str(event["UID"]) in {str(e["UID"]) for e in whole}


def test_demo_exports_hold_the_seed_times_and_leave_unplaced_talks_out(client, demo):
    document = json.loads(get(client, demo, "schedule_json"))["schedule"]
    conference = document["conference"]
    assert (conference["acronym"], conference["start"], conference["end"]) == (
        "lorainne24", "2024-11-26", "2024-11-27",
    )  # fmt: skip
    assert document["version"] == "1"  # the first release, by the demo loader
    [room] = conference["rooms"]
    assert room["name"] == "IDMC (Institut des Sciences du Digital)"
    first_day = conference["days"][0]
    assert first_day["day_start"] == "2024-11-26T13:45:00+01:00"
    assert first_day["day_end"] == "2024-11-26T19:00:00+01:00"
    events = first_day["rooms"][room["name"]]
    assert [(e["start"], e["duration"], e["title"]) for e in events][:2] == [
        ("13:45", "00:15", "Registration"),
        ("14:00", "00:15", "Opening remarks"),
    ]
    assert events[-1]["title"] == "Cocktail + posters"
    assert events[-1]["duration"] == "01:30"
    everything = json.dumps(document, ensure_ascii=False)
    assert "On the multi-spiked random tensor model" not in everything  # not placed yet
    rows = list(csv.DictReader(io.StringIO(get(client, demo, "schedule_csv").decode("utf-8-sig"))))
    assert len(rows) == len(placed(demo))
    assert rows[0] | {"url": "", "guid": ""} == {
        "date": "2024-11-26", "start": "13:45", "end": "14:00", "duration_minutes": "15",
        "kind": "Registration", "title": "Registration", "speakers": "",
        "room": "IDMC (Institut des Sciences du Digital)", "abstract": "", "url": "", "guid": "",
    }  # fmt: skip


def test_bench_exports_have_three_days_three_rooms_and_every_talk(client, bench, xml_schema):
    document = json.loads(get(client, bench, "schedule_json"))["schedule"]
    conference = document["conference"]
    assert conference["daysCount"] == 3
    assert conference["timeslot_duration"] == "00:30"
    assert [r["name"] for r in conference["rooms"]] == [
        "Amphi Ada Lovelace", "Salle Grace Hopper", "Atelier Alan Turing",
    ]  # fmt: skip
    counts = [sum(len(v) for v in day["rooms"].values()) for day in conference["days"]]
    assert counts == [102, 99, 99]
    two_speakers = [
        e for day in conference["days"] for v in day["rooms"].values() for e in v
        if len(e["persons"]) == 2
    ]  # fmt: skip
    assert len(two_speakers) == 90


def identities(client, workshop: Workshop) -> dict[str, dict[int, str]]:
    xml = get(client, workshop, "schedule_xml").decode()
    document = json.loads(get(client, workshop, "schedule_json"))["schedule"]
    events = calendar_events(get(client, workshop, "schedule_ics"))
    return {
        "xml": {int(i): g for g, i in re.findall(r'<event guid="([^"]+)" id="(\d+)"', xml)},
        "json": {
            e["id"]: e["guid"]
            for day in document["conference"]["days"]
            for v in day["rooms"].values()
            for e in v
        },
        "ics": {int(str(e["URL"]).rstrip("/").rsplit("/", 1)[1]): str(e["UID"]) for e in events},
    }


def test_identities_survive_releases_and_edits(client, exported, xml_schema, tmp_path):
    before = identities(client, exported)
    release_schedule(exported, version="v1", status="tentative")
    items = placed(exported)
    moved, retitled = items[-1], items[len(items) // 2]
    moved.start += dt.timedelta(minutes=30)
    moved.end += dt.timedelta(minutes=30)
    moved.save()
    retitled.title = "A new title, with “quotes” & <brackets>"
    retitled.save()
    release_schedule(exported, version="v2", status="final")  # bumps their revisions
    moved.refresh_from_db()
    assert moved.revision >= 1

    after = identities(client, exported)

    assert after == before
    assert all(UUID.match(g) for g in before["xml"].values())
    assert before["xml"] == before["json"]
    xml = get(client, exported, "schedule_xml")
    xml_schema.validate(xml.decode())
    assert b"<version>v2</version>" in xml
    assert "A new title, with “quotes” &amp; &lt;brackets&gt;" in xml.decode()
    check_json_schema(tmp_path, get(client, exported, "schedule_json"))
    events = {str(e["UID"]): e for e in calendar_events(get(client, exported, "schedule_ics"))}
    assert events[before["ics"][moved.pk]]["SEQUENCE"] == moved.revision
    assert events[before["ics"][moved.pk]]["DTSTART"].dt == moved.start
    assert events[before["ics"][retitled.pk]]["SUMMARY"] == retitled.title


def test_odd_workshops_still_validate(client, xml_schema, tmp_path):
    """A short slug, a zone outside the schema's pattern, rooms plus room-less breaks,
    control characters, an untitled talk and a long item."""
    workshop = WorkshopFactory(
        slug="ml", time_zone="America/Argentina/Buenos_Aires", schedule_status="final",
        start_date=dt.date(2031, 5, 6), end_date=dt.date(2031, 5, 7),
    )  # fmt: skip
    room = RoomFactory(workshop=workshop, name="Aula 1")
    start = workshop.local_datetime(dt.date(2031, 5, 6), dt.time(9))
    ScheduleItemFactory(
        workshop=workshop, room=room, title="Tab\tand\x0bvertical; commas, here",
        start=start, end=start + dt.timedelta(hours=1),
        speakers=[SpeakerProfileFactory(name="Zoë <Z> & Co")],
        abstract="Line one\nline two, with a very long tail " + "é" * 120,
    )  # fmt: skip
    ScheduleItemFactory(
        workshop=workshop, room=None, kind="break", title="Coffee",
        start=start + dt.timedelta(hours=1), end=start + dt.timedelta(hours=1, minutes=20),
    )  # fmt: skip
    ScheduleItemFactory(
        workshop=workshop, room=room, kind="talk", title="",
        start=start + dt.timedelta(days=1), end=start + dt.timedelta(days=2, hours=1),
    )  # fmt: skip
    release_schedule(workshop)

    xml = get(client, workshop, "schedule_xml").decode()
    xml_schema.validate(xml)
    assert "<acronym>ml__</acronym>" in xml
    assert "<duration>23:59</duration>" in xml
    assert "<slug>ml__-" in xml
    check_json_schema(tmp_path, get(client, workshop, "schedule_json"))
    events = calendar_events(get(client, workshop, "schedule_ics"))
    assert [str(e["SUMMARY"]) for e in events] == [
        "Tab\tandvertical; commas, here", "Coffee", "Talk",
    ]  # fmt: skip
    assert str(events[0]["LOCATION"]) == "Aula 1, IDMC"
    assert "é" * 120 in str(events[0]["DESCRIPTION"])


# Text that each writer must escape, quote or drop: markup, quotes, backslashes, the
# separators of CSV and iCalendar, every kind of line break, control characters (PostgreSQL
# holds no NUL), a spreadsheet formula, and characters beyond Latin-1.
AWKWARD = 'A "quoted", <b>bold</b> & \\back; =1+1\r\nCR\rLF\n\ttab\x01\x0b\x1f\x7f \u2028 é 🙂'


def test_exports_written_by_hand_read_as_the_standard_writers_write(client):
    """schedule.json is what json.dumps writes of it, the CSV what the csv module writes,
    and the XML and the iCalendar give every text back (less what they cannot hold)."""
    workshop = WorkshopFactory(
        title=f"Title {AWKWARD}", venue_name=AWKWARD, schedule_status="final"
    )
    room = RoomFactory(workshop=workshop, name=f"Room {AWKWARD}")
    item = ScheduleItemFactory(
        workshop=workshop, room=room, title=AWKWARD, abstract=f"{AWKWARD}\n\n{AWKWARD}",
        speakers=[SpeakerProfileFactory(name=f"Name {AWKWARD}", affiliation=AWKWARD)],
    )  # fmt: skip
    ScheduleItemFactory(
        workshop=workshop, room=None, kind="break", title="=SUM(A1)", start=item.end
    )
    release_schedule(workshop)

    data = get(client, workshop, "schedule_json")
    assert json.dumps(json.loads(data), ensure_ascii=False).encode() == data
    text = get(client, workshop, "schedule_csv").decode()
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    rewritten = io.StringIO()
    csv.writer(rewritten).writerows(rows)
    assert "\ufeff" + rewritten.getvalue() == text
    assert [row[5] for row in rows[1:]] == [AWKWARD, "'=SUM(A1)"]
    xml = ElementTree.fromstring(get(client, workshop, "schedule_xml"))
    readable = AWKWARD.replace("\r\n", "\n").replace("\r", "\n")  # as XML parsers read it
    for drop in "\x01\x0b\x1f":
        readable = readable.replace(drop, "")
    assert xml.findtext("conference/title") == f"Title {readable}"
    [event] = [e for e in xml.iter("event") if e.get("id") == str(item.pk)]
    assert event.findtext("title") == readable
    assert event.findtext("abstract") == f"{readable}\n\n{readable}"
    assert event.findtext("persons/person") == f"Name {readable}"
    assert event.findtext("room") == f"Room {readable}"
    summaries = [str(e["SUMMARY"]) for e in calendar_events(get(client, workshop, "schedule_ics"))]
    assert summaries == [readable.replace("\x7f", ""), "=SUM(A1)"]


def test_empty_schedule_exports_validate(client, xml_schema, tmp_path):
    workshop = WorkshopFactory(slug="empty-one", schedule_status="tentative")
    ScheduleItemFactory(workshop=workshop, start=None, end=None)  # not placed

    xml_schema.validate(get(client, workshop, "schedule_xml").decode())
    check_json_schema(tmp_path, get(client, workshop, "schedule_json"))
    assert calendar_events(get(client, workshop, "schedule_ics")) == []


def test_utc_workshops_write_utc_times(client):
    workshop = WorkshopFactory(time_zone="UTC", schedule_status="final")
    item = ScheduleItemFactory(workshop=workshop, title="Online talk")
    release_schedule(workshop)

    data = get(client, workshop, "schedule_ics")
    [event] = calendar_events(data)

    assert b"BEGIN:VTIMEZONE" not in data
    assert event["DTSTART"].dt == item.start
    assert f"DTSTART:{item.start:%Y%m%dT%H%M%S}Z".encode() in data


def test_loading_the_bench_workshop_again_keeps_every_row(bench):
    def rows():
        return (
            sorted(ScheduleItem.objects.filter(workshop=bench).values_list("pk", "title")),
            SpeakerProfile.objects.count(),
            SpeakerAppearance.objects.filter(workshop=bench, confirmed=True).count(),
            ScheduleItem.speakers.through.objects.filter(scheduleitem__workshop=bench).count(),
        )

    before = rows()
    call_command("load_bench_schedule", str(BENCH_DATA), stdout=io.StringIO())
    assert rows() == before
    assert (len(before[0]), before[1], before[2], before[3]) == (300, 330, 330, 390)


def test_a_speakers_orcid_is_a_person_link_in_schedule_json_and_on_the_speakers_page(
    client, demo, tmp_path
):
    from schedule import services as schedule_services

    item = next(i for i in placed(demo) if i.speakers.exists())
    speaker = item.speakers.first()
    SpeakerProfile.objects.filter(pk=speaker.pk).update(orcid="0000-0002-1825-0097")
    assert schedule_services.release_if_changed(demo) is not None  # the release keeps it

    data = get(client, demo, "schedule_json")
    check_json_schema(tmp_path, data)
    persons = [
        p
        for day in json.loads(data)["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
        for p in event["persons"]
        if p["id"] == speaker.pk
    ]
    assert persons and all(
        {"url": "https://orcid.org/0000-0002-1825-0097", "title": "ORCID"} in p["links"]
        for p in persons
    )
    page = client.get(reverse("schedule:speakers", args=[demo.slug])).content.decode()
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in page
