"""The schedule page's table, repaired: 24-hour time fields, as many blank rows as needed,
refused rows summarised at the top with links, and publishing with conflicts confirmed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from schedule.models import ScheduleItem, ScheduleRelease
from tests.factories import RoomFactory, ScheduleItemFactory
from tests.html_forms import form_values
from tests.schedule.slots import at

pytestmark = pytest.mark.django_db


def url(workshop) -> str:
    return reverse("admin:workshops_workshop_schedule", args=[workshop.pk])


def blank_rows(page: str) -> int:
    return len(re.findall(r'<tr class="[^"]*" id="row-items-\d+">', page))


def test_times_are_24_hour_text_fields_not_a_browsers_am_pm_picker(client, alice, workshop):
    ScheduleItemFactory(workshop=workshop, start=at(workshop, 14), end=at(workshop, 15))
    client.force_login(alice)
    page = client.get(url(workshop)).content.decode()
    [start] = re.findall(r'<input[^>]*name="items-0-start"[^>]*>', page)
    assert 'type="text"' in start and 'value="14:00"' in start and 'placeholder="HH:MM"' in start
    assert 'type="time"' not in page


def test_as_many_blank_rows_as_asked_within_bounds(client, alice, workshop):
    client.force_login(alice)
    page = client.get(url(workshop)).content.decode()
    assert blank_rows(page) == 5
    assert 'href="?rows=15#add-items"' in page
    assert blank_rows(client.get(url(workshop) + "?rows=40").content.decode()) == 40
    assert blank_rows(client.get(url(workshop) + "?rows=100000").content.decode()) == 100
    assert blank_rows(client.get(url(workshop) + "?rows=lots").content.decode()) == 5


def test_refused_rows_are_listed_at_the_top_with_links_and_nothing_is_saved(
    client, alice, workshop
):
    client.force_login(alice)
    data = {
        "items-TOTAL_FORMS": 2, "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000,
        "items-0-kind": "talk", "items-0-title": "Fine", "items-0-day": "2030-03-04",
        "items-0-start": "09:00", "items-0-end": "09:30",
        "items-1-kind": "talk", "items-1-title": "Backwards", "items-1-day": "2030-03-04",
        "items-1-start": "11:00", "items-1-end": "10:00",
    }  # fmt: skip

    response = client.post(url(workshop), data)

    assert response.status_code == 200
    page = response.content.decode()
    summary = page.split('id="row-errors"', 1)[1].split("</div>", 1)[0]
    assert "Nothing was saved: 1 row needs a fix." in summary
    assert '<a href="#row-items-1">“Backwards”</a>' in summary
    assert "An item must end after it starts." in summary
    assert 'id="row-items-1"' in page
    assert not ScheduleItem.objects.filter(workshop=workshop).exists()


def test_publishing_with_conflicts_asks_first(client, alice, workshop):
    room = RoomFactory(workshop=workshop, name="Amphi")
    for title in ("One", "Two"):
        ScheduleItemFactory(
            workshop=workshop, title=title, room=room, start=at(workshop, 9), end=at(workshop, 10)
        )
    client.force_login(alice)
    publish = {"_publish": "1", "release-version": "v1", "release-status": "tentative"}

    page = client.get(url(workshop)).content.decode()
    refused = client.post(url(workshop), publish)

    assert "Publish although the schedule has conflicts" in page
    assert refused.status_code == 200
    assert "The schedule has 1 conflict: “One” and “Two” overlap in Amphi" in (
        refused.content.decode()
    )
    assert not ScheduleRelease.objects.filter(workshop=workshop).exists()

    accepted = client.post(url(workshop), publish | {"release-accept_conflicts": "on"})

    assert accepted.status_code == 302
    assert ScheduleRelease.objects.filter(workshop=workshop, version="v1").exists()


def test_without_conflicts_there_is_nothing_to_confirm(client, alice, workshop):
    ScheduleItemFactory(workshop=workshop, start=at(workshop, 9), end=at(workshop, 10))
    client.force_login(alice)
    assert "Publish although" not in client.get(url(workshop)).content.decode()
    response = client.post(
        url(workshop), {"_publish": "1", "release-version": "v1", "release-status": "final"}
    )
    assert response.status_code == 302


def test_the_items_form_reads_24_hour_times_in_the_workshops_zone(client, alice, workshop):
    item = ScheduleItemFactory(workshop=workshop, start=at(workshop, 14), end=at(workshop, 15))
    client.force_login(alice)
    change = reverse("admin:schedule_scheduleitem_change", args=[item.pk])

    page = client.get(change).content.decode()

    # No admin clock widget: it warns "You are 1 hour behind server time" and shows AM/PM.
    assert "vTimeField" not in page and "vDateField" not in page
    [start_time] = re.findall(r'<input[^>]*name="start_1"[^>]*>', page)
    assert 'value="14:00"' in start_time and 'placeholder="HH:MM"' in start_time
    assert re.search(r'<input[^>]*type="date"[^>]*name="start_0"[^>]*value="2030-03-04"', page)
    assert "Times are in the workshop's time zone, Europe/Paris." in page
    data = form_values(page, "scheduleitem_form") | {"end_1": ["15:30"]}
    assert client.post(change, data).status_code == 302
    item.refresh_from_db()
    assert (item.start, item.end) == (at(workshop, 14), at(workshop, 15) + dt.timedelta(minutes=30))
