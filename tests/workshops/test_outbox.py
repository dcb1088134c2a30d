"""The outbox delivers every promised mail once: after commit, through retries, past a dead
broker and a dead worker. The SMTP server is the only part that is ever stood in for."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from config.celery_app import app as celery_app
from outbox.dispatch import requeue_stale
from outbox.mail import queue_mail
from outbox.models import OutgoingMail
from tests.fixtures_celery import wait_until_idle

DEAD_BROKER_URL = "redis://127.0.0.1:1/0"


class Boom(Exception):
    pass


def queue_notice(key: str = "notice:1", to: str = "ada@example.org") -> OutgoingMail:
    return queue_mail(
        key=key,
        to=to,
        template="outbox/emails/notice",
        context={"subject": f"Notice {key}", "body": "The room has changed.", "workshop": None},
    )


def wait_for_status(mail: OutgoingMail, status: str, *, timeout: float = 20.0) -> OutgoingMail:
    deadline = time.monotonic() + timeout
    mail.refresh_from_db()
    while mail.status != status and time.monotonic() < deadline:
        time.sleep(0.05)
        mail.refresh_from_db()
    return mail


@pytest.mark.django_db
def test_rolled_back_change_leaves_no_mail(mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        queue_notice()
        raise Boom

    assert OutgoingMail.objects.count() == 0
    assert callbacks == []
    assert mailoutbox == []


@pytest.mark.django_db
def test_committed_mail_is_delivered_once(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail = queue_notice(key="confirmed:7", to="grace@example.org")

    assert [(m.subject, m.to) for m in mailoutbox] == [
        ("Notice confirmed:7", ["grace@example.org"])
    ]
    assert mailoutbox[0].extra_headers["X-Outbox-Key"] == "confirmed:7"
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == ("sent", 1, "")
    assert mail.sent_at is not None

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = queue_notice(key="confirmed:7", to="grace@example.org")

    assert again.pk == mail.pk
    assert callbacks == []
    assert len(mailoutbox) == 1
    assert OutgoingMail.objects.count() == 1


@pytest.mark.django_db
def test_transient_failure_is_retried_until_max_attempts(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.mail_backends.DisconnectingBackend"
    settings.MAIL_MAX_ATTEMPTS = 3

    with django_capture_on_commit_callbacks(execute=True):
        mail = queue_notice()

    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("failed", 3)
    assert mail.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mail.sent_at is None
    assert mailoutbox == []


@pytest.mark.django_db
def test_permanent_failure_is_not_retried(settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    settings.MAIL_MAX_ATTEMPTS = 3

    with django_capture_on_commit_callbacks(execute=True):
        mail = queue_notice(to="nobody@example.org")

    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("failed", 1)
    assert mail.last_error.startswith("SMTPRecipientsRefused: ")
    assert "550" in mail.last_error
    assert "nobody@example.org" in mail.last_error
    assert mailoutbox == []


@pytest.mark.django_db
def test_sweeper_sends_stuck_and_overdue_mail_but_not_fresh_mail(settings, mailoutbox):
    # Without the on-commit hook these three stay queued, as after a broker outage.
    stuck, overdue, fresh = (queue_notice(key=k) for k in ("stuck", "overdue", "fresh"))
    now = timezone.now()
    OutgoingMail.objects.filter(pk=stuck.pk).update(
        status="sending",
        attempts=1,
        sending_since=now - settings.MAIL_STUCK_AFTER - timedelta(minutes=1),
    )
    OutgoingMail.objects.filter(pk=overdue.pk).update(
        next_attempt_at=now - settings.MAIL_REQUEUE_GRACE - timedelta(minutes=1)
    )

    assert requeue_stale(now=now) == 2

    assert sorted(m.subject for m in mailoutbox) == ["Notice overdue", "Notice stuck"]
    for mail in (stuck, overdue, fresh):
        mail.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("sent", 2)
    assert (overdue.status, overdue.attempts) == ("sent", 1)
    assert (fresh.status, fresh.attempts) == ("queued", 0)


@pytest.mark.django_db
def test_admin_resend_sends_a_failed_mail_again(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    mail = queue_notice()
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status="failed", attempts=8, last_error="SMTPServerDisconnected: gone"
    )
    admin = django_user_model.objects.create_superuser(email="root@example.org", password="pw")
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:outbox_outgoingmail_changelist"),
            {"action": "resend_selected", "_selected_action": [mail.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["1 mail(s) queued again."]
    assert [m.subject for m in mailoutbox] == ["Notice notice:1"]
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == ("sent", 1, "")


@pytest.fixture
def unreachable_broker():
    """Point publishing at a port where no broker listens, then back at the real one."""
    conf = celery_app.conf
    previous = conf.get("broker_write_url")

    def reset_pools() -> None:
        # Both pools keep connections to the URL they were created for.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_write_url = DEAD_BROKER_URL
    reset_pools()

    def restore() -> None:
        conf.broker_write_url = previous
        reset_pools()

    yield restore
    restore()


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_committed_mail_once(celery_worker, smtp_sink):
    with transaction.atomic():
        mail = queue_notice(key="registration-confirmed:1", to="emmy@example.org")

    assert [m["Subject"] for m in smtp_sink.wait_for(1)] == ["Notice registration-confirmed:1"]
    mail = wait_for_status(mail, "sent")
    wait_until_idle(celery_worker)  # a duplicate would have arrived by now
    [message] = smtp_sink.messages
    assert (message["To"], message["X-Outbox-Key"]) == (
        "emmy@example.org",
        "registration-confirmed:1",
    )
    assert (mail.status, mail.attempts) == ("sent", 1)


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_worker_retries_a_deferred_mail(celery_worker, smtp_sink):
    smtp_sink.defer_next(1)

    with transaction.atomic():
        mail = queue_notice(key="reminder:5", to="lise@example.org")

    assert [m["Subject"] for m in smtp_sink.wait_for(1)] == ["Notice reminder:5"]
    mail = wait_for_status(mail, "sent")
    wait_until_idle(celery_worker)
    assert len(smtp_sink.messages) == 1
    assert (mail.status, mail.attempts, mail.last_error) == ("sent", 2, "")


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_mail_survives_a_dead_broker_and_is_sent_once_by_the_sweeper(
    celery_worker, smtp_sink, unreachable_broker, settings
):
    started = time.monotonic()
    with transaction.atomic():
        mail = queue_notice(key="decision:3", to="sofia@example.org")
    assert time.monotonic() - started < 5

    # The hand-over failed at commit (the broker is down): nothing can reach the worker.
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("queued", 0)
    assert smtp_sink.messages == []

    unreachable_broker()
    later = timezone.now() + settings.MAIL_REQUEUE_GRACE + timedelta(seconds=1)
    assert requeue_stale(now=later) == 1

    assert [m["Subject"] for m in smtp_sink.wait_for(1)] == ["Notice decision:3"]
    mail = wait_for_status(mail, "sent")
    wait_until_idle(celery_worker)
    assert len(smtp_sink.messages) == 1
    assert (mail.status, mail.attempts) == ("sent", 1)


@pytest.mark.django_db
def test_after_a_failed_publish_requests_leave_the_broker_alone_for_a_while(
    monkeypatch, django_capture_on_commit_callbacks
):
    from outbox import dispatch
    from outbox.tasks import deliver_mail

    celery_app.conf.task_always_eager = False  # a broker to rest; the autouse fixture restores
    calls = []

    def dead_broker(*args, **kwargs):
        calls.append(kwargs)
        raise ConnectionError("broker hangs")

    monkeypatch.setattr(deliver_mail, "apply_async", dead_broker)
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_notice(key="notice:first")
    with django_capture_on_commit_callbacks(execute=True):
        second = queue_notice(key="notice:second")
    assert len(calls) == 1  # the second request did not wait on the broker again
    assert {first.status, second.status} == {"queued"}

    # The sweeper always tries: it is how resting mail gets out once the broker is back.
    monkeypatch.setattr(deliver_mail, "apply_async", lambda *a, **kwargs: calls.append(kwargs))
    later = timezone.now() + timedelta(hours=1)
    assert requeue_stale(now=later) == 2
    assert len(calls) == 3

    # Once the rest is over, requests publish again.
    monkeypatch.setattr(dispatch, "_broker_down_until", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        queue_notice(key="notice:third")
    assert len(calls) == 4


def test_the_admin_shows_the_html_part_rendered_in_a_sandboxed_frame(admin_client):
    mail = OutgoingMail.objects.create(
        key="html:1",
        to="ada@example.org",
        subject="Hello",
        body_text="Hello Ada",
        body_html='<p>Hello <b>Ada</b></p><script>alert("x")</script>',
    )
    page = admin_client.get(
        reverse("admin:outbox_outgoingmail_change", args=[mail.pk])
    ).content.decode()
    frame = page[page.index('<iframe sandbox=""') :]
    frame = frame[: frame.index("</iframe>")]
    assert 'srcdoc="&lt;p&gt;Hello &lt;b&gt;Ada&lt;/b&gt;&lt;/p&gt;&lt;script&gt;' in frame
    assert '<script>alert("x")' not in page  # never live in the admin page itself
    assert "Hello Ada" in page  # the text part beside it
