"""The organizer's schedule page and the schedule admins: scoping, editing, warnings, releases."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outbox.models import OutgoingMail
from schedule.models import ScheduleItem, ScheduleRelease
from schedule.services import publish_schedule
from tests.factories import (
    OrganizerFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    SpeakerProfileFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return OrganizerFactory(email="alice@example.org")


@pytest.fixture
def workshop(alice):
    return WorkshopFactory(
        title="Tensor Workshop",
        time_zone="Europe/Paris",
        start_date=dt.date(2030, 3, 4),
        end_date=dt.date(2030, 3, 5),
        organizers=[alice],
    )


@pytest.fixture
def talks(workshop):
    room = RoomFactory(workshop=workshop, name="Amphi")
    ada = SpeakerAppearanceFactory(workshop=workshop, speaker__name="Ada").speaker
    first = ScheduleItemFactory(
        workshop=workshop, title="Engines", room=room, speakers=[ada],
        start=at(workshop, "09:00"), end=at(workshop, "09:30"),
    )  # fmt: skip
    second = ScheduleItemFactory(
        workshop=workshop, title="Looms", room=room,
        start=at(workshop, "10:00"), end=at(workshop, "10:30"),
    )  # fmt: skip
    return {"room": room, "ada": ada, "first": first, "second": second}


def at(workshop, hhmm: str, day: int = 0) -> dt.datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return workshop.local_datetime(
        workshop.start_date + dt.timedelta(days=day), dt.time(hours, minutes)
    )


def schedule_url(workshop) -> str:
    return reverse("admin:workshops_workshop_schedule", args=[workshop.pk])


def row(item: ScheduleItem, **changes) -> dict:
    """The posted fields of an item's row, as the page shows them, with ``changes``."""
    tz = item.workshop.tz
    start, end = item.start.astimezone(tz), item.end.astimezone(tz)
    fields = {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "day": start.date().isoformat(),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "room": item.room_id or "",
        "speakers": [s.pk for s in item.speakers.all()],
    }
    return fields | changes


def formset_data(rows: list[dict], new: list[dict] = ()) -> dict:
    data = {
        "items-TOTAL_FORMS": len(rows) + len(new),
        "items-INITIAL_FORMS": len(rows),
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for index, fields in enumerate([*rows, *new]):
        data |= {f"items-{index}-{name}": value for name, value in fields.items()}
    return data


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_organizer_sees_the_schedule_day_by_day(client, alice, workshop, talks):
    late = ScheduleItemFactory(
        workshop=workshop, title="Dinner", kind="meal", room=None,
        start=at(workshop, "19:00", day=1), end=at(workshop, "21:00", day=1),
    )  # fmt: skip
    ScheduleItemFactory(workshop=workshop, title="Unplaced talk", start=None, end=None)
    client.force_login(alice)

    response = client.get(schedule_url(workshop))

    assert response.status_code == 200
    days = response.context["days"]
    assert [day.label for day in days] == [
        "Monday 4 March 2030", "Tuesday 5 March 2030", "Not placed yet",
    ]  # fmt: skip
    assert [[r.form.instance.title for r in day.rows] for day in days] == [
        ["Engines", "Looms"], ["Dinner"], ["Unplaced talk"],
    ]  # fmt: skip
    page = response.content.decode()
    # Times in the workshop's zone (Paris), not UTC.
    assert 'name="items-0-start" value="09:00"' in page
    assert f'id="item-{late.pk}"' in page
    assert "No conflicts." in page


def test_the_schedule_page_is_linked_from_the_workshop_pages(client, alice, workshop):
    client.force_login(alice)
    change = client.get(reverse("admin:workshops_workshop_change", args=[workshop.pk]))
    listing = client.get(reverse("admin:workshops_workshop_changelist"))
    assert schedule_url(workshop) in change.content.decode()
    assert schedule_url(workshop) in listing.content.decode()


def test_another_organizer_gets_no_schedule_page(client, workshop, talks):
    bob = OrganizerFactory(email="bob@example.org")
    client.force_login(bob)

    assert client.get(schedule_url(workshop)).status_code == 404
    response = client.post(schedule_url(workshop), formset_data([row(talks["first"])]))
    assert response.status_code == 404
    response = client.post(
        schedule_url(workshop),
        {"_publish": "1", "release-version": "v1", "release-status": "final"},
    )
    assert response.status_code == 404
    assert not ScheduleRelease.objects.exists()


def test_people_without_admin_access_are_sent_to_the_login(client, workshop):
    assert reverse("admin:login") in client.get(schedule_url(workshop)).url
    client.force_login(UserFactory())
    assert reverse("admin:login") in client.get(schedule_url(workshop)).url


def test_a_superuser_opens_any_schedule(client, workshop):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(schedule_url(workshop)).status_code == 200


def test_moving_an_item_in_its_row_saves_and_warns_of_the_conflict(client, alice, workshop, talks):
    client.force_login(alice)
    first, second = talks["first"], talks["second"]

    response = client.post(
        schedule_url(workshop),
        formset_data([row(first), row(second, start="09:15", end="09:45", title="Looms II")]),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    second.refresh_from_db()
    assert second.start == at(workshop, "09:15")
    assert second.end == at(workshop, "09:45")
    assert second.title == "Looms II"
    assert messages_of(response) == [
        ("warning", "“Engines” and “Looms II” overlap in Amphi (Mon 4 March, 09:15–09:30)."),
        ("success", "The schedule was saved."),
    ]
    page = client.get(response.url)
    assert [c.item_ids for c in page.context["conflicts"]] == [(first.pk, second.pk)]
    assert "1 conflict" in page.content.decode()
    assert "has-conflict" in page.content.decode()


def test_rows_add_place_and_unplace_items(client, alice, workshop, talks):
    client.force_login(alice)
    bea = SpeakerAppearanceFactory(workshop=workshop, speaker__name="Bea").speaker
    new = {
        "kind": "break", "title": "Coffee", "day": "2030-03-05", "start": "10:30",
        "end": "11:00", "room": "", "speakers": [],
    }  # fmt: skip
    second = {"day": "", "start": "", "end": "", "speakers": [bea.pk]}

    response = client.post(
        schedule_url(workshop),
        formset_data([row(talks["first"]), row(talks["second"], **second)], [new]),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    coffee = ScheduleItem.objects.get(title="Coffee")
    assert (coffee.workshop, coffee.kind, coffee.room) == (workshop, "break", None)
    assert coffee.start == at(workshop, "10:30", day=1)
    talks["second"].refresh_from_db()
    assert talks["second"].start is None and talks["second"].end is None
    assert list(talks["second"].speakers.all()) == [bea]


def test_a_row_ending_before_it_starts_is_refused(client, alice, workshop, talks):
    client.force_login(alice)
    second = talks["second"]

    response = client.post(
        schedule_url(workshop),
        formset_data([row(talks["first"]), row(second, start="11:00", end="10:00")]),
    )

    assert response.status_code == 200
    [form] = [f for f in response.context["formset"].forms if f.instance.pk == second.pk]
    assert form.errors == {"end": ["An item must end after it starts."]}
    assert "An item must end after it starts." in response.content.decode()
    second.refresh_from_db()
    assert second.start == at(workshop, "10:00")


def test_a_row_with_an_end_needs_a_start(client, alice, workshop, talks):
    client.force_login(alice)
    response = client.post(
        schedule_url(workshop),
        formset_data([row(talks["first"], start=""), row(talks["second"])]),
    )
    assert response.status_code == 200
    assert "Give a start for an item with an end." in response.content.decode()
    talks["first"].refresh_from_db()
    assert talks["first"].start == at(workshop, "09:00")


def test_a_row_with_a_day_and_no_times_is_all_day(client, alice, workshop, talks):
    client.force_login(alice)
    response = client.post(
        schedule_url(workshop),
        formset_data([row(talks["first"], start="", end=""), row(talks["second"])]),
    )
    assert response.status_code == 302
    talks["first"].refresh_from_db()
    first = talks["first"]
    assert (first.start, first.end, first.day) == (None, None, workshop.start_date)
    assert first.all_day and first.duration == dt.timedelta(minutes=30)


def test_rows_offer_only_this_workshops_rooms_and_speakers(client, alice, workshop, talks):
    other = WorkshopFactory(organizers=[alice])
    foreign_room = RoomFactory(workshop=other, name="Elsewhere")
    stranger = SpeakerProfileFactory(name="Stranger")
    client.force_login(alice)

    response = client.post(
        schedule_url(workshop),
        formset_data([row(talks["first"], room=foreign_room.pk, speakers=[stranger.pk])]),
    )

    assert response.status_code == 200
    [form] = response.context["formset"].forms[:1]
    assert set(form.errors) == {"room", "speakers"}
    talks["first"].refresh_from_db()
    assert talks["first"].room == talks["room"]


def test_a_multi_day_item_keeps_its_times_when_its_row_is_left_alone(
    client, alice, workshop, talks
):
    party = ScheduleItemFactory(
        workshop=workshop, title="Party", kind="social", room=None,
        start=at(workshop, "22:00"), end=at(workshop, "01:00", day=1),
    )  # fmt: skip
    client.force_login(alice)

    response = client.post(
        schedule_url(workshop),
        formset_data([row(talks["first"]), row(party, title="Party!")]),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    party.refresh_from_db()
    assert (party.title, party.end) == ("Party!", at(workshop, "01:00", day=1))


def test_publishing_from_the_schedule_page_creates_the_release(client, alice, workshop, talks):
    client.force_login(alice)
    assert "Added: “Engines”" in client.get(schedule_url(workshop)).content.decode()

    response = client.post(
        schedule_url(workshop),
        {
            "_publish": "1",
            "release-version": "v1",
            "release-status": "tentative",
            "release-notes": "First tentative schedule.",
            "release-notify": "on",
        },
    )

    assert response.status_code == 302
    release = ScheduleRelease.objects.get()
    assert (release.workshop, release.version, release.status, release.published_by) == (
        workshop, "v1", "tentative", alice,
    )  # fmt: skip
    assert release.notes == "First tentative schedule."
    workshop.refresh_from_db()
    assert workshop.schedule_status == Workshop.ScheduleStatus.TENTATIVE
    assert messages_of(response) == [
        (
            "success",
            "Published v1 (tentative): 2 added, 0 removed, 0 moved, 0 retitled, "
            "0 with new speakers; "
            "0 speaker mail(s) queued.",
        )
    ]  # Ada has no address
    page = client.get(schedule_url(workshop)).content.decode()
    assert "Nothing changed since the last release." in page
    assert "First release: 2 items." in page


def test_publishing_shows_the_diff_and_queues_the_mails(client, alice, workshop, talks):
    talks["ada"].email = "ada@example.org"
    talks["ada"].save()
    publish_schedule(workshop=workshop, version="v1", status="tentative", notify=False)
    client.force_login(alice)
    client.post(
        schedule_url(workshop),
        formset_data([row(talks["first"], start="11:00", end="11:30"), row(talks["second"])]),
    )
    assert (
        "Moved: “Engines”, Mon 4 March, 09:00–09:30, Amphi → Mon 4 March, 11:00–11:30, Amphi"
        in (client.get(schedule_url(workshop)).content.decode())
    )

    response = client.post(
        schedule_url(workshop),
        {"_publish": "1", "release-version": "v2", "release-status": "final",
         "release-notify": "on"},
    )  # fmt: skip

    release = ScheduleRelease.objects.get(version="v2")
    assert [e["id"] for e in release.changes["moved"]] == [talks["first"].pk]
    assert [m.to for m in OutgoingMail.objects.all()] == ["ada@example.org"]
    page = client.get(response.url).content.decode()
    assert "v2 · Final" in page


def test_a_used_version_comes_back_as_a_form_error(client, alice, workshop, talks):
    publish_schedule(workshop=workshop, version="v1", status="tentative")
    client.force_login(alice)

    response = client.post(
        schedule_url(workshop),
        {"_publish": "1", "release-version": "v1", "release-status": "final"},
    )

    assert response.status_code == 200
    assert "There is already a release “v1”" in response.content.decode()
    assert ScheduleRelease.objects.count() == 1


def test_drafting_talk_slots_from_the_schedule_page(client, alice, workshop):
    SpeakerAppearanceFactory(workshop=workshop)
    client.force_login(alice)

    response = client.post(schedule_url(workshop), {"_draft": "1"})

    assert response.status_code == 302
    assert ScheduleItem.objects.filter(workshop=workshop, start=None).count() == 1


def test_the_workshop_list_action_drafts_slots_for_own_workshops_only(client, alice, workshop):
    SpeakerAppearanceFactory(workshop=workshop)
    theirs = WorkshopFactory()
    SpeakerAppearanceFactory(workshop=theirs)
    client.force_login(alice)

    response = client.post(
        reverse("admin:workshops_workshop_changelist"),
        {"action": "draft_talk_slots", "_selected_action": [workshop.pk, theirs.pk]},
    )

    assert response.status_code == 302
    assert ScheduleItem.objects.filter(workshop=workshop).count() == 1
    assert not ScheduleItem.objects.filter(workshop=theirs).exists()
    assert messages_of(response) == [("success", "1 talk slot(s) drafted for confirmed speakers.")]


def test_schedule_page_reads_a_constant_number_of_queries(
    client, alice, workshop, django_assert_max_num_queries
):
    client.force_login(alice)
    rooms = [RoomFactory(workshop=workshop) for _ in range(3)]

    def add_items(n):
        for i in range(n):
            start = at(workshop, "08:00") + dt.timedelta(minutes=10 * i)
            ScheduleItemFactory(
                workshop=workshop, room=rooms[i % 3], start=start,
                end=start + dt.timedelta(minutes=30),
                speakers=[SpeakerAppearanceFactory(workshop=workshop).speaker],
            )  # fmt: skip

    add_items(3)
    publish_schedule(workshop=workshop, version="v1", status="tentative")

    with CaptureQueriesContext(connection) as few:
        client.get(schedule_url(workshop))
    add_items(30)
    with django_assert_max_num_queries(len(few)):
        assert client.get(schedule_url(workshop)).status_code == 200


# The item's own admin form


def item_form(item: ScheduleItem, **changes) -> dict:
    tz = item.workshop.tz
    start, end = item.start.astimezone(tz), item.end.astimezone(tz)
    data = {
        "workshop": item.workshop_id,
        "order": item.order,
        "kind": item.kind,
        "title": item.title,
        "start_0": start.date().isoformat(),
        "start_1": f"{start:%H:%M:%S}",
        "end_0": end.date().isoformat(),
        "end_1": f"{end:%H:%M:%S}",
        "room": item.room_id or "",
        "speakers": [s.pk for s in item.speakers.all()],
        "abstract": item.abstract,
    }
    return data | changes


def test_item_form_shows_and_reads_times_in_the_workshop_zone(client, alice, workshop, talks):
    client.force_login(alice)
    url = reverse("admin:schedule_scheduleitem_change", args=[talks["second"].pk])

    page = client.get(url).content.decode()
    assert 'value="10:00"' in page
    assert "Europe/Paris" in page

    response = client.post(url, item_form(talks["second"], start_1="09:10:00"))

    assert response.status_code == 302, response.content.decode()[:3000]
    talks["second"].refresh_from_db()
    assert talks["second"].start == at(workshop, "09:10")
    assert messages_of(response)[0] == (
        "warning",
        "“Engines” and “Looms” overlap in Amphi (Mon 4 March, 09:10–09:30).",
    )


def test_item_form_refuses_an_end_before_the_start(client, alice, workshop, talks):
    client.force_login(alice)
    url = reverse("admin:schedule_scheduleitem_change", args=[talks["second"].pk])

    response = client.post(url, item_form(talks["second"], end_1="09:00:00"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end"] == ["An item must end after it starts."]
    talks["second"].refresh_from_db()
    assert talks["second"].end == at(workshop, "10:30")


def test_item_form_warns_of_a_speaker_double_booked(client, alice, workshop, talks):
    other_room = RoomFactory(workshop=workshop, name="Salle B")
    client.force_login(alice)

    response = client.post(
        reverse("admin:schedule_scheduleitem_add"),
        {
            "workshop": workshop.pk, "order": 0, "kind": "talk", "title": "Ada again",
            "start_0": "2030-03-04", "start_1": "09:00:00", "end_0": "2030-03-04",
            "end_1": "09:30:00", "room": other_room.pk, "speakers": [talks["ada"].pk],
            "abstract": "",
        },
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:3000]
    assert ScheduleItem.objects.get(title="Ada again").start == at(workshop, "09:00")
    assert (
        "warning",
        "Ada is in “Engines” and “Ada again” at once (Mon 4 March, 09:00–09:30).",
    ) in (messages_of(response))


# Releases in the admin


def test_releases_are_listed_read_only_and_scoped(client, alice, workshop, talks):
    mine = publish_schedule(workshop=workshop, version="v1", status="tentative")
    theirs = publish_schedule(workshop=WorkshopFactory(), version="secret-v1", status="final")
    client.force_login(alice)

    listing = client.get(reverse("admin:schedule_schedulerelease_changelist"))

    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [mine]
    assert "secret-v1" not in listing.content.decode()
    detail = client.get(reverse("admin:schedule_schedulerelease_change", args=[mine.pk]))
    assert detail.status_code == 200
    assert "Added: “Engines”" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    other = client.get(reverse("admin:schedule_schedulerelease_change", args=[theirs.pk]))
    assert other.status_code == 302
    add = client.get(reverse("admin:schedule_schedulerelease_add"))
    assert add.status_code == 403
