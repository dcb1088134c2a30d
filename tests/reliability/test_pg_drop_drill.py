"""Fault drill: PostgreSQL connections dropped during a burst of registrations.

The site runs under gunicorn (two processes, four threads each, persistent connections with
health checks, as in production) while attendees post the registration form from several
threads at once for a workshop with few seats. Meanwhile a killer thread keeps terminating
the site's connections to the test database (``pg_terminate_backend``, only backends of this
database opened by the drill's site: never anybody else's).

Failing cleanly means: the visitor gets the 503 "please try again" page with Retry-After
(config/database_unavailable.py), never a 500 or a traceback. Whatever fails, confirmed
registrations never exceed the seats, every registration a visitor was sent to exists, each has
exactly one mail in the outbox, and once the connections stop dropping every request succeeds.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg
import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, connection

from config.database_unavailable import DatabaseUnavailableMiddleware
from outbox.models import OutgoingMail
from registration.models import Registration
from tests.factories import RegistrationSettingsFactory, WorkshopFactory
from tests.fixtures_celery import free_port, worker_database_url
from tests.reliability.drills import (
    CSRF_INPUT,
    Client,
    Report,
    Response,
    gunicorn,
    manage_link_pk,
    person,
    private_redis,
    site_environment,
)

CAPACITY = 6
ATTENDEES = 48
CLIENTS = 8
TRIES = 6  # an attendee who gets the "try again" page tries again, up to this many times
KILL_PAUSE = (0.1, 0.3)  # seconds between two rounds of the killer, at random
KILL_SHARE = 0.4  # of the site's backends, in each round
SITE_APP_NAME = "wp-drill-site"
KILLER_APP_NAME = "wp-drill-killer"
UNAVAILABLE_TEXT = "Please try again in a moment"


@dataclass
class Killer:
    """Terminates the site's backends on the test database until stopped; counts them."""

    conninfo: str
    database: str
    rounds: int = 0
    killed: Counter = field(default_factory=Counter)  # by the backend's state when killed
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def kill_once(self, conn: psycopg.Connection, *, share: float = 1.0) -> int:
        rows = conn.execute(
            "SELECT state, pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND application_name = %s AND pid <> pg_backend_pid()"
            " AND random() < %s",
            (self.database, SITE_APP_NAME, share),
        ).fetchall()
        for state, done in rows:
            if done:
                self.killed[state or "unknown"] += 1
        self.rounds += 1
        return sum(1 for _, done in rows if done)

    def run(self) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            while not self._stop.wait(random.uniform(*KILL_PAUSE)):
                self.kill_once(conn, share=KILL_SHARE)

    def __enter__(self) -> Killer:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_dropped_connections_fail_cleanly_and_never_overbook(tmp_path, capsys):
    report = Report("PostgreSQL connections dropped during a burst of registrations")
    try:
        run_drill(report, tmp_path)
    finally:
        with capsys.disabled():
            print(report.render())


def run_drill(report: Report, tmp_path) -> None:
    started = time.monotonic()
    workshop = WorkshopFactory(title="Dropped Connections Days", slug="drop-days")
    RegistrationSettingsFactory(workshop=workshop, capacity=CAPACITY, waitlist_enabled=True)
    database = connection.settings_dict["NAME"]
    database_url = worker_database_url()
    killer_conninfo = f"{database_url.replace('postgres://', 'postgresql://', 1)}"
    killer_conninfo += f"?application_name={KILLER_APP_NAME}"
    path = f"/workshops/{workshop.slug}/register/"
    site_port = free_port()

    with private_redis(tmp_path) as redis_server:
        env = site_environment(
            database_url=f"{database_url}?application_name={SITE_APP_NAME}",
            redis_url=redis_server.url(),
            site_port=site_port,
            var_dir=tmp_path,
        )
        with gunicorn(env, port=site_port, log=tmp_path / "gunicorn.log", workers=2, threads=4):
            report.add("site (gunicorn 2x4 threads, CONN_MAX_AGE 60 + health checks)", site_port)
            # Every thread of the site holds an open connection before the first kill.
            with ThreadPoolExecutor(CLIENTS) as pool:
                warm = list(pool.map(lambda _: Client(site_port).get(path), range(2 * CLIENTS)))
            assert all(r.status == 200 for r in warm)

            with Killer(killer_conninfo, database) as killer:
                burst_started = time.monotonic()
                with ThreadPoolExecutor(CLIENTS) as pool:
                    attempts = list(
                        pool.map(lambda n: attendee(site_port, path, n), range(ATTENDEES))
                    )
                burst_seconds = time.monotonic() - burst_started
            report.add("attendees posting", f"{ATTENDEES} from {CLIENTS} threads")
            report.add("burst seconds", f"{burst_seconds:.1f}")
            report.add("killer rounds", killer.rounds)
            report.add("backends terminated, by state", dict(killer.killed))

            gets = [r for a in attempts for r in a.gets]
            posts = [r for a in attempts for r in a.posts]
            report.add("form GETs by status", dict(Counter(r.status for r in gets)))
            report.add("POSTs by status", dict(Counter(r.status for r in posts)))
            unclean = [r for r in gets + posts if not fails_cleanly_or_succeeds(r)]
            for r in unclean[:3]:
                report.add("UNCLEAN", f"{r.status} {r.location} {r.text[:300]!r}")
            assert unclean == []
            assert sum(killer.killed.values()) > 0, "the killer terminated nothing"
            assert any(r.status == 503 for r in posts), "no request failed: nothing was drilled"

            # Back to normal: the threads' persistent connections are terminated while idle
            # once more, and each thread must notice (health check) and connect again.
            with ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(lambda _: Client(site_port).get(path), range(2 * CLIENTS)))
            with psycopg.connect(killer_conninfo, autocommit=True) as conn:
                idle_killed = killer.kill_once(conn)
            report.add("idle backends terminated after the burst", idle_killed)
            with ThreadPoolExecutor(CLIENTS) as pool:
                after = list(pool.map(lambda _: Client(site_port).get(path), range(4 * CLIENTS)))
            late = attendee(site_port, path, ATTENDEES)
            attempts.append(late)
            report.add("GETs after the drops stopped", dict(Counter(r.status for r in after)))
            assert idle_killed > 0
            assert all(r.status == 200 for r in after)
            assert [r.status for r in late.gets + late.posts] == [200, 302]

    check_outcome(report, workshop, attempts)
    report.add("drill seconds", f"{time.monotonic() - started:.1f}")


def check_outcome(report: Report, workshop, attempts: list[Attempt]) -> None:
    """Seats, registrations and mails against what the attendees were told."""
    registrations = {r.pk: r for r in Registration.objects.filter(workshop=workshop)}
    by_email = {r.email: r for r in registrations.values()}
    by_status = Counter(r.status for r in registrations.values())
    told = {n: a.registered for n, a in enumerate(attempts)}
    sent_to_own_page = {n: manage_link_pk(r.location) for n, r in told.items() if r}
    report.add("attendees registered after how many tries", tries_histogram(attempts))
    report.add("attendees who gave up (only 503s)", sum(r is None for r in told.values()))
    report.add("registrations in the database, by status", dict(by_status))
    report.add("seats", CAPACITY)
    assert by_status["confirmed"] <= CAPACITY
    assert by_status["confirmed"] == min(CAPACITY, len(registrations))
    assert len(by_email) == len(registrations)  # nobody registered twice
    for n, pk in sent_to_own_page.items():
        if pk is not None:  # else "already registered": an earlier try went through
            assert registrations[pk].email == f"ada{n}@example.org"
        else:
            assert f"ada{n}@example.org" in by_email
    unanswered = set(by_email) - {f"ada{n}@example.org" for n in sent_to_own_page}
    report.add("registered, though the answer was lost", len(unanswered))

    keys = Counter(OutgoingMail.objects.filter(workshop=workshop).values_list("key", flat=True))
    links = Counter({k: n for k, n in keys.items() if k.startswith("registration-link:")})
    status_mails = keys - links
    expected = Counter(f"registration-{r.status}:{pk}" for pk, r in registrations.items())
    report.add("status mails in the outbox (one per registration)", status_mails.total())
    report.add("links sent again (a retry after a lost answer)", links.total())
    assert status_mails == expected


def tries_histogram(attempts: list[Attempt]) -> dict[int, int]:
    return dict(sorted(Counter(len(a.posts) for a in attempts if a.registered).items()))


@dataclass
class Attempt:
    gets: list[Response] = field(default_factory=list)
    posts: list[Response] = field(default_factory=list)

    @property
    def registered(self) -> Response | None:
        """The answer that took the attendee to their registration (or to "already
        registered": an earlier try went through but its answer was lost)."""
        done = [r for r in self.posts if r.status == 302]
        return done[0] if done else None


def attendee(port: int, path: str, n: int) -> Attempt:
    """Load the form and post it; after a 503, as a person would, try again a little later."""
    client, attempt = Client(port), Attempt()
    for _ in range(TRIES):
        page = client.get(path)
        attempt.gets.append(page)
        if page.status == 200 and (match := CSRF_INPUT.search(page.text)):
            response = client.post(path, person(n, match.group(1)))
            attempt.posts.append(response)
            if response.status != 503:
                return attempt
        time.sleep(random.uniform(0.05, 0.2))
    return attempt


def fails_cleanly_or_succeeds(response: Response) -> bool:
    if response.status in (200, 302):
        return True
    return (
        response.status == 503
        and UNAVAILABLE_TEXT in response.text
        and "Traceback" not in response.text
        and response.headers.get("retry-after", "").isdigit()
    )


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_database_connection_answers_503_try_again(rf, error):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    response = middleware.process_exception(rf.post("/"), error("server closed the connection"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert UNAVAILABLE_TEXT in response.content.decode()


def test_other_errors_are_left_to_django(rf):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    assert middleware.process_exception(rf.get("/"), IntegrityError("duplicate")) is None
    assert middleware.process_exception(rf.get("/"), ValueError("bug")) is None
