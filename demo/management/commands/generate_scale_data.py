"""Generate a large event to measure the admin, the exports and the public pages at scale.

At ``--factor 1``: 5,000 registrations, 1,000 submissions with 3 reviews each (60 reviewers),
300 schedule items, and an outbox row per registration and per decided submission. The same
slug and factor always give the same rows (names, statuses, scores, times); everything is
written with ``bulk_create``, so 1x takes seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from outbox.models import OutgoingMail
from registration import seats
from registration.models import CHECKIN_ALPHABET, Question, Registration, RegistrationSettings
from schedule import services
from schedule.models import Room, ScheduleItem
from submissions.models import (
    Author,
    CallForAbstracts,
    CommitteeMember,
    Review,
    ReviewAssignment,
    Submission,
)
from submissions.services import ensure_submission_types
from workshops.models import SpeakerAppearance, SpeakerProfile, Topic, Workshop
from workshops.schedule_cache import bump_schedule_version

FIRST = ("Ada", "Emmy", "Sofia", "Alan", "Grace", "Kurt", "Marie", "Srinivasa", "Hedy", "John")
LAST = ("Lovelace", "Noether", "Kovalevskaya", "Turing", "Hopper", "Gödel", "Curie", "Ramanujan")
AFFILIATIONS = ("Université de Lorraine", "Inria", "ETH Zürich", "MIT", "Tsinghua", "CNRS")
STAGES = [choice for choice, _ in Registration.CareerStage.choices]
BATCH = 1000
DAYS = 5
SLOTS_PER_DAY = 20  # 30-minute slots from 08:00


@dataclass(frozen=True)
class Sizes:
    registrations: int
    submissions: int
    reviewers: int
    schedule_items: int
    reviews_per_submission: int = 3

    @classmethod
    def at(cls, factor: float) -> Sizes:
        def scaled(full: int, least: int = 1) -> int:
            return max(least, round(full * factor))

        return cls(
            registrations=scaled(5000),
            submissions=scaled(1000),
            reviewers=scaled(60, least=3),
            schedule_items=scaled(300),
        )


class Command(BaseCommand):
    help = (
        "Create a large published workshop (5,000 registrations, 1,000 submissions with "
        "3 reviews each, 300 schedule items at --factor 1) for scale tests and bench/scale.py."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--factor", type=float, default=1.0, help="1 = full size, 0.1 = a tenth"
        )
        parser.add_argument("--slug", default="scale-event")
        parser.add_argument(
            "--replace", action="store_true", help="Delete this slug's event and users first."
        )

    def handle(self, *args, factor: float, slug: str, replace: bool, **options) -> None:
        if not 0 < factor <= 20:
            raise CommandError("--factor must be above 0 and at most 20.")
        if Workshop.objects.filter(slug=slug).exists() and not replace:
            raise CommandError(f"A workshop {slug!r} exists: pass --replace to generate it anew.")
        workshop = generate(slug=slug, factor=factor, replace=replace)
        sizes = Sizes.at(factor)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {workshop.get_absolute_url()}: {sizes.registrations} registrations, "
                f"{sizes.submissions} submissions × {sizes.reviews_per_submission} reviews "
                f"({sizes.reviewers} reviewers), {sizes.schedule_items} schedule items."
            )
        )


def user_domain(slug: str) -> str:
    return f"{slug}.example.org"


@transaction.atomic
def generate(*, slug: str = "scale-event", factor: float = 1.0, replace: bool = False) -> Workshop:
    """Create the event ``slug`` at ``factor`` times full size; the same input, the same rows."""
    if replace:
        # Submissions first: their type is PROTECTed, so the workshop's cascade stops at them.
        Submission.objects.filter(workshop__slug=slug).delete()
        Workshop.objects.filter(slug=slug).delete()
        OutgoingMail.objects.filter(key__startswith=f"{slug}:").delete()  # kept: SET_NULL
        User.objects.filter(email__endswith=f"@{user_domain(slug)}").delete()
    rng = random.Random(f"{slug}:{factor}")
    sizes = Sizes.at(factor)
    start = dt.date(2031, 6, 2)
    workshop = Workshop.objects.create(
        title=f"Scale Test Conference ({slug})",
        short_title="Scale Test",
        slug=slug,
        kind=Workshop.Kind.CONFERENCE,
        start_date=start,
        end_date=start + dt.timedelta(days=DAYS - 1),
        time_zone="Europe/Paris",
        venue_name="Example Conference Centre",
        city="Exampleton",
        contact_email=f"contact@{user_domain(slug)}",
        published=True,
        schedule_status=Workshop.ScheduleStatus.FINAL,
    )
    topics = Topic.objects.bulk_create(
        Topic(workshop=workshop, name=f"Topic {n}", order=n) for n in range(8)
    )
    _registrations(workshop, sizes, rng)
    submissions = _submissions(workshop, sizes, topics, rng)
    _reviews(workshop, sizes, submissions, rng)
    _schedule(workshop, sizes, rng)
    bump_schedule_version(workshop.pk)
    services.release_if_changed(workshop)  # the public sees releases only
    return workshop


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def _registrations(workshop: Workshop, sizes: Sizes, rng: random.Random) -> None:
    opened = workshop.local_datetime(dt.date(2031, 1, 6), dt.time(9, 0))
    confirmed = round(sizes.registrations * 0.9)
    conf = RegistrationSettings.objects.create(
        workshop=workshop,
        opens_at=opened,
        closes_at=opened + dt.timedelta(days=120),
        capacity=confirmed,
        waitlist_enabled=True,
        participant_list_public=True,
    )
    dinner = Question.objects.create(
        workshop=workshop, label="Dinner?", kind=Question.Kind.CHOICE, choices="Yes\nNo", order=1
    )
    topic = Question.objects.create(workshop=workshop, label="Your research topic", order=2)
    rows = []
    for n in range(sizes.registrations):
        first, last = _name(rng)
        created = opened + dt.timedelta(minutes=17 * n)
        status = (
            Registration.Status.CONFIRMED
            if n < confirmed
            else rng.choice([Registration.Status.WAITLISTED, Registration.Status.CANCELLED])
        )
        rows.append(
            Registration(
                workshop=workshop,
                first_name=first,
                last_name=last,
                email=f"attendee{n}@{user_domain(workshop.slug)}",
                affiliation=rng.choice(AFFILIATIONS),
                career_stage=rng.choice(STAGES),
                list_consent=rng.random() < 0.5,
                answers={str(dinner.pk): rng.choice(["Yes", "No"]), str(topic.pk): "Tensors"},
                status=status,
                created_at=created,
                queued_at=created if status == Registration.Status.WAITLISTED else None,
                confirmed_at=created if status == Registration.Status.CONFIRMED else None,
                cancelled_at=created if status == Registration.Status.CANCELLED else None,
                checkin_code="".join(rng.choices(CHECKIN_ALPHABET, k=12)),
                secret=rng.randbytes(18).hex(),
            )
        )
    Registration.objects.bulk_create(rows, batch_size=BATCH)
    seats.recount_seats(conf)
    seats.save_counts(conf)
    _outbox(
        workshop,
        (
            (f"registration-{r.status}:{r.email}", r.email, f"Your registration: {r.status}")
            for r in rows
        ),
    )


def _users(workshop: Workshop, prefix: str, count: int, rng: random.Random) -> list[User]:
    users = []
    for n in range(count):
        user = User(
            email=f"{prefix}{n}@{user_domain(workshop.slug)}", full_name=" ".join(_name(rng))
        )
        user.set_unusable_password()  # no hashing: 1,000 argon2 hashes would take minutes
        users.append(user)
    return User.objects.bulk_create(users, batch_size=BATCH)


def _submissions(workshop, sizes: Sizes, topics: list[Topic], rng) -> list[Submission]:
    CallForAbstracts.objects.create(
        workshop=workshop,
        opens_at=workshop.local_datetime(dt.date(2030, 11, 4), dt.time(9, 0)),
        deadline=workshop.local_datetime(dt.date(2031, 2, 1), dt.time(23, 59)),
    )
    types = ensure_submission_types(workshop)
    submitters = _users(workshop, "speaker", sizes.submissions, rng)
    decisions = [choice for choice, _ in Submission.Decision.choices]
    submitted = workshop.local_datetime(dt.date(2031, 1, 20), dt.time(12, 0))
    submissions = Submission.objects.bulk_create(
        (
            Submission(
                workshop=workshop,
                submitter=user,
                title=f"Low-rank structure at scale, part {n}",
                abstract="We study **low-rank** structure in very large networks. " * 5,
                type=rng.choice(types),
                topic=rng.choice(topics),
                status=Submission.Status.SUBMITTED,
                decision=rng.choice(decisions),
                submitted_at=submitted,
            )
            for n, user in enumerate(submitters)
        ),
        batch_size=BATCH,
    )
    Author.objects.bulk_create(
        (
            Author(
                submission=submission,
                order=order,
                name=name,
                email=email,
                affiliation=rng.choice(AFFILIATIONS),
                is_presenter=order == 0,
            )
            for submission in submissions
            for order, (name, email) in enumerate(
                [
                    (submission.submitter.full_name, submission.submitter.email),
                    (" ".join(_name(rng)), f"coauthor{submission.pk}@example.org"),
                ]
            )
        ),
        batch_size=BATCH,
    )
    _outbox(
        workshop,
        (
            (f"decision:{s.pk}", s.submitter.email, f"Your submission: {s.get_decision_display()}")
            for s in submissions
            if s.decision
        ),
    )
    return submissions


def _reviews(workshop, sizes: Sizes, submissions: list[Submission], rng) -> None:
    load = -(-sizes.submissions * sizes.reviews_per_submission // sizes.reviewers)  # ceil
    members = CommitteeMember.objects.bulk_create(
        CommitteeMember(workshop=workshop, user=user, affiliation="Committee", max_load=load)
        for user in _users(workshop, "reviewer", sizes.reviewers, rng)
    )
    assignments = ReviewAssignment.objects.bulk_create(
        (
            ReviewAssignment(submission=submission, reviewer=members[(n + k) % len(members)])
            for n, submission in enumerate(submissions)
            for k in range(min(sizes.reviews_per_submission, len(members)))
        ),
        batch_size=BATCH,
    )
    Review.objects.bulk_create(
        (
            Review(
                assignment=assignment,
                score=rng.randint(-3, 3),
                confidence=rng.randint(1, 5),
                comments_to_authors="Clear, well motivated; the experiments could be larger.",
                confidential_comments="Borderline.",
            )
            for assignment in assignments
        ),
        batch_size=BATCH,
    )


def _schedule(workshop: Workshop, sizes: Sizes, rng: random.Random) -> None:
    rooms = Room.objects.bulk_create(
        Room(workshop=workshop, name=f"Room {name}", capacity=200, order=n)
        for n, name in enumerate("ABC")
    )
    speakers = SpeakerProfile.objects.bulk_create(
        SpeakerProfile(
            name=" ".join(_name(rng)),
            affiliation=rng.choice(AFFILIATIONS),
            home_workshop=workshop,
        )
        for _ in range(sizes.schedule_items)
    )
    SpeakerAppearance.objects.bulk_create(
        SpeakerAppearance(
            workshop=workshop,
            speaker=speaker,
            role=SpeakerAppearance.Role.CONTRIBUTED,
            confirmed=True,
            order=n,
        )
        for n, speaker in enumerate(speakers)
    )
    items = []
    for n in range(sizes.schedule_items):
        day, slot = divmod(n // len(rooms), SLOTS_PER_DAY)
        start = workshop.local_datetime(
            workshop.start_date + dt.timedelta(days=day % DAYS),
            dt.time(8 + slot // 2, 30 * (slot % 2)),
        ) + dt.timedelta(weeks=day // DAYS)  # beyond 5 × 20 × 3 items: the week after
        items.append(
            ScheduleItem(
                workshop=workshop,
                kind=ScheduleItem.Kind.TALK,
                title=f"Talk {n}: low-rank structure at scale",
                start=start,
                end=start + dt.timedelta(minutes=30),
                room=rooms[n % len(rooms)],
                abstract="An abstract with *Markdown*.",
                order=n,
            )
        )
    items = ScheduleItem.objects.bulk_create(items, batch_size=BATCH)
    ScheduleItem.speakers.through.objects.bulk_create(
        (
            ScheduleItem.speakers.through(scheduleitem=item, speakerprofile=speaker)
            for item, speaker in zip(items, speakers, strict=True)
        ),
        batch_size=BATCH,
    )


def _outbox(workshop: Workshop, mails) -> None:
    OutgoingMail.objects.bulk_create(
        (
            OutgoingMail(
                key=f"{workshop.slug}:{key}",
                workshop=workshop,
                template="scale",
                from_email=workshop.contact_email,
                to=to,
                subject=subject,
                body_text="Generated by generate_scale_data.",
                status=OutgoingMail.Status.SENT,
                attempts=1,
            )
            for key, to, subject in mails
        ),
        batch_size=BATCH,
    )
