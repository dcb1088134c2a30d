"""The admin writes a workshop's times in the workshop's zone, and says so; every date in one
style ("7 December 2026", 24-hour times), as the public pages and the mails write them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats

from tests.factories import OrganizerFactory, RegistrationFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 12, 7, 23, 36, tzinfo=dt.UTC)  # 00:36 the next day in Paris


@pytest.fixture
def organizer_client(client):
    workshop = WorkshopFactory(time_zone="Europe/Paris")
    organizer = OrganizerFactory()
    workshop.organizers.add(organizer)
    client.force_login(organizer)
    client.registration = RegistrationFactory(
        workshop=workshop, first_name="Ada", created_at=MOMENT, checked_in_at=MOMENT
    )
    return client


def test_the_registrations_list_shows_its_times_in_the_workshops_zone(organizer_client):
    page = organizer_client.get(reverse("admin:registration_registration_changelist"))
    html = page.content.decode().replace("&#x27;", "'")
    assert "8 Dec 2026, 00:36 CET" in html  # in the workshop's zone, labelled
    assert "11:36 p.m." not in html


def test_a_registrations_page_says_which_zone_its_times_are_in(organizer_client):
    registration = organizer_client.registration
    url = reverse("admin:registration_registration_change", args=[registration.pk])
    html = organizer_client.get(url).content.decode()
    assert "· times in Europe/Paris" in html
    assert "8 December 2026, 00:36" in html  # the read-only “created at”


def test_one_date_style_wherever_no_format_is_given():
    assert formats.date_format(dt.date(2026, 12, 7)) == "7 December 2026"
    assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "7 December 2026, 23:36"
