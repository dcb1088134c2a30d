"""A speaker's stated availability: the days (and hours) they said they can be there. An item
that puts them outside it is a conflict, named on the grid; a speaker who said nothing is free
throughout. Organizers state it on the speaker's appearance, for their own workshops only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schedule.conflicts import ConflictKind, find_conflicts
from tests.factories import OrganizerFactory, ScheduleItemFactory, SpeakerAppearanceFactory
from tests.html_forms import form_values
from tests.schedule.slots import item
from workshops.models import SpeakerAvailability

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(workshop):
    return SpeakerAppearanceFactory(workshop=workshop, speaker__name="Ada Lovelace", confirmed=True)


def window(appearance, day: dt.date, start=None, end=None) -> SpeakerAvailability:
    return SpeakerAvailability.objects.create(appearance=appearance, day=day, start=start, end=end)


def test_the_windows_read_as_people_say_them(workshop, ada):
    monday, tuesday = workshop.start_date, workshop.last_date
    assert window(ada, monday, dt.time(9), dt.time(13)).text == "Mon 4 March, 09:00–13:00"
    assert window(ada, monday, dt.time(14)).text == "Mon 4 March, from 14:00"
    assert window(ada, tuesday, None, dt.time(12)).text == "Tue 5 March, until 12:00"
    assert window(ada, tuesday).text == "Tue 5 March, all day"
    backwards = SpeakerAvailability(appearance=ada, day=monday, start=dt.time(13), end=dt.time(9))
    with pytest.raises(ValidationError):
        backwards.full_clean()


def test_an_item_outside_a_speakers_stated_times_is_a_conflict(workshop, ada):
    speaker = ada.speaker
    morning = item(workshop, "09:30", "10:00", title="Engines", speakers=[speaker])
    afternoon = item(workshop, "15:00", "15:30", title="Looms", speakers=[speaker])
    posters = item(workshop, "12:00", None, title="Posters", speakers=[speaker])
    assert find_conflicts(workshop) == []  # stated nothing: free throughout

    window(ada, workshop.start_date, dt.time(9), dt.time(13))

    found = find_conflicts(workshop)
    assert [c.kind for c in found] == [ConflictKind.AVAILABILITY, ConflictKind.AVAILABILITY]
    assert {c.item_ids for c in found} == {(posters.pk,), (afternoon.pk,)}
    assert found[1].message == (
        "Ada Lovelace is not available for “Looms” (Mon 4 March, 15:00–15:30): "
        "they can be there Mon 4 March, 09:00–13:00."
    )
    # The open-ended poster session lasts until the next item in its room: past 13:00.
    assert morning.pk not in {i for c in found for i in c.item_ids}

    window(ada, workshop.start_date, dt.time(13))  # and the afternoon too

    assert find_conflicts(workshop) == []


def test_an_all_day_item_needs_a_window_on_its_day(workshop, ada):
    trip = ScheduleItemFactory(
        workshop=workshop, title="Excursion", start=None, end=None, day=workshop.last_date,
        speakers=[ada.speaker],
    )  # fmt: skip
    window(ada, workshop.start_date)
    [conflict] = find_conflicts(workshop)
    assert conflict.item_ids == (trip.pk,)
    assert "(Tue 5 March, all day)" in conflict.message
    window(ada, workshop.last_date, dt.time(10), dt.time(11))
    assert find_conflicts(workshop) == []


def test_the_grid_names_the_conflict_on_the_block(client, alice, workshop, ada):
    talk = item(workshop, "15:00", "15:30", title="Looms", speakers=[ada.speaker])
    window(ada, workshop.start_date, dt.time(9), dt.time(13))
    client.force_login(alice)
    url = reverse("admin:workshops_workshop_schedule_grid", args=[workshop.pk])
    page = client.get(url).content.decode()
    block = re.search(rf'<a class="grid-block[^"]*has-conflict[^>]*data-item="{talk.pk}"', page)
    assert block and "Ada Lovelace is not available for “Looms”" in page


def test_organizers_state_it_on_the_appearance_of_their_own_workshops_only(
    client, alice, workshop, ada
):
    change = reverse("admin:workshops_speakerappearance_change", args=[ada.pk])
    client.force_login(alice)
    page = client.get(change).content.decode()
    assert "When the speaker can be there" in page
    data = form_values(page, "speakerappearance_form")
    data |= {
        "availabilities-0-day": ["2030-03-04"],
        "availabilities-0-start": ["09:00"],
        "availabilities-0-end": ["13:00"],
    }
    saved = client.post(change, data)
    assert saved.status_code == 302
    [stated] = ada.availabilities.all()
    assert (stated.start, stated.end) == (dt.time(9), dt.time(13))
    listing = client.get(reverse("admin:workshops_speakerappearance_changelist")).content.decode()
    assert "Mon 4 March, 09:00–13:00" in listing

    client.force_login(OrganizerFactory(email="bob@example.org"))
    assert client.get(change).status_code == 302  # “does not exist”, back to the index
    assert client.post(change, data | {"availabilities-0-end": ["18:00"]}).status_code == 302
    stated.refresh_from_db()
    assert stated.end == dt.time(13)
