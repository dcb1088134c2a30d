"""Speakers that just work: whoever is put on an item speaks at its workshop, the speakers
page names everyone the schedule names (by surname), and taking a speaker off the workshop
while they still have items says so, with the items."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from schedule.models import ScheduleItem
from tests.factories import (
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
    release_schedule,
)
from tests.html_forms import form_values
from tests.schedule.slots import at
from workshops.models import SpeakerAppearance

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(alice):
    return WorkshopFactory(
        slug="speakers",
        time_zone="Europe/Paris",
        schedule_status="final",
        start_date=dt.date(2030, 3, 4),
        end_date=dt.date(2030, 3, 4),
        organizers=[alice],
    )


def speaker_names(client, workshop) -> list[str]:
    page = client.get(f"/workshops/{workshop.slug}/speakers/").content.decode()
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page)]


def form_errors(response) -> list[str]:
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode())


def messages_of(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def test_a_speaker_put_on_an_item_on_the_schedule_page_becomes_a_speaker(client, alice, workshop):
    grace = SpeakerAppearanceFactory(
        workshop=workshop, speaker__name="Grace Hopper", confirmed=False
    ).speaker
    client.force_login(alice)
    # Offered although not confirmed yet (the page used to offer confirmed speakers only).
    SpeakerProfileFactory(name="Made Here", home_workshop=workshop)
    page = client.get(reverse("admin:workshops_workshop_schedule", args=[workshop.pk]))
    assert re.search(rf'<option value="{grace.pk}"[^>]*>Grace Hopper', page.content.decode())
    assert re.search(r'<option value="\d+"[^>]*>Made Here', page.content.decode())
    ada = SpeakerProfileFactory(name="Ada Lovelace")
    talk = ScheduleItemFactory(workshop=workshop, title="Engines", start=at(workshop, 9))
    talk.speakers.add(ada)  # on an item, without an appearance (as before this rule)

    response = client.post(
        reverse("admin:workshops_workshop_schedule", args=[workshop.pk]),
        {
            "items-TOTAL_FORMS": 1, "items-INITIAL_FORMS": 1,
            "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000,
            "items-0-id": talk.pk, "items-0-kind": "talk", "items-0-title": "Engines",
            "items-0-day": "2030-03-04", "items-0-start": "09:00", "items-0-end": "09:30",
            "items-0-room": "", "items-0-speakers": [ada.pk, grace.pk],
        },
    )  # fmt: skip

    assert response.status_code == 302
    appearances = dict(
        SpeakerAppearance.objects.filter(workshop=workshop).values_list(
            "speaker__name", "confirmed"
        )
    )
    # Ada had none: now confirmed. Grace was left unconfirmed by the organizer: stays so.
    assert appearances == {"Ada Lovelace": True, "Grace Hopper": False}


def test_a_speaker_added_in_the_items_form_becomes_a_speaker(client, alice, workshop):
    ada = SpeakerProfileFactory(name="Ada Lovelace", home_workshop=workshop)
    client.force_login(alice)
    add = client.get(reverse("admin:schedule_scheduleitem_add") + f"?workshop={workshop.pk}")
    data = form_values(add.content.decode(), "scheduleitem_form")
    data |= {"workshop": [str(workshop.pk)], "title": ["Engines"], "speakers": [str(ada.pk)]}
    data |= {"start_0": ["2030-03-04"], "start_1": ["09:00"]}
    data |= {"end_0": ["2030-03-04"], "end_1": ["09:30"]}

    response = client.post(reverse("admin:schedule_scheduleitem_add"), data)

    assert response.status_code == 302, form_errors(response)
    item = ScheduleItem.objects.get(workshop=workshop, title="Engines")
    assert list(item.speakers.all()) == [ada]
    assert SpeakerAppearance.objects.get(workshop=workshop, speaker=ada).confirmed


def test_the_speakers_page_names_everyone_on_a_released_item_by_surname(client, workshop):
    SpeakerAppearanceFactory(workshop=workshop, speaker__name="Élodie Zhou", confirmed=True)
    SpeakerAppearanceFactory(workshop=workshop, speaker__name="Jérémy Cohen", confirmed=True)
    unticked = SpeakerAppearanceFactory(
        workshop=workshop, speaker__name="Ada Lovelace", confirmed=False
    )
    SpeakerAppearanceFactory(workshop=workshop, speaker__name="Not Yet", confirmed=False)
    talk = ScheduleItemFactory(workshop=workshop, title="Engines", start=at(workshop, 9))
    talk.speakers.add(unticked.speaker)
    release_schedule(workshop)

    # Ada's appearance is unconfirmed, but the released schedule names her: so does this
    # page. "Not Yet" is on nothing public.
    assert speaker_names(client, workshop) == ["Jérémy Cohen", "Ada Lovelace", "Élodie Zhou"]


def test_unticking_confirmed_warns_with_the_items_still_held(client, alice, workshop):
    ada = SpeakerAppearanceFactory(
        workshop=workshop, speaker__name="Ada Lovelace", confirmed=True
    ).speaker
    for title, hour in (("Engines", 9), ("Looms", 11)):
        ScheduleItemFactory(
            workshop=workshop, title=title, start=at(workshop, hour), speakers=[ada]
        )
    client.force_login(alice)
    url = reverse("admin:workshops_workshop_change", args=[workshop.pk])
    data = form_values(client.get(url).content.decode(), "workshop_form")
    assert data["appearances-0-confirmed"] == ["on"]
    del data["appearances-0-confirmed"]

    response = client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    assert not SpeakerAppearance.objects.get(workshop=workshop, speaker=ada).confirmed
    assert (
        "Ada Lovelace is still on 2 item(s) of this workshop (“Engines”, “Looms”): the "
        "schedule and the speakers page keep naming them until you take them off those items."
    ) in messages_of(response)


def test_removing_a_speaker_without_items_says_nothing_more(client, alice, workshop):
    appearance = SpeakerAppearanceFactory(workshop=workshop, speaker__name="Ada", confirmed=True)
    client.force_login(alice)
    url = reverse("admin:workshops_speakerappearance_delete", args=[appearance.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not any("still on" in m for m in messages_of(response))


def test_removing_a_speaker_with_items_warns(client, alice, workshop):
    appearance = SpeakerAppearanceFactory(workshop=workshop, speaker__name="Ada", confirmed=True)
    ScheduleItemFactory(
        workshop=workshop, title="Engines", start=at(workshop, 9), speakers=[appearance.speaker]
    )
    client.force_login(alice)
    url = reverse("admin:workshops_speakerappearance_delete", args=[appearance.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert any(
        "Ada is still on 1 item(s) of this workshop (“Engines”)" in m
        for m in (messages_of(response))
    )
