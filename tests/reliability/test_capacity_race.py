"""Concurrent sign-ups and cancellations on PostgreSQL: never more confirmed than seats.

Each worker thread has its own database connection, so the row lock taken by the services
is really contended. The last tests switch the lock off to show that these tests can see the
overbooking the lock prevents.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from outbox.models import OutgoingMail
from registration import seats, services
from registration.models import Registration, RegistrationSettings
from registration.services import RegistrationData
from tests.factories import RegistrationSettingsFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Status = Registration.Status

CAPACITY = 50
SIGN_UPS = 200
# Connections kept free for other sessions on the same server (and this test's own).
SPARE_CONNECTIONS = 20
MAX_WORKERS = 48


@dataclass
class Outcomes:
    results: list[Any] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def run_at_once(call: Callable[[Any], Any], items: Iterable[Any], *, workers: int) -> Outcomes:
    """Call ``call(item)`` from ``workers`` threads that start together; collect the outcomes."""
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for item in items:
        todo.put(item)
    start = threading.Barrier(workers)
    outcomes = Outcomes()
    guard = threading.Lock()

    def work() -> None:
        try:
            start.wait(timeout=30)
            while True:
                try:
                    item = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    result = call(item)
                except Exception as exc:
                    with guard:
                        outcomes.errors.append(exc)
                else:
                    with guard:
                        outcomes.results.append(result)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    return outcomes


@contextmanager
def watch_confirmed(workshop) -> Iterator[list[int]]:
    """Count confirmed seats over and over from another connection while the block runs."""
    seen: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        try:
            while not stop.is_set():
                seen.append(Registration.objects.filter(workshop=workshop).confirmed().count())
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield seen
    finally:
        stop.set()
        watcher.join(timeout=30)


@pytest.fixture
def workers() -> int:
    """As many threads as the server has connections to spare, at most MAX_WORKERS."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        (limit,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        (in_use,) = cursor.fetchone()
    available = int(limit) - in_use - SPARE_CONNECTIONS
    if available < 10:
        pytest.skip(f"only {available} PostgreSQL connections to spare")
    return min(MAX_WORKERS, available)


@pytest.fixture
def conf():
    return RegistrationSettingsFactory(capacity=CAPACITY, waitlist_enabled=True)


def person(n: int) -> RegistrationData:
    return RegistrationData(first_name=f"Ada{n}", last_name="Lovelace", email=f"ada{n}@example.org")


def sign_up(conf) -> Callable[[int], Registration]:
    return lambda n: services.register_attendee(workshop=conf.workshop, data=person(n))


def in_pk_order(workshop, status: str) -> list[Registration]:
    return list(Registration.objects.filter(workshop=workshop, status=status).order_by("pk"))


def mail_keys(prefix: str) -> set[str]:
    return set(OutgoingMail.objects.filter(key__startswith=prefix).values_list("key", flat=True))


def strictly_increasing(values: list) -> bool:
    return all(a < b for a, b in pairwise(values))


def test_simultaneous_sign_ups_fill_exactly_the_seats_in_arrival_order(conf, workers):
    with watch_confirmed(conf.workshop) as seen:
        outcomes = run_at_once(sign_up(conf), range(SIGN_UPS), workers=workers)

    assert outcomes.errors == []
    assert len(outcomes.results) == SIGN_UPS
    assert max(seen, default=0) <= CAPACITY
    confirmed = in_pk_order(conf.workshop, Status.CONFIRMED)
    waitlisted = in_pk_order(conf.workshop, Status.WAITLISTED)
    assert (len(confirmed), len(waitlisted)) == (CAPACITY, SIGN_UPS - CAPACITY)

    # Arrival order: ids, creation and queue times agree, each taken under the lock, so the
    # first 50 to get the lock got the seats and the queue is in the order people arrived.
    everyone = sorted(confirmed + waitlisted, key=lambda r: r.pk)
    assert everyone[:CAPACITY] == confirmed
    assert strictly_increasing([r.created_at for r in everyone])
    assert strictly_increasing([r.confirmed_at for r in confirmed])
    assert strictly_increasing([r.queued_at for r in waitlisted])
    assert max(r.confirmed_at for r in confirmed) < min(r.queued_at for r in waitlisted)
    assert all(r.queued_at == r.created_at for r in waitlisted)
    assert list(Registration.objects.filter(workshop=conf.workshop).waitlisted()) == waitlisted

    assert OutgoingMail.objects.count() == SIGN_UPS
    assert mail_keys("registration-confirmed:") == {
        f"registration-confirmed:{r.pk}" for r in confirmed
    }
    assert mail_keys("registration-waitlisted:") == {
        f"registration-waitlisted:{r.pk}" for r in waitlisted
    }
    # Each waiting person was told their place, and the places count 1, 2, 3, … in order.
    positions = [
        int(re.search(r"position (\d+)\b", body).group(1))
        for body in OutgoingMail.objects.filter(key__startswith="registration-waitlisted:")
        .order_by("pk")
        .values_list("body_text", flat=True)
    ]
    assert positions == list(range(1, SIGN_UPS - CAPACITY + 1))
    # Rendered before the lock, finished under it: each mail links to its own registration,
    # whichever status the sign-up expected before it got the lock.
    links = dict(OutgoingMail.objects.values_list("key", "body_text"))
    for r in everyone:
        assert r.get_absolute_url() in links[f"registration-{r.status}:{r.pk}"]
    conf.refresh_from_db()
    assert (conf.confirmed_count, conf.waitlisted_count) == (CAPACITY, SIGN_UPS - CAPACITY)


def test_simultaneous_cancellations_promote_the_first_in_line_once_each(conf, workers):
    for n in range(CAPACITY + 40):
        sign_up(conf)(n)
    confirmed = in_pk_order(conf.workshop, Status.CONFIRMED)
    line = list(Registration.objects.filter(workshop=conf.workshop).waitlisted())
    leaving = confirmed[::2][:20]
    mails_before = OutgoingMail.objects.count()

    with watch_confirmed(conf.workshop) as seen:
        outcomes = run_at_once(
            lambda r: services.cancel_registration(registration=r),
            leaving,
            workers=min(workers, len(leaving)),
        )

    assert outcomes.errors == []
    assert sorted(len(promoted) for promoted in outcomes.results) == [1] * 20
    promoted = {r for batch in outcomes.results for r in batch}
    assert promoted == set(line[:20])
    assert max(seen, default=0) <= CAPACITY
    assert Registration.objects.filter(workshop=conf.workshop).confirmed().count() == CAPACITY
    assert list(Registration.objects.filter(workshop=conf.workshop).waitlisted()) == line[20:]
    assert Registration.objects.filter(status=Status.CANCELLED).count() == 20
    assert mail_keys("registration-promoted:") == {
        f"registration-promoted:{r.pk}" for r in line[:20]
    }
    assert mail_keys("registration-cancelled:") == {
        f"registration-cancelled:{r.pk}" for r in leaving
    }
    assert OutgoingMail.objects.count() == mails_before + 40
    conf.refresh_from_db()
    assert (conf.confirmed_count, conf.waitlisted_count) == (CAPACITY, 40 - 20)


def unlocked(workshop, *, recount=False):
    """The seat lock as it would be without its FOR UPDATE: every sign-up reads the counts
    unguarded, and lingers a moment (as a loaded server would) before deciding."""
    conf = RegistrationSettings.objects.filter(workshop=workshop).first()
    if conf is not None:
        conf.workshop = workshop
        if recount:
            seats.recount_seats(conf)
    time.sleep(0.05)
    return conf


def test_without_the_lock_the_same_race_overbooks(conf, workers, monkeypatch):
    # Proves the tests above can fail: this is the bug the row lock prevents. The module's
    # attribute is patched for the whole process, so the worker threads see it too.
    monkeypatch.setattr(seats, "lock_registrations", unlocked)

    outcomes = run_at_once(sign_up(conf), range(SIGN_UPS), workers=workers)

    assert outcomes.errors == []
    assert Registration.objects.filter(workshop=conf.workshop).confirmed().count() > CAPACITY


@pytest.mark.parametrize("lock", [True, False], ids=["locked", "unlocked"])
def test_double_submit_creates_one_registration(conf, monkeypatch, lock):
    # Unlocked, every request passes the duplicate check; the unique constraint still holds.
    if not lock:
        monkeypatch.setattr(seats, "lock_registrations", unlocked)

    outcomes = run_at_once(lambda _: sign_up(conf)(1), range(10), workers=10)

    [registration] = Registration.objects.filter(workshop=conf.workshop)
    assert outcomes.results == [registration]
    assert len(outcomes.errors) == 9
    assert all(isinstance(exc, services.AlreadyRegistered) for exc in outcomes.errors)
    assert {exc.registration for exc in outcomes.errors} == {registration}
    assert list(OutgoingMail.objects.values_list("key", flat=True)) == [
        f"registration-confirmed:{registration.pk}"
    ]


def test_a_whole_institute_behind_one_address_registers_at_once(workers):
    """80 people of one university, one NAT address, 20 seats: nobody is refused as a flood
    (the per-IP limit was 20 a minute), 20 get seats and 60 the waiting list. Rate limits
    count in the shared cache: Redis in CI."""
    conf = RegistrationSettingsFactory(capacity=20, waitlist_enabled=True)
    url = reverse("registration:register", args=[conf.workshop.slug])

    def register(n: int) -> int:
        data = {
            "first_name": f"Ada{n}",
            "last_name": "Lovelace",
            "email": f"ada{n}@uni.example.org",
            "affiliation": "Université de Lorraine",
        }
        return Client().post(url, data, REMOTE_ADDR="192.0.2.80").status_code

    outcomes = run_at_once(register, range(80), workers=min(workers, 40))

    assert outcomes.errors == []
    assert sorted(outcomes.results) == [302] * 80
    assert len(in_pk_order(conf.workshop, Status.CONFIRMED)) == 20
    assert len(in_pk_order(conf.workshop, Status.WAITLISTED)) == 60
