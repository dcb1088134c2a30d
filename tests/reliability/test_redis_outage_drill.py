"""Fault drill: Redis stopped while attendees register and organizers send decisions.

Every request must still succeed (the cache acts as an empty one, the broker's tasks are left
to the sweeper), and once Redis is back every mail that was promised arrives exactly once.

The drill runs its own redis-server (never the shared one) as the site's cache and broker,
the site under gunicorn, a real Celery worker delivering to an SMTP sink, and the sweeper that
beat runs (``outbox.tasks.requeue_stale_mail``) as a one-off process. Attendees fill in the
public form and an organizer works in the admin, all over HTTP, while that Redis is stopped.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db.models import Count

from accounts.models import User
from config.redis_cache import RedisCache
from outbox.models import OutgoingMail
from registration.models import Registration
from submissions.models import Submission
from tests.factories import (
    RegistrationSettingsFactory,
    RoomFactory,
    ScheduleItemFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.fixtures_celery import free_port, worker_database_url
from tests.reliability.drills import (
    CSRF_INPUT,
    REDIS_SERVER,
    Client,
    Report,
    celery_worker,
    gunicorn,
    manage_link_pk,
    person,
    private_redis,
    run_django,
    site_environment,
)
from tests.submissions.factories import SubmissionFactory, SubmissionTypeFactory

ATTENDEES = 30
CAPACITY = 20  # the rest are waitlisted: two kinds of registration mail
SUBMISSIONS = 12
CLIENTS = 4
# No request may hang on the dead Redis: a cache miss or a failed publish costs a refused
# connection (milliseconds), where waiting out socket timeouts would cost seconds per call.
# Generous, for a loaded CI machine: one page takes well under a second here.
SLOWEST_ALLOWED = 5.0
DELIVERY_TIMEOUT = 60.0
ADMIN_EMAIL, ADMIN_PASSWORD = "chair@example.org", "drill-chair-pw-1"
CHANGELIST = "/admin/submissions/submission/"


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_redis_outage_loses_no_request_and_no_mail(smtp_sink, tmp_path, capsys):
    report = Report("Redis stopped while attendees register and organizers send decisions")
    try:
        run_drill(report, smtp_sink, tmp_path)
    finally:
        with capsys.disabled():
            print(report.render())


def run_drill(report: Report, smtp_sink, tmp_path) -> None:
    started = time.monotonic()
    workshop = WorkshopFactory(title="Outage Days", slug="outage-days", schedule_status="final")
    room = RoomFactory(workshop=workshop)
    for hour in (9, 10, 11):
        ScheduleItemFactory(
            workshop=workshop,
            room=room,
            start=workshop.local_datetime(workshop.start_date, dt.time(hour, 0)),
            end=workshop.local_datetime(workshop.start_date, dt.time(hour, 45)),
        )
    RegistrationSettingsFactory(workshop=workshop, capacity=CAPACITY, waitlist_enabled=True)
    User.objects.create_superuser(ADMIN_EMAIL, ADMIN_PASSWORD)
    kind = SubmissionTypeFactory(workshop=workshop, name="Talk")
    submissions = [
        SubmissionFactory(
            workshop=workshop, type=kind, submitter=UserFactory(email=f"author{i}@example.org")
        )
        for i in range(SUBMISSIONS)
    ]
    site_port = free_port()

    with private_redis(tmp_path) as redis_server:
        env = site_environment(
            database_url=worker_database_url(),
            redis_url=redis_server.url(),
            site_port=site_port,
            var_dir=tmp_path,
            EMAIL_URL=f"smtp://{smtp_sink.host}:{smtp_sink.port}",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_TIMEOUT="5",
            MAIL_RETRY_BACKOFF_MAX="2",
        )
        with (
            celery_worker({**env, "CONN_MAX_AGE": "0"}, log=tmp_path / "worker.log") as worker,
            gunicorn(env, port=site_port, log=tmp_path / "gunicorn.log"),
        ):
            setup_seconds = round(time.monotonic() - started, 1)
            report.add("seconds to set up data, redis, worker, site", setup_seconds)
            report.add("private redis-server on port", redis_server.port)
            report.add("site (gunicorn 2x4 threads) on port", site_port)
            # Before the outage: the organizer is logged in, every connection pool is warm.
            chair = Client(site_port)
            chair.admin_login(ADMIN_EMAIL, ADMIN_PASSWORD)
            assert chair.get(CHANGELIST).status == 200
            assert all(r.status == 200 for r in browse(site_port, workshop.slug))  # cache warm

            redis_server.stop()
            report.add("redis stopped; worker and site left running")
            outage = time.monotonic()
            registrations = register_attendees(site_port, workshop.slug)
            decisions = send_decisions(chair, submissions)
            pages = browse(site_port, workshop.slug)
            report.add("seconds of outage traffic", f"{time.monotonic() - outage:.1f}")
            responses = registrations + decisions + pages
            report.add("public pages and exports read (cached when up)", len(pages))
            statuses = Counter(r.status for r in responses)
            slowest = max(r.seconds for r in responses)
            report.add("requests during the outage (GET+POST)", len(responses))
            report.add("responses by status", dict(sorted(statuses.items())))
            report.add("slowest response (s)", f"{slowest:.3f}")
            assert all(200 <= r.status < 400 for r in responses), statuses
            assert slowest < SLOWEST_ALLOWED

            posts = [r for r in registrations if r.status == 302]
            registered = {manage_link_pk(r.location) for r in posts}
            assert len(posts) == ATTENDEES and None not in registered
            by_status = dict(
                Registration.objects.filter(workshop=workshop)
                .values_list("status")
                .annotate(n=Count("pk"))
                .values_list("status", "n")
            )
            report.add("registrations by status", by_status)
            assert by_status == {"confirmed": CAPACITY, "waitlisted": ATTENDEES - CAPACITY}
            notified = Submission.objects.filter(workshop=workshop, notified_at__isnull=False)
            report.add("submissions decided and notified", notified.count())
            assert notified.count() == SUBMISSIONS

            promised = dict(OutgoingMail.objects.values_list("key", "status"))
            report.add("mails promised (outbox rows)", len(promised))
            report.add("outbox by status while down", dict(Counter(promised.values())))
            assert len(promised) == ATTENDEES + SUBMISSIONS
            assert smtp_sink.messages == []

            redis_server.start()
            restarted = time.monotonic()
            report.add("redis restarted on the same port")
            swept = run_django(
                {**env, "MAIL_REQUEUE_GRACE": "0"},
                "from outbox.tasks import requeue_stale_mail\nprint(requeue_stale_mail())",
            )
            report.add("mails handed to the worker by the sweeper", swept)
            messages = smtp_sink.wait_for(len(promised), timeout=DELIVERY_TIMEOUT)
            delivered_in = time.monotonic() - restarted
            worker.wait_until_idle()  # a duplicate would have arrived by now
            arrived = Counter(m["X-Outbox-Key"] for m in smtp_sink.messages)
            report.add("mails at the SMTP sink", sum(arrived.values()))
            report.add("distinct mails at the sink", len(arrived))
            report.add("mails arrived twice", sum(1 for n in arrived.values() if n > 1))
            report.add("seconds from restart to last mail", f"{delivered_in:.1f}")
            assert len(messages) >= len(promised)
            assert arrived == Counter(dict.fromkeys(promised, 1))
            outbox = Counter(OutgoingMail.objects.values_list("status", flat=True))
            report.add("outbox by status at the end", dict(outbox))
            assert outbox == {"sent": len(promised)}
    report.add("drill seconds", f"{time.monotonic() - started:.1f}")


PUBLIC_PAGES = (
    "/",
    "/workshops/{slug}/",
    "/workshops/{slug}/schedule/",
    "/workshops/{slug}/schedule.ics",
    "/workshops/{slug}/schedule.json",
    "/workshops/{slug}/register/",
)


def browse(port: int, slug: str) -> list:
    """A visitor reads the public pages, the schedule (cached per version) and its exports."""
    client = Client(port)
    return [client.get(page.format(slug=slug)) for page in PUBLIC_PAGES]


def register_attendees(port: int, slug: str) -> list:
    """Attendees load the form and post it, CLIENTS at a time; every response, in order."""
    path = f"/workshops/{slug}/register/"

    def attendee(n: int) -> list:
        client = Client(port)
        page = client.get(path)
        token = match.group(1) if (match := CSRF_INPUT.search(page.text)) else ""
        return [page, client.post(path, person(n, token))]

    with ThreadPoolExecutor(CLIENTS) as pool:
        return [r for pair in pool.map(attendee, range(ATTENDEES)) for r in pair]


def send_decisions(chair: Client, submissions: list[Submission]) -> list:
    """Accept half, reject the rest, then notify every author: the admin's actions."""
    half = len(submissions) // 2
    steps = [
        ("accept_as_talk", submissions[:half], {}),
        ("reject", submissions[half:], {}),
        ("notify_authors", submissions, {}),  # the preview page
        ("notify_authors", submissions, {"send": "Queue"}),
    ]
    responses = []
    for action, chosen, extra in steps:
        page = chair.get(CHANGELIST)
        responses.append(page)
        token = chair.form_token(CHANGELIST)
        data = {
            "csrfmiddlewaretoken": token,
            "action": action,
            "_selected_action": [s.pk for s in chosen],
            **extra,
        }
        responses.append(chair.post(CHANGELIST, data))
    return responses


@pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason=f"needs {REDIS_SERVER}")
def test_cache_acts_empty_and_fast_while_its_server_is_down(tmp_path, caplog):
    """The backend itself: misses, stores nothing, raises nothing; back when the server is."""
    with private_redis(tmp_path) as server:
        cache = RedisCache(server.url(), {"KEY_PREFIX": "drill"})
        cache.set("kept", 1)
        server.stop()
        started = time.monotonic()
        assert cache.get("kept") is None
        assert cache.get_many(["kept", "other"]) == {}
        assert cache.add("new", 1) is False
        assert cache.set("new", 1) is None
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.has_key("kept") is False
        assert cache.delete("kept") is False
        assert cache.get_or_set("computed", 7) == 7
        with pytest.raises(ValueError):
            cache.incr("kept")
        assert time.monotonic() - started < 1.0
        assert [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()]
        assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
        server.start()
        cache.set("kept", 2)  # the next operation finds the server again
        assert cache.get("kept") == 2
        assert cache.incr("kept") == 3
        assert [r for r in caplog.records if "available again" in r.getMessage()]
