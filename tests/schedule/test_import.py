"""Programme import: a table (CSV, pasted or uploaded, or XLSX) becomes the schedule's items,
after a preview that writes nothing and names every row's problem; then all at once."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from schedule import importing
from schedule.models import Room, ScheduleItem
from tests.factories import (
    OrganizerFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
)
from workshops.models import SpeakerAppearance, SpeakerProfile, Workshop

pytestmark = pytest.mark.django_db

# The LoRAINNe'24 programme (../shared/seeds/003_*.txt), typed as a spreadsheet would hold it:
# day headings as rows of their own, slots as "13:45-14:00", talks by speaker name only.
LORAINNE = """Date,Time,Session,Speakers,Room
Tue 26 Nov,,(Day 1),,
,13:45-14:00,Registration,,
,14:00-14:15,Opening remarks,,
,14:15-15:15,,André de Almeida (Universidade Federal do Ceará),Amphi
,15:15-15:45,,Mariya Ishteva (KU Leuven),Amphi
,15:45-16:15,Coffee break,,
,16:15-17:15,,Francesco Tudisco (University of Edinburgh),Amphi
,17:15-17:30,Spotlight posters,,Amphi
,17:30-19:00,Cocktail + posters,,Hall
Wed 27 Nov,,(Day 2),,
,09:00-09:30,Welcome coffee,,
,09:30-10:30,,Bernard Mourrain (Inria),Amphi
,10:30-11:00,,Jeremy Cohen (CNRS),Amphi
,11:00-11:30,Coffee break,,
,11:30-12:30,,Julia Gusak (Inria),Amphi
,12:30-14:00,Lunch break,,
,14:00-15:00,,Christophe Cerisara (CNRS),Amphi
,15:00-15:30,Invited talk,,Amphi
,15:30-16:00,Invited talk,,Amphi
,16:00-17:00,Farewell coffee break,,
"""


@pytest.fixture
def workshop(alice):
    return WorkshopFactory(
        slug="lorainne24",
        title="LoRAINNe'24",
        time_zone="Europe/Paris",
        start_date=dt.date(2024, 11, 26),
        end_date=dt.date(2024, 11, 27),
        organizers=[alice],
    )


def import_url(workshop) -> str:
    return reverse("admin:workshops_workshop_schedule_import", args=[workshop.pk])


def preview(client, workshop, text: str, **extra):
    return client.post(import_url(workshop), {"text": text, "_preview": "1", **extra})


def row_errors(response) -> list[str]:
    return re.findall(r'<div class="row-error">(.*?)</div>', response.content.decode())


def test_the_lorainne_table_previews_then_imports_in_one_step(client, alice, workshop):
    jeremy = SpeakerAppearanceFactory(
        workshop=workshop, speaker__name="Jeremy Cohen", speaker__affiliation="CNRS"
    ).speaker
    client.force_login(alice)
    schedule = client.get(reverse("admin:workshops_workshop_schedule", args=[workshop.pk]))
    assert import_url(workshop) in schedule.content.decode()  # reachable from the schedule

    shown = preview(client, workshop, LORAINNE)

    assert shown.status_code == 200
    plan = shown.context["plan"]
    assert plan.errors == 0 and plan.ready
    assert len(plan.rows) == 18
    assert not ScheduleItem.objects.filter(workshop=workshop).exists()  # nothing written
    kinds = {row.title or row.speakers[0].name: row.kind for row in plan.rows}
    assert kinds["Registration"] == "registration"
    assert kinds["Opening remarks"] == "opening"
    assert kinds["Coffee break"] == kinds["Farewell coffee break"] == "break"
    assert kinds["Lunch break"] == "meal"
    assert kinds["Spotlight posters"] == "spotlight"
    assert kinds["Cocktail + posters"] == "social"
    assert kinds["André de Almeida"] == "talk"
    matches = {m.name: m.status for row in plan.rows for m in row.speakers}
    assert matches["Jeremy Cohen"] == "existing" and matches["Julia Gusak"] == "new"
    assert plan.new_rooms == ["Amphi", "Hall"]
    page = shown.content.decode()
    assert "18 items to import" in page and "Wed 27 Nov, 09:00–09:30" in page

    done = client.post(import_url(workshop), {"text": LORAINNE, "_import": "1"})

    assert done.status_code == 302
    assert done.url == reverse("admin:workshops_workshop_schedule", args=[workshop.pk])
    items = list(ScheduleItem.objects.filter(workshop=workshop).order_by("start"))
    assert len(items) == 18
    tz = workshop.tz
    first, cocktail = items[0], next(i for i in items if i.title == "Cocktail + posters")
    assert (first.start.astimezone(tz).isoformat(), first.end.astimezone(tz).isoformat()) == (
        "2024-11-26T13:45:00+01:00",
        "2024-11-26T14:00:00+01:00",
    )
    assert cocktail.room.name == "Hall"
    assert set(Room.objects.filter(workshop=workshop).values_list("name", flat=True)) == {
        "Amphi", "Hall",
    }  # fmt: skip
    cohen = next(i for i in items if i.speakers.filter(pk=jeremy.pk).exists())
    assert cohen.start.astimezone(tz).time() == dt.time(10, 30)
    assert SpeakerProfile.objects.filter(name="Julia Gusak", home_workshop=workshop).count() == 1
    # Everyone put on an item speaks at the workshop (confirmed): the speakers page lists them.
    assert SpeakerAppearance.objects.filter(workshop=workshop, confirmed=True).count() == 7


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Fri 29 Nov,09:00,10:00,Lost talk", "Unknown day “Fri 29 Nov”"),
        ("Day 9,09:00,10:00,Lost talk", "Unknown day “Day 9”"),
        ("2024-11-26,nine,10:00,Bad time", "“nine” is not a time"),
        ("2024-11-26,10:00,09:00,Backwards", "It ends (09:00) before it starts (10:00)."),
        ("2024-11-26,,10:00,No start", "An end and no start: give the start"),
        ("2024-11-26,09:00,10:00,Odd,lecturette", "Unknown kind “lecturette”"),
    ],
)
def test_each_row_error_is_named_on_its_row_and_nothing_is_written(
    client, alice, workshop, row, message
):
    client.force_login(alice)
    text = "day,start,end,title,kind\n2024-11-26,08:00,08:30,Fine row\n" + row + "\n"

    shown = preview(client, workshop, text)
    imported = client.post(import_url(workshop), {"text": text, "_import": "1"})

    assert any(message in error for error in row_errors(shown)), row_errors(shown)
    assert not shown.context["plan"].ready
    assert imported.status_code == 200  # the preview again, not an import
    assert not ScheduleItem.objects.filter(workshop=workshop).exists()


def test_overlapping_rows_in_one_room_are_refused_but_other_rooms_are_fine(client, alice, workshop):
    client.force_login(alice)
    text = (
        "day,start,end,title,room\n"
        "Day 1,09:00,10:00,First,Amphi\n"
        "Day 1,09:30,10:30,Second,Amphi\n"
        "Day 1,09:30,10:30,Elsewhere,Hall\n"
    )
    errors = row_errors(preview(client, workshop, text))
    assert errors == ["Overlaps line 2 “First” in Amphi."]


def test_a_table_without_the_needed_columns_says_which(client, alice, workshop):
    client.force_login(alice)
    shown = preview(client, workshop, "when,what\nMonday,Something\n")
    assert "No start column in the first row." in shown.content.decode()
    shown = preview(client, workshop, "notes\nSomething\n")
    assert "No start or title column in the first row." in shown.content.decode()


def test_a_name_several_profiles_carry_is_chosen_by_the_organizer(client, alice, workshop):
    older = SpeakerAppearanceFactory(
        workshop=workshop, speaker__name="Jeremy Cohen", speaker__affiliation="CNRS"
    ).speaker
    SpeakerAppearanceFactory(
        workshop=workshop, speaker__name="Jeremy Cohen", speaker__affiliation="Bell Labs"
    )
    client.force_login(alice)
    text = "day,start,end,title,speakers\nDay 1,09:00,10:00,Tensors,Jeremy Cohen\n"

    shown = preview(client, workshop, text)
    plan = shown.context["plan"]
    [match] = plan.unresolved
    assert "Several profiles: who?" in shown.content.decode()
    assert not plan.ready

    chosen = client.post(
        import_url(workshop), {"text": text, "_import": "1", match.key: str(older.pk)}
    )

    assert chosen.status_code == 302
    item = ScheduleItem.objects.get(workshop=workshop, title="Tensors")
    assert list(item.speakers.all()) == [older]


def test_an_affiliation_settles_a_shared_name(workshop, alice):
    SpeakerProfileFactory(name="Jeremy Cohen", affiliation="CNRS", home_workshop=workshop)
    bell = SpeakerProfileFactory(
        name="Jeremy Cohen", affiliation="Bell Labs", home_workshop=workshop
    )
    text = "day,start,title,speakers\nDay 1,09:00,Tensors,Jeremy Cohen (Bell Labs)\n"
    plan = importing.plan_import(workshop, text, user=alice)
    assert plan.rows[0].speakers[0].profile == bell


def test_an_xlsx_upload_imports_like_csv_and_a_missing_end_is_open_ended(client, alice, workshop):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Day", "Start", "End", "Title", "Room"])
    sheet.append([dt.date(2024, 11, 26), dt.time(17, 0), None, "Poster session", "Hall"])
    day_two = dt.datetime(2024, 11, 27)  # noqa: DTZ001 -- a spreadsheet's naive date cell
    sheet.append([day_two, "9:30 am", "10:15 AM", "Morning talk", "Hall"])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("programme.xlsx", data.getvalue())
    client.force_login(alice)

    shown = client.post(import_url(workshop), {"upload": upload, "_preview": "1"})
    plan = shown.context["plan"]
    assert plan.ready, (plan.problems, [r.errors for r in plan.rows])
    done = client.post(import_url(workshop), {"text": shown.context["text"], "_import": "1"})

    assert done.status_code == 302
    posters = ScheduleItem.objects.get(workshop=workshop, title="Poster session")
    assert posters.kind == "poster_session"
    assert posters.end is None  # “from 17:00”
    talk = ScheduleItem.objects.get(workshop=workshop, title="Morning talk")
    assert talk.start.astimezone(workshop.tz).time() == dt.time(9, 30)
    assert talk.end.astimezone(workshop.tz).time() == dt.time(10, 15)


def test_rows_go_into_existing_rooms_and_after_existing_items(client, alice, workshop):
    amphi = RoomFactory(workshop=workshop, name="Amphi")
    ScheduleItemFactory(workshop=workshop, title="Already there", start=None, end=None, order=7)
    client.force_login(alice)
    text = "day,start,end,title,room\nDay 2,09:00,10:00,New one,amphi\n"

    client.post(import_url(workshop), {"text": text, "_import": "1"})

    item = ScheduleItem.objects.get(workshop=workshop, title="New one")
    assert (item.room, item.order) == (amphi, 8)
    assert Room.objects.filter(workshop=workshop).count() == 1


def test_another_organizer_gets_no_import_page(client, workshop):
    bob = OrganizerFactory(email="bob@example.org")
    client.force_login(bob)
    assert client.get(import_url(workshop)).status_code == 404
    assert client.post(import_url(workshop), {"text": LORAINNE, "_import": "1"}).status_code == 404
    assert not ScheduleItem.objects.filter(workshop=workshop).exists()


@pytest.mark.parametrize("export", ["schedule_json", "schedule_xml"])
def test_a_frab_schedule_of_an_earlier_edition_imports_as_its_events(
    client, alice, workshop, export
):
    """The LoRAINNe'24 demo as our own export (the format pretalx and Indico write too)."""
    workshop.slug = "lorainne24-again"  # not the demo's slug: the loader would take it over
    workshop.save()
    call_command("load_demo", verbosity=0)
    source = Workshop.objects.get(slug="lorainne24")
    assert source.pk != workshop.pk
    exported = client.get(reverse(f"schedule:{export}", args=[source.slug])).content
    client.force_login(alice)
    name = "schedule.json" if export == "schedule_json" else "schedule.xml"

    shown = client.post(
        import_url(workshop),
        {"upload": SimpleUploadedFile(name, exported), "_preview": "1"},
    )
    plan = shown.context["plan"]
    assert plan.ready, (plan.problems, [(r.line, r.errors) for r in plan.rows if r.errors])
    done = client.post(import_url(workshop), {"text": shown.context["text"], "_import": "1"})

    assert done.status_code == 302

    def slots(w):
        return sorted(
            (i.start, i.end, i.title, i.kind, tuple(s.pk for s in i.speakers.all()))
            for i in ScheduleItem.objects.filter(workshop=w, start__isnull=False)
        )

    assert slots(workshop) == slots(source)  # same times, titles, kinds and speakers


def test_a_file_that_is_no_frab_schedule_says_so(client, alice, workshop):
    client.force_login(alice)
    for name, body, message in (
        ("s.json", b'{"version": 1}', "This JSON is not a frab schedule (schedule.json)."),
        ("s.xml", b"<calendar/>", "This XML is not a frab schedule (schedule.xml)."),
        ("s.xml", b"<schedule><day", "This XML cannot be read."),
    ):
        shown = client.post(
            import_url(workshop), {"upload": SimpleUploadedFile(name, body), "_preview": "1"}
        )
        assert message in shown.content.decode()
        assert shown.context["plan"] is None


def test_a_choice_among_shared_names_survives_preview_again_and_import(client, alice, workshop):
    older = SpeakerAppearanceFactory(
        workshop=workshop, speaker__name="Jeremy Cohen", speaker__affiliation="CNRS"
    ).speaker
    SpeakerAppearanceFactory(
        workshop=workshop, speaker__name="Jeremy Cohen", speaker__affiliation="Bell Labs"
    )
    client.force_login(alice)
    text = "day,start,end,title,speakers\nDay 1,09:00,10:00,Tensors,Jeremy Cohen\n"
    [match] = preview(client, workshop, text).context["plan"].unresolved

    again = preview(client, workshop, text, **{match.key: str(older.pk)})
    page = again.content.decode()
    # Chosen, and still offered (selected) so that the import button sends it along.
    assert again.context["plan"].ready
    assert re.search(rf'<option value="{older.pk}" selected>', page)
    imported = client.post(
        import_url(workshop), {"text": text, "_import": "1", match.key: str(older.pk)}
    )
    assert imported.status_code == 302
    chose_new = preview(client, workshop, text.replace("Tensors", "Other"), **{match.key: "new"})
    assert chose_new.context["plan"].ready
    assert 'value="new" selected' in chose_new.content.decode()


def test_importing_twice_is_refused_and_the_preview_says_why(client, alice, workshop):
    client.force_login(alice)
    text = "day,start,end,title\nDay 1,09:00,10:00,Tensors\n"
    assert client.post(import_url(workshop), {"text": text, "_import": "1"}).status_code == 302

    second = client.post(import_url(workshop), {"text": text, "_import": "1"})

    assert second.status_code == 200
    assert "Already in the schedule, at this time with this title." in row_errors(second)
    assert ScheduleItem.objects.filter(workshop=workshop).count() == 1
    plan = importing.plan_import(workshop, "day,start,title\nDay 1,11:00,Fresh\n", user=alice)
    ScheduleItemFactory(workshop=workshop, title="Fresh", start=at_(workshop, 11), end=None)
    with pytest.raises(importing.services.ScheduleError):  # a double click, under the lock
        importing.apply_import(workshop, plan)


def at_(workshop, hour: int):
    return workshop.local_datetime(workshop.start_date, dt.time(hour))


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        (
            "t.csv",
            b'day,start,title\nDay 1,09:00,"' + b"x" * 140_000 + b"\n",
            "cannot be read as CSV",
        ),
        ("s.json", b'{"a": ' * 100_000, "This JSON is not a frab schedule"),
        ("t.xlsx", b"PK\x03\x04 not really a zip", "not an XLSX workbook"),
    ],
)
def test_hostile_files_get_a_message_not_a_500(client, alice, workshop, name, body, message):
    client.force_login(alice)
    shown = client.post(
        import_url(workshop), {"upload": SimpleUploadedFile(name, body), "_preview": "1"}
    )
    assert shown.status_code == 200
    assert message in shown.content.decode()


def test_a_time_the_clocks_skip_is_refused(alice):
    spring = WorkshopFactory(
        time_zone="Europe/Paris", start_date=dt.date(2025, 3, 30), end_date=dt.date(2025, 3, 30)
    )
    plan = importing.plan_import(
        spring, "day,start,end,title\nDay 1,02:15,03:00,Ghost\n", user=alice
    )
    assert plan.rows[0].errors == [
        "02:15 does not exist on Sun 30 Mar in Europe/Paris: the clocks change that night."
    ]


def test_two_new_speakers_of_one_name_stay_two_people(alice, workshop):
    text = (
        "day,start,title,speakers\n"
        "Day 1,09:00,One,J. Cohen (CNRS)\nDay 1,10:00,Two,J. Cohen (Bell Labs)\n"
    )
    importing.apply_import(workshop, importing.plan_import(workshop, text, user=alice))
    assert sorted(
        SpeakerProfile.objects.filter(name="J. Cohen").values_list("affiliation", flat=True)
    ) == ["Bell Labs", "CNRS"]
