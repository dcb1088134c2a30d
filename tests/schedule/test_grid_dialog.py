"""The grid's own ways to change the programme: a block opens its item in a dialog, an empty
slot a new item there (with someone new to speak), a block's edge sets its end, and a release
is published from the grid, asking first when the schedule has conflicts."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from schedule.models import ScheduleItem, ScheduleRelease
from tests.factories import (
    OrganizerFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    WorkshopFactory,
)
from tests.html_forms import form_values
from tests.schedule.slots import at, item
from workshops.models import SpeakerAppearance, SpeakerProfile

pytestmark = pytest.mark.django_db


def grid_url(workshop, query: str = "") -> str:
    url = reverse("admin:workshops_workshop_schedule_grid", args=[workshop.pk])
    return f"{url}?{query}" if query else url


def dialog_of(page: str) -> str:
    found = re.search(r'<dialog class="item-dialog".*?</dialog>', page, re.S)
    return found[0] if found else ""


def said(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def dialog_post(page: str, **changes) -> dict:
    """The dialog's form as the browser would post it, with ``changes`` (item-<name>)."""
    html = dialog_of(page).replace("<form ", '<form id="dialog" ', 1)
    values = form_values(html, "dialog")
    values.update({f"item-{name}": value for name, value in changes.items()})
    values["_save_item"] = "Save"
    return values


def test_a_block_opens_its_item_in_a_dialog_that_saves_it_with_a_new_speaker(
    client, alice, workshop
):
    amphi = RoomFactory(workshop=workshop, name="Amphi")
    ada = SpeakerAppearanceFactory(workshop=workshop, speaker__name="Ada Lovelace").speaker
    talk = item(workshop, "09:00", "09:30", room=amphi, title="Engines", speakers=[ada])
    client.force_login(alice)

    page = client.get(grid_url(workshop, f"day=2030-03-04&edit={talk.pk}")).content.decode()

    dialog = dialog_of(page)
    assert "Edit “Engines”" in dialog
    assert 'value="09:00"' in dialog and 'value="09:30"' in dialog  # 24-hour, Paris time
    assert re.search(rf'<option value="{amphi.pk}" selected>Amphi</option>', dialog)

    saved = client.post(
        grid_url(workshop, f"day=2030-03-04&edit={talk.pk}"),
        dialog_post(
            page, title="Analytical engines", end="09:45", new_speaker="Grace Hopper",
            new_speaker_affiliation="Navy",
        ),
    )  # fmt: skip

    assert saved.status_code == 302 and saved.url.endswith("?day=2030-03-04&step=15")
    assert "“Analytical engines” saved." in said(saved)
    talk.refresh_from_db()
    assert (talk.title, talk.end) == ("Analytical engines", at(workshop, "09:45"))
    grace = SpeakerProfile.objects.get(name="Grace Hopper")
    assert (grace.affiliation, grace.home_workshop, grace.created_by) == ("Navy", workshop, alice)
    assert set(talk.speakers.all()) == {ada, grace}
    assert SpeakerAppearance.objects.get(speaker=grace, workshop=workshop).confirmed


def test_an_empty_slot_opens_a_new_item_there(client, alice, workshop):
    hall = RoomFactory(workshop=workshop, name="Hall")
    item(workshop, "09:00", "09:30", room=hall)
    client.force_login(alice)
    grid = client.get(grid_url(workshop, "day=2030-03-05")).content.decode()
    slot = f"?day=2030-03-05&amp;step=15&amp;new=10:00&amp;room={hall.pk}"
    assert f'href="{slot}"' in grid  # each slot of the day links to a new item there

    page = client.get(grid_url(workshop, slot.replace("&amp;", "&")[1:])).content.decode()

    assert "New item" in dialog_of(page)
    created = client.post(
        grid_url(workshop, "day=2030-03-05&new=10:00"),
        dialog_post(page, title="Coffee", kind="break", end="10:30"),
    )
    assert created.status_code == 302 and "“Coffee” added." in said(created)
    coffee = ScheduleItem.objects.get(title="Coffee")
    assert (coffee.start, coffee.end, coffee.room, coffee.kind) == (
        at(workshop, "10:00", day=1),
        at(workshop, "10:30", day=1),
        hall,
        "break",
    )


def test_a_refused_dialog_keeps_what_was_typed_and_writes_nothing(client, alice, workshop):
    ada = SpeakerAppearanceFactory(workshop=workshop, speaker__name="Ada Lovelace").speaker
    talk = item(workshop, "09:00", "09:30", title="Engines")
    client.force_login(alice)
    page = client.get(grid_url(workshop, f"edit={talk.pk}")).content.decode()

    for changes, message in (
        ({"title": "Typed", "end": "08:00"}, "An item must end after it starts."),
        ({"title": "Typed", "start": "9h7"}, "Enter a valid time."),
        ({"title": "Typed", "new_speaker": "ada  LOVELACE"}, "is in the list already"),
    ):
        refused = client.post(grid_url(workshop, f"edit={talk.pk}"), dialog_post(page, **changes))
        assert refused.status_code == 200
        dialog = dialog_of(refused.content.decode())
        assert message in dialog and 'value="Typed"' in dialog
    talk.refresh_from_db()
    assert (talk.title, talk.end) == ("Engines", at(workshop, "09:30"))
    assert list(SpeakerProfile.objects.all()) == [ada]


def test_the_dialog_opens_and_saves_only_this_workshops_items(client, alice, workshop):
    other = WorkshopFactory(organizers=[OrganizerFactory(email="bob@example.org")])
    foreign = ScheduleItemFactory(workshop=other, title="Bob's", start=None, end=None)
    mine = item(workshop, "09:00", "09:30", title="Mine")
    client.force_login(alice)
    page = client.get(grid_url(workshop, f"edit={foreign.pk}"))
    assert page.status_code == 200 and not dialog_of(page.content.decode())
    assert "That item is not in this workshop's schedule." in said(page)

    mine_page = client.get(grid_url(workshop, f"edit={mine.pk}")).content.decode()
    posted = dialog_post(mine_page, title="Taken")
    posted["edit"] = str(foreign.pk)
    client.post(grid_url(workshop), posted)
    foreign.refresh_from_db()
    mine.refresh_from_db()
    assert (foreign.title, mine.title) == ("Bob's", "Mine")


def test_a_blocks_edge_sets_its_end_and_the_change_can_be_undone(client, alice, workshop):
    hall = RoomFactory(workshop=workshop, name="Hall")
    talk = item(workshop, "09:00", "09:30", room=hall, title="Engines")
    client.force_login(alice)
    grid = client.get(grid_url(workshop, "day=2030-03-04")).content.decode()
    assert f'data-resize="{talk.pk}"' in grid and 'data-end="09:15"' in grid

    def drop_edge(end: str):  # what dropping it posts: the block's start and room, an end
        return client.post(
            grid_url(workshop),
            {"_move": "1", "item": talk.pk, "day": "2030-03-04", "start": "09:00", "end": end,
             "room": hall.pk},
        )  # fmt: skip

    resized = drop_edge("10:15")  # on the 10:00 slot

    assert "“Engines” moved to Mon 4 March, 09:00–10:15, Hall." in said(resized)
    talk.refresh_from_db()
    assert talk.end == at(workshop, "10:15")
    client.post(grid_url(workshop), {"_undo": "1"})
    talk.refresh_from_db()
    assert talk.end == at(workshop, "09:30")

    refused = drop_edge("08:00")
    assert "An item must end after it starts." in said(refused)
    talk.refresh_from_db()
    assert talk.end == at(workshop, "09:30")


def test_publishing_from_the_grid_lists_the_conflicts_and_asks_first(client, alice, workshop):
    ada = SpeakerAppearanceFactory(workshop=workshop, speaker__name="Ada Lovelace").speaker
    item(workshop, "09:00", "10:00", title="Engines", speakers=[ada])
    item(workshop, "09:30", "10:30", title="Looms", speakers=[ada])
    client.force_login(alice)
    page = client.get(grid_url(workshop)).content.decode()
    listed = page.split('data-testid="publish-conflicts"')[1].split("</ul>")[0]
    assert "Ada Lovelace is in “Engines” and “Looms” at once" in listed
    publish = {"release-version": "v1", "release-status": "tentative", "release-notify": "on",
               "_publish": "Publish release"}  # fmt: skip

    refused = client.post(grid_url(workshop, "day=2030-03-04"), publish)

    assert refused.status_code == 200 and not ScheduleRelease.objects.exists()
    body = refused.content.decode()
    assert (
        "Resolve them, or tick this box" in body
        and '<details class="schedule-section" id="publish" open>' in body
    )

    published = client.post(
        grid_url(workshop, "day=2030-03-04"), {**publish, "release-accept_conflicts": "on"}
    )

    assert published.status_code == 302 and published.url.endswith("?day=2030-03-04&step=15")
    assert ScheduleRelease.objects.get(workshop=workshop).version == "v1"
    assert any(m.startswith("Published v1 (tentative)") for m in said(published))
