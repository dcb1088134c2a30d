"""The workshop page says near the top what a visitor can do now: Register (with the seats
left), Join the waiting list, that it is full or closed, or that registration opens later;
Submit an abstract while the call is open, with its deadline in the call's zone. The
Registration section says the same and links the public participant list when there is one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from registration.models import RegistrationSettings
from tests.factories import RegistrationSettingsFactory, WorkshopFactory
from tests.submissions.factories import CallForAbstractsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop():
    return WorkshopFactory(slug="td30", title="Tensor Days", time_zone="Europe/Paris")


def call_to_action(client, workshop) -> str:
    page = client.get(workshop.get_absolute_url()).content.decode()
    found = re.search(r'<div[^>]*data-testid="call-to-action".*?</div>', page, re.S)
    return found[0] if found else ""


def seats_taken(conf: RegistrationSettings, confirmed: int) -> None:
    RegistrationSettings.objects.filter(pk=conf.pk).update(confirmed_count=confirmed)


def test_open_registration_offers_register_with_the_seats_left(client, workshop):
    closes = workshop.local_datetime(workshop.start_date - dt.timedelta(days=3), dt.time(18))
    RegistrationSettingsFactory(
        workshop=workshop, capacity=30, show_remaining_seats=True, closes_at=closes
    )
    cta = call_to_action(client, workshop)
    assert f'href="/workshops/{workshop.slug}/register/">Register</a>' in cta
    assert "30 seats left." in cta
    assert f"Registration closes {closes:%-d %B %Y}, 18:00 Europe/Paris." in cta


def test_a_full_workshop_offers_the_waiting_list_or_says_it_is_full(client, workshop):
    conf = RegistrationSettingsFactory(workshop=workshop, capacity=2, waitlist_enabled=True)
    seats_taken(conf, 2)
    cta = call_to_action(client, workshop)
    assert ">Join the waiting list</a>" in cta and "The workshop is full." in cta

    RegistrationSettings.objects.filter(pk=conf.pk).update(waitlist_enabled=False)
    cta = call_to_action(client, workshop)
    assert "/register/" not in cta and ">Full</span>" in cta


def test_closed_or_not_yet_open_registration_says_so(client, workshop):
    conf = RegistrationSettingsFactory(
        workshop=workshop,
        opens_at=timezone.now() - dt.timedelta(days=10),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    assert "Registration closed" in call_to_action(client, workshop)
    RegistrationSettings.objects.filter(pk=conf.pk).update(opens_at=None, closes_at=None)
    assert "Registration opens soon" in call_to_action(client, workshop)


def test_an_open_call_offers_submit_with_its_deadline_in_the_calls_zone(client, workshop):
    CallForAbstractsFactory(
        workshop=workshop,
        deadline=dt.datetime(2031, 3, 1, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12))),
    )
    cta = call_to_action(client, workshop)
    assert f'href="/workshops/{workshop.slug}/submit/">Submit an abstract</a>' in cta
    assert "Deadline 1 March 2031, 23:59 AoE" in cta


def test_nothing_to_do_no_call_to_action(client, workshop):
    assert call_to_action(client, workshop) == ""


def test_the_registration_section_links_a_public_participant_list(client, workshop):
    RegistrationSettingsFactory(workshop=workshop, participant_list_public=True)
    page = client.get(workshop.get_absolute_url()).content.decode()
    section = page.split('id="registration-heading"')[1].split("</section>")[0]
    assert f'href="/workshops/{workshop.slug}/participants/">Who is coming</a>' in section
    assert ">Register</a>" in section


def test_the_registration_key_dates_come_from_its_settings_and_the_form_says_when_it_closes(
    client, workshop
):
    from workshops.models import KeyDate

    opens = timezone.now() - dt.timedelta(days=1)
    closes = workshop.local_datetime(workshop.start_date - dt.timedelta(days=3), dt.time(18))
    RegistrationSettingsFactory(workshop=workshop, opens_at=opens, closes_at=closes)
    # A hand-written key date of the same name would be a second, stale source: replaced.
    KeyDate.objects.create(workshop=workshop, label="Registration closes", date=dt.date(2001, 1, 1))

    page = client.get(workshop.get_absolute_url()).content.decode()
    dates = re.search(r'data-testid="key-dates">(.*?)</ul>', page, re.S)[1]
    assert f"Registration closes: {closes:%-d %B %Y}, 18:00 Europe/Paris" in dates
    assert "Registration opens:" in dates
    assert "2001" not in dates

    form = client.get(f"/workshops/{workshop.slug}/register/").content.decode()
    assert f"Registration closes {closes:%-d %B %Y}, 18:00 Europe/Paris" in form
    assert "data-local-time" in form  # and in the visitor's zone when scripts run
