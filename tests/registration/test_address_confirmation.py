"""Seats held until the attendee confirms their address (an organizer's option): a sign-up
that nobody confirms lapses, its seat returns to the pool and the waiting list moves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from outbox.models import OutgoingMail
from registration import services
from registration.models import Registration
from registration.services import RegistrationData
from registration.tasks import release_lapsed_holds
from tests.factories import RegistrationSettingsFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def conf():
    return RegistrationSettingsFactory(capacity=1, waitlist_enabled=True, confirm_address_hours=2)


def sign_up(conf, n: int, *, now) -> Registration:
    data = RegistrationData(first_name=f"Ada{n}", last_name="Lovelace", email=f"ada{n}@example.org")
    return services.register_attendee(workshop=conf.workshop, data=data, now=now)


def kinds(registration) -> list[str]:
    keys = OutgoingMail.objects.filter(to=registration.email).order_by("pk")
    return [
        key.split(":")[0].removeprefix("registration-")
        for key in keys.values_list("key", flat=True)
    ]


def test_the_first_mail_asks_for_confirmation_and_the_seat_is_held(client, conf):
    now = timezone.now()
    ada = sign_up(conf, 1, now=now)

    assert ada.status == Status.CONFIRMED and ada.hold_expires_at == now + dt.timedelta(hours=2)
    assert kinds(ada) == ["verify"]
    mail = OutgoingMail.objects.get(to=ada.email)
    assert ada.get_confirmation_url() in mail.body_text
    assert ada.get_absolute_url() not in mail.body_text
    assert "press “Confirm my registration”" in mail.body_text
    conf.refresh_from_db()
    assert conf.confirmed_count == 1  # held: nobody else gets it meanwhile

    # The self-service page, where the form leads, says to check the mail: it confirms nothing.
    page = client.get(ada.get_absolute_url()).content.decode()
    assert "Almost done: confirm your address" in page and "Held for you" in page
    assert ada.checkin_code not in page
    client.post(ada.get_absolute_url(), {"action": "confirm_address"})
    ada.refresh_from_db()
    assert ada.hold_expires_at is not None

    # The mail's link: a button (a mail scanner opening the link confirms nothing).
    link = ada.get_confirmation_url()
    assert "Confirm my registration" in client.get(link).content.decode()
    ada.refresh_from_db()
    assert ada.hold_expires_at is not None
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == ada.get_absolute_url()
    assert "your registration is confirmed" in response.content.decode()
    ada.refresh_from_db()
    assert ada.hold_expires_at is None and ada.address_confirmed_at is not None
    assert kinds(ada) == ["verify", "confirmed"]
    page = client.get(ada.get_absolute_url()).content.decode()
    assert "Almost done" not in page and ada.checkin_code in page


def test_an_unconfirmed_seat_lapses_and_the_waiting_list_moves(conf):
    now = timezone.now()
    ada, bob = sign_up(conf, 1, now=now), sign_up(conf, 2, now=now + dt.timedelta(minutes=1))
    assert bob.status == Status.WAITLISTED
    services.confirm_address(registration=bob)

    assert services.release_lapsed_holds(now=now + dt.timedelta(hours=1)) == 0
    assert services.release_lapsed_holds(now=now + dt.timedelta(hours=2, seconds=1)) == 1

    ada.refresh_from_db()
    bob.refresh_from_db()
    assert (ada.status, bob.status) == (Status.CANCELLED, Status.CONFIRMED)
    assert kinds(ada) == ["verify", "lapsed"]
    assert kinds(bob) == ["verify", "waitlisted", "promoted"]
    conf.refresh_from_db()
    assert (conf.confirmed_count, conf.waitlisted_count) == (1, 0)
    with pytest.raises(services.InvalidTransition):
        services.confirm_address(registration=ada)


def test_a_lapsed_seat_goes_to_the_next_sign_up_at_once(conf):
    conf.waitlist_enabled = False
    conf.save()
    now = timezone.now()
    ada = sign_up(conf, 1, now=now)
    with pytest.raises(services.WorkshopFull):
        sign_up(conf, 2, now=now + dt.timedelta(hours=1))

    grace = sign_up(conf, 3, now=now + dt.timedelta(hours=3))  # before any sweep ran

    ada.refresh_from_db()
    assert (ada.status, grace.status) == (Status.CANCELLED, Status.CONFIRMED)
    assert Registration.objects.filter(workshop=conf.workshop).confirmed().count() == 1


def test_the_periodic_task_releases_what_is_due(conf):
    ada = sign_up(conf, 1, now=timezone.now() - dt.timedelta(hours=3))
    assert release_lapsed_holds.delay().get() == 1
    ada.refresh_from_db()
    assert ada.status == Status.CANCELLED


def test_without_the_option_nothing_is_held(conf):
    conf.confirm_address_hours = None
    conf.save()
    ada = sign_up(conf, 1, now=timezone.now())
    assert ada.hold_expires_at is None
    assert kinds(ada) == ["confirmed"]
