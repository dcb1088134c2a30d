"""200 decision mails through the outbox, Redis and a real Celery worker into an SMTP sink:
each exactly once, each with its own decision; notifying again sends nothing."""

import itertools
import time
from email.message import Message

import pytest

from outbox.models import OutgoingMail
from submissions import services
from submissions.models import Submission
from tests.factories import UserFactory, WorkshopFactory
from tests.fixtures_celery import wait_until_idle
from tests.submissions.factories import SubmissionFactory, SubmissionTypeFactory

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

COUNT = 200
DELIVERY_TIMEOUT = 60.0
DECISIONS = ("talk", "poster", "spotlight", "reject")
EXPECTED_TEXT = {
    "talk": "is accepted as talk at Decision Days",
    "poster": "is accepted as poster at Decision Days",
    "spotlight": "is accepted as spotlight at Decision Days",
    "reject": "We are sorry that we could not accept it this time.",
}


def plain_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError(f"no text part in {message['X-Outbox-Key']}")


def test_two_hundred_decision_mails_arrive_once_each_with_their_decision(celery_worker, smtp_sink):
    workshop = WorkshopFactory(title="Decision Days")
    kind = SubmissionTypeFactory(workshop=workshop, name="Talk")
    decision_of = {}
    for i, decision in zip(range(COUNT), itertools.cycle(DECISIONS)):
        submission = SubmissionFactory(
            workshop=workshop,
            type=kind,
            submitter=UserFactory(email=f"author{i}@example.org"),
            title=f"Abstract {i}",
        )
        services.decide_submission(submission=submission, decision=decision)
        decision_of[f"decision:{submission.pk}"] = decision

    queued = services.notify_authors(submissions=Submission.objects.filter(workshop=workshop))

    assert queued == COUNT
    messages = smtp_sink.wait_for(COUNT, timeout=DELIVERY_TIMEOUT)
    assert len(messages) == COUNT, f"{len(messages)} of {COUNT} arrived in {DELIVERY_TIMEOUT} s"
    keys = [m["X-Outbox-Key"] for m in messages]
    assert sorted(keys) == sorted(decision_of)  # each exactly once
    for message in messages:
        decision = decision_of[message["X-Outbox-Key"]]
        body = plain_text(message)
        assert EXPECTED_TEXT[decision] in body, (message["X-Outbox-Key"], body)
        for other in set(DECISIONS) - {decision, "reject"}:
            assert f"accepted as {other}" not in body

    again = services.notify_authors(submissions=Submission.objects.filter(workshop=workshop))

    assert again == 0
    wait_until_idle(celery_worker)  # a duplicate would have arrived by now
    assert len(smtp_sink.messages) == COUNT
    deadline = time.monotonic() + 10
    while OutgoingMail.objects.exclude(status="sent").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert OutgoingMail.objects.filter(status="sent", attempts=1).count() == COUNT
