"""Whatever people type (every ASCII character and a few beyond), each export stays valid in
its format and reads back as what was typed, less what the format cannot hold at all."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import icalendar
import pytest
import xmlschema

from schedule.exports import csv as csv_export, frab, ical
from schedule.timetable import Day, Entry, Speaker, Timetable
from tests.workshops.test_schedule_exports import JSON_SCHEMA, XSD, check_json_schema
from workshops.models import Workshop

# Every ASCII character and a few beyond (Latin-1, the BMP, XML's non-characters, an emoji).
SPECIAL = [chr(c) for c in range(128)] + ["é", "\u2028", "\ufffe", "\uffff", "🙂"]
CONTROLS = {chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}
NOT_XML = CONTROLS | {"\ufffe", "\uffff"}
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def typed(char: str) -> str:
    return f"{char}Tensor {char} trains{char}"


@pytest.fixture(scope="module")
def timetable() -> Timetable:
    workshop = Workshop(pk=7, slug="lorainne24", title="LoRAINNe'24", time_zone="Europe/Paris")
    workshop.venue_name, workshop.city = "IDMC", "Nancy"
    start = dt.datetime(2026, 11, 18, 9, 0, tzinfo=workshop.tz)
    entries = [
        Entry(
            id=n,
            kind="talk",
            title=typed(char),
            abstract=typed(char) * 3,
            abstract_html="",
            start=start + dt.timedelta(minutes=5 * n),
            end=start + dt.timedelta(minutes=5 * n + 5),
            revision=0,
            room_id=None,
            room_name="",
            speakers=[Speaker(id=n, name=typed(char), affiliation="", homepage="")],
        )
        for n, char in enumerate(SPECIAL, 1)
    ]
    return Timetable(
        workshop=workshop, rooms=[], days=[Day(1, start.date(), entries)], release=None
    )


def test_schedule_xml_is_valid_and_holds_every_text_xml_can(timetable):
    document = frab.schedule_xml(timetable)

    xmlschema.XMLSchema(str(XSD)).validate(io.BytesIO(document))
    events = ElementTree.fromstring(document).iter("event")
    for char, event in zip(SPECIAL, events, strict=True):
        expected = "".join(c for c in typed(char) if c not in NOT_XML)
        if char == "\r":
            expected = expected.replace("\r", "\n")  # XML parsers normalize line ends
        assert event.findtext("title") == expected, repr(char)
        assert event.findtext("persons/person") == expected, repr(char)


def test_schedule_json_is_valid_and_holds_every_text(timetable, tmp_path):
    document = frab.schedule_json(timetable)

    check_json_schema(tmp_path, document)
    [day] = json.loads(document)["schedule"]["conference"]["days"]
    [events] = day["rooms"].values()
    assert [e["title"] for e in events] == [typed(char) for char in SPECIAL]


def test_ical_reads_back_every_text_without_control_characters(timetable):
    calendar = icalendar.Calendar.from_ical(ical.timetable_calendar(timetable))

    events = calendar.walk("VEVENT")
    for char, event in zip(SPECIAL, events, strict=True):
        kept = typed(char).replace("\r", "\n")
        expected = "".join(c for c in kept if c == "\t" or c == "\n" or c not in CONTROLS)
        expected = expected.replace("\x7f", "")
        assert str(event["SUMMARY"]) == expected, repr(char)


def test_csv_reads_back_every_text_and_no_cell_is_a_formula(timetable):
    document = csv_export.programme_csv(timetable).decode("utf-8-sig")

    rows = list(csv.DictReader(io.StringIO(document, newline="")))
    for char, row in zip(SPECIAL, rows, strict=True):
        text = typed(char)
        assert row["title"] == ("'" + text if text.startswith(FORMULA) else text), repr(char)
        assert not row["speakers"].startswith(FORMULA)


def test_the_schemas_are_kept_with_the_tests():
    assert XSD.exists() and JSON_SCHEMA.exists()
    assert "EUPL-1.2" in (Path(XSD).parent / "README.md").read_text()
