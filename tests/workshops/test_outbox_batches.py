"""The outbox in bulk: many mails queued in one insert, delivered in batches over one SMTP
session, with the same once-only guarantees as one by one. The SMTP server is a real one."""

from __future__ import annotations

import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction

from outbox import delivery
from outbox.delivery import deliver_many
from outbox.mail import Mail, queue_mail, queue_mails
from outbox.models import OutgoingMail
from tests.fixtures_celery import free_port

pytestmark = pytest.mark.django_db


def notice(key: str, to: str = "ada@example.org") -> Mail:
    return Mail(
        key=key,
        to=to,
        template="outbox/emails/notice",
        context={"subject": f"Notice {key}", "body": "The room has changed.", "workshop": None},
    )


def queued(*keys: str) -> list[OutgoingMail]:
    """Mails written without their delivery (as after a broker outage)."""
    return queue_mails([notice(key, to=f"{key}@example.org") for key in keys])


class FlakyOnceBackend(LocmemBackend):
    """Drops the connection the first time it sees flaky@example.org, then behaves."""

    failed: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if "flaky@example.org" in message.to and "flaky" not in self.failed:
                self.failed.add("flaky")
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


# Queueing many ------------------------------------------------------------------------------


def test_many_mails_are_queued_once_per_key_and_delivered_after_commit(
    mailoutbox, django_capture_on_commit_callbacks
):
    earlier = queue_mail(**notice("notice:1").__dict__)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mails = queue_mails([notice("notice:1"), notice("notice:2"), notice("notice:3")])

    assert mails[0] == earlier
    assert len(callbacks) == 1  # one hand-over to the broker for the whole lot
    assert sorted(m.subject for m in mailoutbox) == ["Notice notice:2", "Notice notice:3"]
    assert [m.extra_headers["X-Outbox-Key"] for m in mailoutbox] == ["notice:2", "notice:3"]
    assert OutgoingMail.objects.count() == 3
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"queued", "sent"}


def test_queueing_the_same_keys_again_sends_nothing_new(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_mails([notice("a"), notice("b")])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = queue_mails([notice("b"), notice("a"), notice("b")])

    assert again == [first[1], first[0], first[1]]
    assert callbacks == []
    assert len(mailoutbox) == 2


def test_a_rolled_back_batch_leaves_no_mail(mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_mails([notice("x"), notice("y")])
        raise RuntimeError

    assert OutgoingMail.objects.count() == 0
    assert callbacks == []
    assert mailoutbox == []


# Delivering a batch ---------------------------------------------------------------------------


def test_a_batch_delivers_only_what_is_queued(mailoutbox):
    mails = queued("q1", "sent", "failed", "sending", "q2")
    OutgoingMail.objects.filter(key="sent").update(status="sent", attempts=1)
    OutgoingMail.objects.filter(key="failed").update(status="failed", attempts=8)
    OutgoingMail.objects.filter(key="sending").update(status="sending", attempts=1)

    deliver_many([m.pk for m in mails])

    assert sorted(m.subject for m in mailoutbox) == ["Notice q1", "Notice q2"]
    assert dict(OutgoingMail.objects.values_list("key", "status")) == {
        "q1": "sent",
        "q2": "sent",
        "sent": "sent",
        "failed": "failed",
        "sending": "sending",
    }
    assert dict(OutgoingMail.objects.values_list("key", "attempts")) == {
        "q1": 1,
        "q2": 1,
        "sent": 1,
        "failed": 8,
        "sending": 1,
    }


def test_a_mail_that_fails_for_now_is_retried_alone_while_the_batch_goes_on(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.workshops.test_outbox_batches.FlakyOnceBackend"
    FlakyOnceBackend.failed = set()
    mails = queued("before", "flaky", "after")

    deliver_many([m.pk for m in mails])

    # Eagerly (no worker) its own task runs at once; a worker would run it after its backoff.
    assert [m.to for m in mailoutbox] == [
        ["before@example.org"],
        ["flaky@example.org"],
        ["after@example.org"],
    ]
    flaky = OutgoingMail.objects.get(key="flaky")
    assert (flaky.status, flaky.attempts, flaky.last_error) == ("sent", 2, "")


def test_a_batch_running_late_hands_the_rest_back_uncounted(settings, mailoutbox):
    # Past half of MAIL_STUCK_AFTER the sweeper would soon take claimed mails for lost ones.
    settings.MAIL_STUCK_AFTER = timedelta(0)
    mails = queued("m1", "m2", "m3")

    deliver_many([m.pk for m in mails])

    assert sorted(m.subject for m in mailoutbox) == ["Notice m1", "Notice m2", "Notice m3"]
    assert set(OutgoingMail.objects.values_list("status", "attempts")) == {("sent", 1)}


# One SMTP session per worker ----------------------------------------------------------------


class CountingServer:
    """A real SMTP server that counts sessions and can refuse the next message for now."""

    def __init__(self) -> None:
        self.port = free_port()
        self.sessions = 0
        self.keys: list[str] = []
        self.defer = 0
        self._lock = threading.Lock()
        self.controller = None
        self.on_message = None  # called with each accepted message's key

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.defer:
                self.defer -= 1
                return "451 4.3.0 Try again later"
            key = next(
                line.split(b": ", 1)[1].decode()
                for line in envelope.content.splitlines()
                if line.startswith(b"X-Outbox-Key: ")
            )
            self.keys.append(key)
        if self.on_message:
            self.on_message(key)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server(settings):
    server = CountingServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def test_a_batch_sends_one_mail_after_another_over_one_session(smtp_server):
    mails = queued("s1", "s2", "s3")

    deliver_many([m.pk for m in mails])
    delivery.deliver(queued("s4")[0].pk)

    assert smtp_server.keys == ["s1", "s2", "s3", "s4"]
    assert smtp_server.sessions == 2  # the batch's, and the single mail's


def test_a_failed_send_closes_the_session_and_the_batch_goes_on_in_a_new_one(smtp_server):
    mails = queued("b1", "b2", "b3")
    original, deferred = smtp_server.handle_DATA, []

    async def defer_b2_once(server, session, envelope):
        if b"X-Outbox-Key: b2" in envelope.content and not deferred:
            deferred.append(session)
            return "451 4.3.0 Try again later"
        return await original(server, session, envelope)

    smtp_server.handle_DATA = defer_b2_once

    deliver_many([m.pk for m in mails])

    # b2's retry is a task of its own (run at once here: Celery is eager in tests), in its own
    # session; the batch goes on with b3 in a new one.
    assert smtp_server.keys == ["b1", "b2", "b3"]
    assert smtp_server.sessions == 3
    assert dict(OutgoingMail.objects.values_list("key", "attempts")) == {"b1": 1, "b2": 2, "b3": 1}
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}


@pytest.fixture
def slow_sent_marks():
    """Make PostgreSQL take 50 ms over each "sent" mark, as a slow disk would."""
    table = OutgoingMail._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_slow_mark() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN PERFORM pg_sleep(0.05); RETURN NEW; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER test_slow_mark BEFORE UPDATE ON {table} FOR EACH ROW "
            "WHEN (NEW.status = 'sent') EXECUTE FUNCTION test_slow_mark()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER test_slow_mark ON {table}")
        cursor.execute("DROP FUNCTION test_slow_mark()")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_mail_is_recorded_as_sent_before_the_server_takes_the_next(smtp_server, slow_sent_marks):
    # The duplicate window holds one mail at most: when the server accepts a mail, every mail
    # before it is committed as sent (seen from another connection, as after a crash), however
    # slowly the database commits.
    sent_when_accepted = {}

    def sent_keys() -> set[str]:
        try:
            return set(OutgoingMail.objects.filter(status="sent").values_list("key", flat=True))
        finally:
            connection.close()  # this thread's own connection

    def look(key: str) -> None:  # in the server's event loop: the ORM runs in a thread
        with ThreadPoolExecutor(1) as pool:
            sent_when_accepted[key] = pool.submit(sent_keys).result()

    smtp_server.on_message = look

    queued(*(f"w{i}" for i in range(6)))  # committed: its batch task runs (eagerly) on commit

    assert smtp_server.keys == [f"w{i}" for i in range(6)]
    assert sent_when_accepted == {f"w{i}": {f"w{j}" for j in range(i)} for i in range(6)}
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_server_that_refuses_the_connection_fails_the_mail_for_now_not_for_ever(settings):
    """Connecting is part of sending: a refused connection is recorded on the mail like any
    failed send (here its last attempt, so it fails), never left "sending" for the sweeper."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    settings.MAIL_MAX_ATTEMPTS = 1  # in-process retries would try at once: stop at the first
    [mail] = queued("refused")

    deliver_many([mail.pk])

    mail.refresh_from_db()
    assert mail.status == OutgoingMail.Status.FAILED
    assert mail.attempts == 1
    assert "Connection" in mail.last_error or "Errno" in mail.last_error
