"""Loading the whole demo: every workshop, their first releases, the demo workshop's open
registration, and (in development) accounts to try the admin with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from demo.content import (
    demo_call,
    demo_workshop,
    lorainne,
    moml,
    qu_lectures,
    slowdnn,
    training_center,
)
from demo.upsert import DemoUser, upsert_user
from registration import services as registration_services
from registration.models import Question, Registration, RegistrationSettings
from schedule import services
from submissions.models import Submission
from workshops.models import Workshop

DEMO_SLUG = demo_workshop.DEMO_SLUG

ADMIN = DemoUser("admin@example.org", "admin", "Demo Admin", True, role="superuser, at /admin/")
ORGANIZER = DemoUser(
    "organizer@example.org", "organizer", "Demo Organizer", False,
    role="organizer of demo-workshop and lorainne24, at /admin/",
)  # fmt: skip
# The public site's people (log in at /accounts/login/): a speaker with abstracts in every
# state, and the demo workshop's two reviewers, each with reviews written and to write.
SPEAKER = DemoUser(
    demo_call.SPEAKER_EMAIL, "speaker", demo_call.PEOPLE[demo_call.SPEAKER_EMAIL][0], False,
    is_staff=False, role="a speaker: My submissions",
)  # fmt: skip
REVIEWERS = [
    DemoUser(
        email, email.split("@")[0], demo_call.PEOPLE[email][0], False, is_staff=False,
        role="on the demo workshop's committee: Reviews",
    )
    for email in demo_call.REVIEWER_EMAILS
]  # fmt: skip


@dataclass(frozen=True)
class Loaded:
    workshop: Workshop
    created: bool  # False: it existed, and was left as it is


# (slug, loader): each loader creates its workshop from scratch; the demo workshop's dates
# (and its call's and registration's) count from the day it is created.
def _loaders(today: dt.date):
    def demo():
        workshop = demo_workshop.load_demo_workshop(today=today)
        demo_call.load_demo_call(workshop, today=today)
        open_demo_registration(workshop, today=today)
        add_demo_attendees(workshop)
        return workshop

    return [
        (DEMO_SLUG, demo),
        ("lorainne24", lorainne.load_lorainne24),
        ("slowdnn-2023", slowdnn.load_slowdnn_2023),
        ("mathematics-of-modern-machine-learning", moml.load_moml),
        ("emergence-of-low-dim-models-in-deep-learning", qu_lectures.load_qu_lecture_course),
        (training_center.SLUG, training_center.load_training_center),
    ]  # fmt: skip


DEMO_SLUGS = [slug for slug, _ in _loaders(dt.date(2000, 1, 1))]


@transaction.atomic
def load_demo(*, today: dt.date | None = None, reset: bool = False) -> list[Loaded]:
    """Create the demo workshops that do not exist yet; those that do are the organizer's
    and stay as they are (schedule, capacity, dates), unless ``reset`` deletes and recreates
    them. The fictional one starts at least 45 days after the day it is created."""
    today = today or timezone.localdate()
    if reset:
        delete_demo_workshops()
    existing = {w.slug: w for w in Workshop.objects.filter(slug__in=DEMO_SLUGS)}
    loaded = []
    for slug, loader in _loaders(today):
        if slug in existing:
            loaded.append(Loaded(existing[slug], created=False))
            continue
        workshop = loader()
        services.release_if_changed(workshop)  # the public sees releases only
        loaded.append(Loaded(workshop, created=True))
    return loaded


def delete_demo_workshops() -> int:
    """Delete the demo workshops and everything in them (their submissions first: a
    submission protects its type)."""
    workshops = Workshop.objects.filter(slug__in=DEMO_SLUGS)
    Submission.objects.filter(workshop__in=workshops).delete()
    deleted, _ = workshops.delete()
    return deleted


@transaction.atomic
def load_demo_users() -> list[DemoUser]:
    """Upsert the demo superuser, the organizer of the demo workshop and LoRAINNe'24, and
    the passwords of the demo speaker and reviewers."""
    upsert_user(ADMIN)
    organizer = upsert_user(ORGANIZER)
    for workshop in Workshop.objects.filter(slug__in=[DEMO_SLUG, "lorainne24"]):
        workshop.organizers.add(organizer)
    for person in (SPEAKER, *REVIEWERS):
        upsert_user(person)
    return [ADMIN, ORGANIZER, SPEAKER, *REVIEWERS]


def open_demo_registration(workshop: Workshop, *, today: dt.date) -> RegistrationSettings:
    """Open registration from yesterday until a week before the workshop; idempotent."""
    closes = workshop.start_date - dt.timedelta(days=7)
    conf, _ = RegistrationSettings.objects.update_or_create(
        workshop=workshop,
        defaults={
            "opens_at": workshop.local_datetime(today - dt.timedelta(days=1), dt.time(9, 0)),
            "closes_at": workshop.local_datetime(closes, dt.time(23, 59)),
            "capacity": 30,
            "waitlist_enabled": True,
            "requires_approval": False,
            "show_remaining_seats": True,
            "participant_list_public": True,
            "reminder_days_before": 3,
        },
    )
    Question.objects.update_or_create(
        workshop=workshop,
        label="Will you join the workshop dinner?",
        defaults={
            "kind": Question.Kind.CHOICE,
            "choices": "Yes\nNo\nNot sure yet",
            "required": True,
            "order": 1,
        },
    )
    return conf


# Fictional people already registered, so the organizer has someone to check in, mail and
# export; written as rows (no confirmation mail goes out for them), then counted.
DEMO_ATTENDEES = [
    ("Alice", "Martin", "Université de Lorraine", "Yes"),
    ("Bruno", "Costa", "Federal University of Ceara", "No"),
    ("Chen", "Wei", "INRIA Saclay", "Yes"),
    ("Dorota", "Łukasiewicz", "University of Warsaw", "Not sure yet"),
    ("Emeka", "Okafor", "University of Edinburgh", "Yes"),
]


def add_demo_attendees(workshop: Workshop) -> None:
    question = Question.objects.get(workshop=workshop, label__startswith="Will you join")
    now = timezone.now()
    Registration.objects.bulk_create(
        Registration(
            workshop=workshop,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.demo@example.org",
            affiliation=affiliation,
            list_consent=True,
            answers={str(question.pk): dinner},
            status=Registration.Status.CONFIRMED,
            confirmed_at=now,
            address_confirmed_at=now,
        )
        for first, last, affiliation, dinner in DEMO_ATTENDEES
    )
    registration_services.recount_seats(workshop=workshop)
