"""The one fixture world of the access matrix: two workshops, everyone who touches them.

Workshop A is published with an open registration, an open call for abstracts, reviews and a
released schedule; workshop B is unpublished, with its own organizer and a few rows of each
kind, so that every "another workshop's object" check has an object to aim at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tokens import profile_claim_token
from outbox.models import OutgoingMail
from registration.models import MailText, Question, Registration
from registration.tokens import manage_link_token
from schedule.services import publish_schedule
from submissions.models import DecisionMailText, Submission
from submissions.tokens import confirmation_token, invitation_token
from tests.factories import (
    KeyDateFactory,
    OrganizerFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    SpeakerProfileFactory,
    TeamMemberFactory,
    TopicFactory,
    UserFactory,
    WorkshopFactory,
    release_schedule,
)
from tests.submissions.factories import (
    CallForAbstractsFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    SubmissionFactory,
    SubmissionTypeFactory,
)
from tests.submissions.pdfs import pdf_bytes
from workshops.models import Series, Workshop

ROLES = (
    "anonymous",
    "attendee",
    "speaker",
    "reviewer",
    "organizer_other",
    "organizer",
    "superuser",
)
PDF = pdf_bytes(author="Ada Author", title="Low-rank adapters")
# A one-pixel PNG: the public media route serves speaker photos by their suffix.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    """Everything the rows of the matrix point at; ``users`` maps a role to its account."""

    users: dict[str, object] = field(default_factory=dict)
    a: SimpleNamespace = field(default_factory=SimpleNamespace)
    b: SimpleNamespace = field(default_factory=SimpleNamespace)
    misc: SimpleNamespace = field(default_factory=SimpleNamespace)
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)


def build_world() -> World:
    """Create the world; the caller runs this inside a transaction it rolls back."""
    w = World()
    u = w.users
    u["speaker"] = UserFactory(email="speaker@example.org", full_name="Sam Speaker")
    u["reviewer"] = UserFactory(email="reviewer@example.org", full_name="Rita Reviewer")
    u["organizer_other"] = OrganizerFactory(email="other-organizer@example.org")
    u["organizer"] = OrganizerFactory(email="organizer@example.org")
    u["superuser"] = UserFactory(
        email="root@example.org", is_staff=True, is_superuser=True, full_name="Root"
    )
    _workshop_a(w)
    _workshop_b(w)
    _site_wide(w)
    return w


def _workshop_a(w: World) -> None:
    a = w.a
    a.series = Series.objects.create(name="Low-Rank Workshops", slug="low-rank", short_name="LR")
    a.workshop = WorkshopFactory(
        slug="alpha",
        series=a.series,
        organizers=[w.users["organizer"]],
        schedule_status=Workshop.ScheduleStatus.FINAL,
    )
    a.settings = RegistrationSettingsFactory(
        workshop=a.workshop, capacity=50, participant_list_public=True
    )
    a.question = Question.objects.create(workshop=a.workshop, label="Poster board?")
    a.mailtext = MailText.objects.create(
        workshop=a.workshop, kind=MailText.Kind.choices[0][0], subject="Hi", body="Hello"
    )
    # The attendee has no account: only the signed link of their own registration.
    a.registration = RegistrationFactory(workshop=a.workshop, list_consent=True)
    a.other_registration = RegistrationFactory(workshop=a.workshop)
    a.cancelled_registration = RegistrationFactory(workshop=a.workshop, status="cancelled")
    a.keydate = KeyDateFactory(workshop=a.workshop)
    a.topic = TopicFactory(workshop=a.workshop)
    a.teammember = TeamMemberFactory(workshop=a.workshop)
    a.room = RoomFactory(workshop=a.workshop)
    # Made by workshop A's organizers, for a speaker who has no account (yet).
    a.profile = SpeakerProfileFactory(
        photo=ContentFile(PNG, name="alpha.png"),
        email="alpha-speaker@example.org",
        home_workshop=a.workshop,
    )
    a.appearance = SpeakerAppearanceFactory(workshop=a.workshop, speaker=a.profile)
    a.item = ScheduleItemFactory(workshop=a.workshop, room=a.room, speakers=[a.profile])
    release_schedule(a.workshop)  # the public sees releases only
    a.release = publish_schedule(
        workshop=a.workshop, version="v1", status="final", user=w.users["organizer"], notify=False
    )
    a.mail = OutgoingMail.objects.create(
        key="access-matrix:a",
        workshop=a.workshop,
        template="test",
        from_email="noreply@example.org",
        to=a.registration.email,
        subject="Your registration",
        body_text="Welcome.",
    )
    _call_for_abstracts_a(w)


def _call_for_abstracts_a(w: World) -> None:
    a, speaker, reviewer = w.a, w.users["speaker"], w.users["reviewer"]
    a.cfa = CallForAbstractsFactory(workshop=a.workshop, pdf_upload=True)
    a.type = SubmissionTypeFactory(workshop=a.workshop, name="Talk")
    pdf = {"pdf": ContentFile(PDF, name="x.pdf")}
    # The speaker's own: one under review, one accepted and notified (its confirm link).
    a.own = SubmissionFactory(workshop=a.workshop, type=a.type, submitter=speaker, **pdf)
    a.accepted = SubmissionFactory(
        workshop=a.workshop,
        type=a.type,
        submitter=speaker,
        decision=Submission.Decision.TALK,
        decided_at=timezone.now(),
        notified_at=timezone.now(),
    )
    # The reviewer sits on A's committee: one clean assignment (reviewed), one conflicted
    # (same affiliation as an author, no override), and a submission not given to them.
    a.member = CommitteeMemberFactory(workshop=a.workshop, user=reviewer, affiliation="Inria")
    a.assigned = SubmissionFactory(workshop=a.workshop, type=a.type, **pdf)
    a.assignment = ReviewAssignmentFactory(submission=a.assigned, reviewer=a.member)
    a.review = ReviewFactory(assignment=a.assignment)
    a.conflicted = SubmissionFactory(
        workshop=a.workshop,
        type=a.type,
        authors=[{"name": "Ines", "email": "ines@example.org", "affiliation": "INRIA"}],
        **pdf,
    )
    a.conflicted_assignment = ReviewAssignmentFactory(submission=a.conflicted, reviewer=a.member)
    a.unassigned = SubmissionFactory(workshop=a.workshop, type=a.type, **pdf)
    a.decided = SubmissionFactory(
        workshop=a.workshop,
        type=a.type,
        decision=Submission.Decision.REJECT,
        decided_at=timezone.now(),
    )
    # Another reviewer's assignment, of the speaker's own submission.
    a.others_assignment = ReviewAssignmentFactory(submission=a.own)
    a.decision_text = DecisionMailText.objects.create(
        workshop=a.workshop, decision="reject", subject="Sorry", body="Not this time."
    )


def _workshop_b(w: World) -> None:
    b = w.b
    b.workshop = WorkshopFactory(
        slug="beta",
        published=False,
        organizers=[w.users["organizer_other"]],
        schedule_status=Workshop.ScheduleStatus.TENTATIVE,
    )
    b.settings = RegistrationSettingsFactory(workshop=b.workshop, participant_list_public=True)
    b.registration = RegistrationFactory(workshop=b.workshop)
    b.room = RoomFactory(workshop=b.workshop)
    b.item = ScheduleItemFactory(workshop=b.workshop, room=b.room)
    release_schedule(b.workshop)
    b.cfa = CallForAbstractsFactory(workshop=b.workshop)
    b.submission = SubmissionFactory(workshop=b.workshop)
    b.assignment = ReviewAssignmentFactory(submission=b.submission)


def _site_wide(w: World) -> None:
    m = w.misc
    m.group = Group.objects.create(name="Helpers")
    m.email_address = EmailAddress.objects.create(
        user=w.users["speaker"], email="speaker@example.org", verified=True, primary=True
    )
    m.attempt = AccessAttempt.objects.create(
        username="x@example.org", ip_address="192.0.2.1", user_agent="test", failures_since_start=1
    )
    m.access_log = AccessLog.objects.create(
        username="x@example.org", ip_address="192.0.2.1", user_agent="test"
    )
    m.failure_log = AccessFailureLog.objects.create(
        username="x@example.org", ip_address="192.0.2.1", user_agent="test"
    )


def manage_link(registration: Registration) -> dict:
    return {"pk": registration.pk, "token": manage_link_token.make_token(registration)}


def claim_link(profile) -> dict:
    return {"pk": profile.pk, "token": profile_claim_token.make_token(profile)}


def confirm_link(submission: Submission) -> dict:
    return {"pk": submission.pk, "token": confirmation_token.make_token(submission)}


def invitation_link(member) -> dict:
    return {"pk": member.pk, "token": invitation_token.make_token(member)}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Build the world once per module, inside a transaction rolled back at its end.

    Each test then runs in a savepoint of that transaction (pytest-django's own), so what a
    test writes is gone before the next one. Files go to a directory of this module; the
    cache of the build is local memory, never the shared Redis. Every role signs in once:
    the tests reuse its session cookie.
    """
    files = tmp_path_factory.mktemp("access-matrix")
    with (
        override_settings(PRIVATE_MEDIA_ROOT=files / "private", MEDIA_ROOT=files / "media"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        # Nobody signs in with a password here (force_login): skip argon2's deliberate cost.
        with override_settings(CACHES=LOCAL_CACHE, PASSWORD_HASHERS=FAST_HASHERS):
            built = build_world()
        built.cookies = _sign_in(built)
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _own_private_media():
    """Replace tests/conftest.py's per-test PDF directory: the world's PDFs stay readable."""


def _sign_in(w: World) -> dict[str, dict[str, str]]:
    """The cookies of each role's browser: a session for the account holders, and whatever
    the attendee's manage link set (the database sessions outlive each test's savepoint)."""
    cookies = {}
    for role in ROLES:
        client = Client()
        if role == "attendee":
            assert (
                client.get(
                    reverse("registration:manage", kwargs=manage_link(w.a.registration))
                ).status_code
                == 200
            )
        elif role != "anonymous":
            client.force_login(w.users[role])
        cookies[role] = {name: morsel.value for name, morsel in client.cookies.items()}
    return cookies


def client_of(role: str, world: World) -> Client:
    """A client of ``role``, signed in as that role (with the cookies of its one sign-in)."""
    client = Client()
    for name, value in world.cookies[role].items():
        client.cookies[name] = value
    return client
