"""Publishing releases: snapshots, diffs, revisions, status, and one mail per speaker."""

import datetime as dt

import pytest

from outbox.models import OutgoingMail
from schedule import emails
from schedule.changes import release_history
from schedule.models import ScheduleItem, ScheduleRelease
from schedule.services import ScheduleError, draft_items_for_speakers, publish_schedule
from tests.factories import (
    RoomFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    SpeakerProfileFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

TENTATIVE, FINAL = Workshop.ScheduleStatus.TENTATIVE, Workshop.ScheduleStatus.FINAL


@pytest.fixture
def workshop():
    return WorkshopFactory(
        time_zone="Europe/Paris",
        start_date=dt.date(2030, 3, 4),
        end_date=dt.date(2030, 3, 5),
        schedule_status=Workshop.ScheduleStatus.HIDDEN,
    )


def at(workshop, hhmm: str, day: int = 0) -> dt.datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return workshop.local_datetime(
        workshop.start_date + dt.timedelta(days=day), dt.time(hours, minutes)
    )


def place(item: ScheduleItem, start: str, end: str, *, day: int = 0, room="same") -> None:
    item.start, item.end = at(item.workshop, start, day), at(item.workshop, end, day)
    if room != "same":
        item.room = room
    item.save()


def publish(workshop, version: str, **kwargs) -> ScheduleRelease:
    return publish_schedule(
        workshop=workshop, version=version, notes=kwargs.pop("notes", ""),
        status=kwargs.pop("status", TENTATIVE), **kwargs,
    )  # fmt: skip


def schedule_mails() -> list[OutgoingMail]:
    return list(OutgoingMail.objects.filter(key__startswith="schedule-change:").order_by("pk"))


@pytest.fixture
def programme(workshop):
    """A small programme: two rooms, four speakers (one without any address)."""
    a, b = RoomFactory(workshop=workshop, name="A"), RoomFactory(workshop=workshop, name="B")
    ada = SpeakerProfileFactory(name="Ada", email="ada@example.org")
    bob = SpeakerProfileFactory(name="Bob", email="", user=UserFactory(email="bob@example.org"))
    cy = SpeakerProfileFactory(name="Cy", email="cy@example.org")
    nobody = SpeakerProfileFactory(name="No Address", email="")

    def item(title, start, end, room, speakers):
        return ScheduleItemFactory(
            workshop=workshop, title=title, room=room, speakers=speakers,
            start=at(workshop, start), end=at(workshop, end),
        )  # fmt: skip

    items = {
        "engines": item("Engines", "09:00", "09:30", a, [ada]),
        "looms": item("Looms", "09:30", "10:00", a, [ada, nobody]),
        "bees": item("Bees", "09:00", "09:30", b, [bob]),
        "coffee": ScheduleItemFactory(
            workshop=workshop,
            kind="break",
            title="Coffee",
            room=None,
            start=at(workshop, "10:00"),
            end=at(workshop, "10:30"),
        ),
        "ciphers": item("Ciphers", "10:30", "11:00", b, [cy]),
    }
    unplaced = ScheduleItemFactory(workshop=workshop, title="TBA", start=None, end=None)
    return {"rooms": (a, b), "speakers": (ada, bob, cy, nobody), "unplaced": unplaced, **items}


def test_first_release_snapshots_placed_items_and_sets_the_status(workshop, programme):
    user = UserFactory()

    release = publish(workshop, "v1", notes="  First draft.  ", user=user)

    assert release.version == "v1"
    assert release.status == TENTATIVE
    assert release.notes == "First draft."
    assert release.published_by == user
    workshop.refresh_from_db()
    assert workshop.schedule_status == TENTATIVE
    assert [entry["title"] for entry in release.snapshot] == [
        "Engines", "Bees", "Looms", "Coffee", "Ciphers",
    ]  # fmt: skip
    engines = release.snapshot[0]
    ada = programme["speakers"][0]
    assert engines == {
        "id": programme["engines"].pk,
        "kind": "talk",
        "title": "Engines",
        "start": "2030-03-04T08:00:00Z",  # 09:00 in Paris, stored in UTC
        "end": "2030-03-04T08:30:00Z",
        "room_id": programme["rooms"][0].pk,
        "room": "A",
        "room_capacity": programme["rooms"][0].capacity,
        "room_order": programme["rooms"][0].order,
        "speakers": [
            {
                "id": ada.pk,
                "name": "Ada",
                "affiliation": ada.affiliation,
                "homepage": ada.homepage,
                "orcid": ada.orcid,
            }
        ],
        "abstract": "",
        "abstract_html": "",
        "revision": 0,
        "order": 0,
    }
    assert [e["title"] for e in release.changes["added"]] == [
        "Engines", "Bees", "Looms", "Coffee", "Ciphers",
    ]  # fmt: skip
    assert release.changes["removed"] == release.changes["moved"] == []
    assert release.changes["retitled"] == []


def test_first_release_tells_each_speaker_once(
    workshop, programme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        release = publish(workshop, "v1")

    mails = schedule_mails()
    ada, bob, cy, _ = programme["speakers"]
    assert [(m.key, m.to) for m in mails] == [
        (f"schedule-change:{release.pk}:{ada.pk}", "ada@example.org"),
        (f"schedule-change:{release.pk}:{bob.pk}", "bob@example.org"),  # from the account
        (f"schedule-change:{release.pk}:{cy.pk}", "cy@example.org"),
    ]  # the speaker without an address is skipped
    assert sorted(m.to[0] for m in mailoutbox) == [
        "ada@example.org", "bob@example.org", "cy@example.org",
    ]  # fmt: skip
    ada_mail = mails[0]
    assert "Added: “Engines”, Mon 4 March, 09:00–09:30, A" in ada_mail.body_text
    assert "Added: “Looms”, Mon 4 March, 09:30–10:00, A" in ada_mail.body_text
    assert "tentative" in ada_mail.subject


def test_second_release_lists_added_removed_moved_and_retitled(workshop, programme):
    publish(workshop, "v1")
    a, b = programme["rooms"]
    place(programme["engines"], "11:00", "11:30")  # moved in time
    place(programme["bees"], "09:00", "09:30", room=a)  # moved to another room
    programme["ciphers"].title = "Ciphers and codes"  # retitled
    programme["ciphers"].save()
    looms_pk = programme["looms"].pk
    programme["looms"].delete()  # removed
    programme["coffee"].start = programme["coffee"].end = None  # unplaced: removed too
    programme["coffee"].save()
    place(programme["unplaced"], "14:00", "14:30", room=b)  # added

    release = publish(workshop, "v2", status=FINAL)

    changes = release.changes
    assert [e["id"] for e in changes["added"]] == [programme["unplaced"].pk]
    assert [e["id"] for e in changes["removed"]] == [looms_pk, programme["coffee"].pk]
    # In the new schedule's time order: Bees (09:00, now in A), then Engines (now 11:00).
    assert [e["id"] for e in changes["moved"]] == [programme["bees"].pk, programme["engines"].pk]
    assert changes["moved"][0]["from"]["room"] == "B"
    assert changes["moved"][0]["to"]["room"] == "A"
    assert changes["retitled"] == [
        {
            "id": programme["ciphers"].pk,
            "kind": "talk",
            "from": "Ciphers",
            "to": "Ciphers and codes",
            "speakers": [{"id": programme["speakers"][2].pk, "name": "Cy"}],
        }
    ]
    workshop.refresh_from_db()
    assert workshop.schedule_status == FINAL


def test_an_item_both_moved_and_retitled_is_listed_twice(workshop, programme):
    publish(workshop, "v1")
    programme["bees"].title = "Bumblebees"
    place(programme["bees"], "15:00", "15:30")

    changes = publish(workshop, "v2").changes

    assert [e["id"] for e in changes["moved"]] == [programme["bees"].pk]
    assert [e["id"] for e in changes["retitled"]] == [programme["bees"].pk]


def test_a_talk_handed_to_another_speaker_tells_both_and_updates_calendars(workshop, programme):
    publish(workshop, "v1")
    first_round = schedule_mails()
    ada, bob, cy, _ = programme["speakers"]
    programme["bees"].speakers.set([cy])  # Bob's talk is now Cy's
    programme["looms"].speakers.set([programme["speakers"][3], ada])  # same people, reordered

    release = publish(workshop, "v2")

    bees = programme["bees"].pk
    assert release.changes["speakers"] == [
        {
            "id": bees,
            "kind": "talk",
            "title": "Bees",
            "from": ["Bob"],
            "to": ["Cy"],
            "speakers": [{"id": bob.pk, "name": "Bob"}, {"id": cy.pk, "name": "Cy"}],
        }
    ]
    assert ScheduleItem.objects.get(pk=bees).revision == 1
    assert ScheduleItem.objects.get(pk=programme["looms"].pk).revision == 0
    new = schedule_mails()[len(first_round) :]
    assert [(m.key, m.to) for m in new] == [
        (f"schedule-change:{release.pk}:{bob.pk}", "bob@example.org"),
        (f"schedule-change:{release.pk}:{cy.pk}", "cy@example.org"),
    ]
    for mail in new:
        assert "New speakers for “Bees”: Bob → Cy" in mail.body_text
    [entry] = [e for e in release_history(workshop) if e.version == "v2"]
    assert [line.text for line in entry.lines] == ["New speakers for “Bees”: Bob → Cy"]


def test_a_release_stored_before_speaker_changes_were_tracked_still_reads(workshop, programme):
    old = publish(workshop, "v1")
    del old.changes["speakers"]
    old.save(update_fields=["changes"])
    place(programme["engines"], "11:00", "11:30")

    release = publish(workshop, "v2")

    assert [e["id"] for e in release.changes["moved"]] == [programme["engines"].pk]
    assert [entry.version for entry in release_history(workshop)] == ["v2", "v1"]


def test_changed_items_get_their_revision_bumped(workshop, programme):
    publish(workshop, "v1")
    place(programme["engines"], "11:00", "11:30")
    programme["ciphers"].title = "Codes"
    programme["ciphers"].save()
    place(programme["unplaced"], "14:00", "14:30")

    publish(workshop, "v2")
    publish(workshop, "v3")  # nothing changed

    revisions = dict(ScheduleItem.objects.values_list("title", "revision"))
    assert revisions == {
        "Engines": 1, "Codes": 1, "Looms": 0, "Bees": 0, "Coffee": 0, "TBA": 0,
    }  # fmt: skip


def test_a_speaker_with_two_changed_items_gets_one_mail_listing_both(workshop, programme):
    publish(workshop, "v1")
    first_round = schedule_mails()
    place(programme["engines"], "11:00", "11:30")
    programme["looms"].title = "Looms and punched cards"
    place(programme["looms"], "14:00", "14:30", day=1)
    place(programme["ciphers"], "15:00", "15:30")

    release = publish(workshop, "v2", notes="Ada's talks swapped days.")

    new = schedule_mails()[len(first_round) :]
    ada, _, cy, _ = programme["speakers"]
    assert [(m.key, m.to) for m in new] == [
        (f"schedule-change:{release.pk}:{ada.pk}", "ada@example.org"),
        (f"schedule-change:{release.pk}:{cy.pk}", "cy@example.org"),
    ]
    text = new[0].body_text
    assert "Moved: “Engines”, Mon 4 March, 09:00–09:30, A → Mon 4 March, 11:00–11:30, A" in text
    assert (
        "Moved: “Looms and punched cards”, Mon 4 March, 09:30–10:00, A → "
        "Tue 5 March, 14:00–14:30, A"
    ) in text
    assert "Retitled: “Looms” → “Looms and punched cards”" in text
    assert "Ada's talks swapped days." in text
    assert "(times in Europe/Paris)" in text
    assert "Ciphers" not in text
    assert "Looms" in new[0].body_html


def test_publishing_again_without_changes_mails_nobody(
    workshop, programme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(workshop, "v1")
    sent = len(mailoutbox)
    assert sent == 3

    with django_capture_on_commit_callbacks(execute=True):
        release = publish(workshop, "v2")

    assert release.changes == {
        "added": [], "removed": [], "moved": [], "retitled": [], "speakers": [],
    }  # fmt: skip
    assert len(release.snapshot) == 5
    assert len(mailoutbox) == sent
    assert not OutgoingMail.objects.filter(key__startswith=f"schedule-change:{release.pk}:")


def test_the_speakers_of_a_removed_item_are_told(workshop, programme):
    publish(workshop, "v1")
    programme["bees"].delete()

    release = publish(workshop, "v2")

    [mail] = schedule_mails()[-1:]
    assert mail.key == f"schedule-change:{release.pk}:{programme['speakers'][1].pk}"
    assert "Removed: “Bees” (was Mon 4 March, 09:00–09:30, B)" in mail.body_text


def test_queueing_a_release_mails_again_sends_nothing_new(
    workshop, programme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        release = publish(workshop, "v1")
    before = (OutgoingMail.objects.count(), len(mailoutbox))
    assert before == (3, 3)

    with django_capture_on_commit_callbacks(execute=True):
        emails.queue_schedule_change_mails(release)

    assert (OutgoingMail.objects.count(), len(mailoutbox)) == before


def test_publishing_without_notifying_mails_nobody(workshop, programme):
    release = publish(workshop, "v1", notify=False)

    assert len(release.changes["added"]) == 5
    assert schedule_mails() == []


def test_a_used_version_is_refused_and_nothing_is_written(workshop, programme):
    publish(workshop, "v1")
    place(programme["engines"], "11:00", "11:30")
    mails = OutgoingMail.objects.count()

    with pytest.raises(ScheduleError, match="already a release “v1”"):
        publish(workshop, " v1 ", status=FINAL)

    assert ScheduleRelease.objects.count() == 1
    assert OutgoingMail.objects.count() == mails
    workshop.refresh_from_db()
    assert workshop.schedule_status == TENTATIVE
    assert ScheduleItem.objects.get(pk=programme["engines"].pk).revision == 0


@pytest.mark.parametrize(("version", "status"), [("", TENTATIVE), ("v1", "hidden")])
def test_a_release_needs_a_version_and_a_public_status(workshop, version, status):
    with pytest.raises(ScheduleError):
        publish(workshop, version, status=status)
    assert not ScheduleRelease.objects.exists()


def test_an_empty_schedule_can_be_released(workshop):
    release = publish(workshop, "v1")
    assert release.snapshot == []
    assert release.changes == {
        "added": [], "removed": [], "moved": [], "retitled": [], "speakers": [],
    }  # fmt: skip


def test_release_history_is_newest_first_in_the_workshop_zone(workshop, programme):
    publish(workshop, "v1")
    place(programme["engines"], "11:00", "11:30")
    publish(workshop, "v2", notes="Engines later.")

    history = release_history(workshop)

    assert [entry.version for entry in history] == ["v2", "v1"]
    assert [entry.is_first for entry in history] == [False, True]
    latest = history[0]
    assert latest.notes == "Engines later."
    assert latest.counts == {"added": 0, "removed": 0, "moved": 1, "retitled": 0}
    assert latest.published_at.tzinfo == workshop.tz
    [line] = latest.moved
    assert (line.title, line.before, line.after, line.speakers) == (
        "Engines", "Mon 4 March, 09:00–09:30, A", "Mon 4 March, 11:00–11:30, A", ("Ada",),
    )  # fmt: skip
    assert len(history[1].added) == 5
    coffee = next(line for line in history[1].added if line.title == "Coffee")
    assert coffee.after == "Mon 4 March, 10:00–10:30, all rooms"


def test_release_history_reads_one_query(workshop, programme, django_assert_num_queries):
    for version in ("v1", "v2", "v3"):
        publish(workshop, version)
    with django_assert_num_queries(1):
        release_history(workshop)


def test_draft_items_for_speakers_creates_one_slot_each_once(workshop):
    keynote = SpeakerAppearanceFactory(workshop=workshop, role="keynote", order=1)
    invited = SpeakerAppearanceFactory(workshop=workshop, role="invited", order=2)
    SpeakerAppearanceFactory(workshop=workshop, confirmed=False)
    lecturer = SpeakerAppearanceFactory(workshop=workshop, role="lecturer", order=3)
    booked = SpeakerAppearanceFactory(workshop=workshop, order=4)
    ScheduleItemFactory(workshop=workshop, kind="other", title="Panel", speakers=[booked.speaker])
    elsewhere = SpeakerAppearanceFactory(order=0)  # another workshop

    created = draft_items_for_speakers(workshop=workshop)

    assert [(i.kind, i.title, i.start, list(i.speakers.all())) for i in created] == [
        ("keynote", "", None, [keynote.speaker]),
        ("talk", "", None, [invited.speaker]),
        ("lecture", "", None, [lecturer.speaker]),
    ]
    assert draft_items_for_speakers(workshop=workshop) == []
    assert ScheduleItem.objects.filter(workshop=workshop).count() == 4
    assert not ScheduleItem.objects.filter(workshop=elsewhere.workshop).exists()
