"""Loading the whole demo: every workshop, their first releases, the demo workshop's open
registration, and (in development) accounts to try the admin with."""

from __future__ import annotations

import datetime as dt

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
from registration.models import Question, RegistrationSettings
from schedule import services
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


@transaction.atomic
def load_demo(*, today: dt.date | None = None) -> list[Workshop]:
    """Upsert every demo workshop; the fictional one starts at least 45 days after today."""
    today = today or timezone.localdate()
    demo = demo_workshop.load_demo_workshop(today=today)
    demo_call.load_demo_call(demo, today=today)
    workshops = [
        demo,
        lorainne.load_lorainne24(),
        slowdnn.load_slowdnn_2023(),
        moml.load_moml(),
        qu_lectures.load_qu_lecture_course(),
        training_center.load_training_center(),
    ]
    for workshop in workshops:  # the public sees releases only, as the organizer would
        services.release_if_changed(workshop)
    open_demo_registration(workshops[0], today=today)
    return workshops


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
