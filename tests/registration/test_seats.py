"""The registration lock and what a sign-up does while holding it: the seat counts, the mail
rendered before the lock and finished under it."""

import datetime as dt
import importlib
import re
import threading
import time

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from config.site_url import site_url
from outbox.models import OutgoingMail
from registration import seats, services
from registration.exceptions import RegistrationBusy
from registration.models import MailText, Registration, RegistrationSettings
from registration.services import RegistrationData
from tests.factories import RegistrationFactory, RegistrationSettingsFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
# What a mail rendered before the lock holds until the locked transaction fills it in.
MARKERS = re.compile(r"/registrations/\d{18}/|\bp[0-9a-f]{16}\b")


def register(conf, n: int) -> Registration:
    return services.register_attendee(
        workshop=conf.workshop,
        data=RegistrationData(first_name=f"Ada{n}", last_name="Lovelace", email=f"a{n}@x.org"),
    )


def counts(conf) -> tuple[int, int]:
    conf.refresh_from_db()
    return conf.confirmed_count, conf.waitlisted_count


def mail_of(registration: Registration) -> OutgoingMail:
    return OutgoingMail.objects.get(key=f"registration-{registration.status}:{registration.pk}")


def test_a_sign_up_holds_the_lock_for_three_writes():
    conf = RegistrationSettingsFactory(capacity=1)
    register(conf, 1)
    with CaptureQueriesContext(connection) as captured:
        register(conf, 2)
    # The lock's own timeout is set before it and reset after it (PostgreSQL).
    statements = [
        q["sql"] for q in captured if "SAVEPOINT" not in q["sql"] and "lock_timeout" not in q["sql"]
    ]
    # The lock is the last read of the settings row; nothing but writes follow it.
    reads = re.compile(r'SELECT .*\bFROM "registration_registrationsettings"')
    lock = max(i for i, sql in enumerate(statements) if reads.match(sql))
    if connection.vendor == "postgresql":
        assert statements[lock].endswith("FOR UPDATE")
    under_lock = [re.match(r'(\w+)[^"]*"(\w+)"', sql).groups() for sql in statements[lock:]]
    assert under_lock[1:] == [
        ("INSERT", "registration_registration"),
        ("INSERT", "workshops_outgoingmail"),
        ("UPDATE", "registration_registrationsettings"),
    ]


def test_each_mail_gets_its_own_link_and_waiting_list_place():
    conf = RegistrationSettingsFactory(capacity=1)
    regs = [register(conf, n) for n in range(4)]
    assert [r.status for r in regs] == [Status.CONFIRMED] + [Status.WAITLISTED] * 3
    for place, registration in enumerate(regs):
        mail = mail_of(registration)
        link = site_url() + registration.get_absolute_url()
        assert link in mail.body_text
        assert f'href="{link}"' in mail.body_html
        if place:
            assert f"in position {place}." in mail.body_text
        for text in (mail.subject, mail.body_text, mail.body_html):
            assert MARKERS.search(text) is None
    assert mail_of(regs[0]).qr_payload == regs[0].checkin_code
    assert mail_of(regs[1]).qr_payload == ""


def test_organizer_wording_may_use_the_place_and_link_anywhere():
    conf = RegistrationSettingsFactory(capacity=0)
    MailText.objects.create(
        workshop=conf.workshop,
        kind="waitlisted",
        subject="Number {position} for {workshop}",
        body="{first_name}: {position} ({status}) {manage_url}",
    )
    first, second = register(conf, 1), register(conf, 2)
    mail = mail_of(second)
    assert mail.subject == f"Number 2 for {conf.workshop.title}"
    link = site_url() + second.get_absolute_url()
    assert mail.body_text.startswith(f"Ada2: 2 (On the waiting list) {link}\n")
    assert mail_of(first).subject == f"Number 1 for {conf.workshop.title}"


def test_a_subject_cut_short_through_the_place_is_rendered_under_the_lock():
    conf = RegistrationSettingsFactory(capacity=0, workshop__title="T" * 145)
    MailText.objects.create(
        workshop=conf.workshop,
        kind="waitlisted",
        subject="{workshop} {workshop} {position}",
        body="{position}",
    )
    register(conf, 1)
    mail = mail_of(register(conf, 2))
    # Subjects stop at 300 characters: with the marker, this one was cut in its middle.
    assert mail.subject == f"{'T' * 145} {'T' * 145} 2"
    assert mail.body_text.startswith("2\n")


def test_the_counts_follow_every_status_change():
    conf = RegistrationSettingsFactory(capacity=2)
    a, b, c, d = (register(conf, n) for n in range(4))
    assert counts(conf) == (2, 2)
    services.cancel_registration(registration=a)  # c moves up
    assert counts(conf) == (2, 1)
    services.cancel_registration(registration=d)
    assert counts(conf) == (2, 0)
    services.set_capacity(workshop=conf.workshop, capacity=3)
    e = register(conf, 5)
    assert counts(conf) == (3, 0)
    f = register(conf, 6)
    assert counts(conf) == (3, 1)
    services.set_capacity(workshop=conf.workshop, capacity=4)  # f moves up
    assert counts(conf) == (4, 0)
    assert {r.pk for r in Registration.objects.confirmed()} == {b.pk, c.pk, e.pk, f.pk}


def test_a_settings_copy_saved_later_keeps_the_counts():
    conf = RegistrationSettingsFactory(capacity=2)
    stale = RegistrationSettings.objects.get(pk=conf.pk)
    register(conf, 1), register(conf, 2), register(conf, 3)
    stale.show_remaining_seats = True
    stale.save()
    assert counts(conf) == (2, 1)
    assert conf.show_remaining_seats


def test_recount_mends_counts_written_past_the_services():
    conf = RegistrationSettingsFactory(capacity=5)
    RegistrationFactory.create_batch(2, workshop=conf.workshop, status=Status.CONFIRMED)
    RegistrationFactory(workshop=conf.workshop, status=Status.CANCELLED)
    assert counts(conf) == (0, 0)
    services.recount_seats(workshop=conf.workshop)
    assert counts(conf) == (2, 0)


def test_the_migration_counts_the_registrations_there_are():
    confs = RegistrationSettingsFactory(capacity=1), RegistrationSettingsFactory(capacity=9)
    for status in (Status.CONFIRMED, Status.WAITLISTED, Status.WAITLISTED, Status.PENDING):
        RegistrationFactory(workshop=confs[0].workshop, status=status)
    RegistrationFactory(workshop=confs[1].workshop, status=Status.CONFIRMED)
    migration = importlib.import_module("registration.migrations.0002_seat_counts")
    migration.count_seats(apps, None)
    assert [counts(conf) for conf in confs] == [(1, 2), (1, 0)]


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_refused_outside_a_transaction():
    conf = RegistrationSettingsFactory(capacity=5)

    with pytest.raises(TransactionManagementError):
        seats.lock_registrations(conf.workshop)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_stuck_lock_is_a_clean_try_again_not_a_hung_request(settings):
    """Another session holds the workshop's lock (a stuck transaction): the sign-up waits
    REGISTRATION_LOCK_TIMEOUT, is refused with a message, and saves nothing."""
    settings.REGISTRATION_LOCK_TIMEOUT = dt.timedelta(milliseconds=300)
    conf = RegistrationSettingsFactory(capacity=5)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                seats.lock_registrations(conf.workshop)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        with pytest.raises(RegistrationBusy, match="send the form again"):
            register(conf, 1)
        assert time.monotonic() - started < 5
    finally:
        release.set()
        holder.join(10)
    assert not Registration.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert register(conf, 1).status == Status.CONFIRMED  # and the next try gets in


@pytest.mark.postgres
def test_the_lock_timeout_is_for_the_lock_only():
    conf = RegistrationSettingsFactory(capacity=5)
    with transaction.atomic():
        seats.lock_registrations(conf.workshop)
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "0"  # PostgreSQL's default: the rest may wait
