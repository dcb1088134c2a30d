"""The POST side of the access matrix: a forbidden role's POST changes nothing.

Each case is one state-changing endpoint with a payload that works: the entitled role's
POST (the control) changes the state, so "nothing changed" for every other role is not an
accident of a bad payload. A case may also name a secret the response must not carry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from registration.models import Registration
from schedule.models import Room, ScheduleRelease
from submissions.models import CommitteeMember, Review, Submission
from submissions.tokens import confirmation_token
from tests.security import access_world
from tests.security.access_rules import (
    ADMIN_INDEX,
    ADMIN_LOGIN,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    Outcome,
    redirect,
    roles,
)
from tests.security.access_world import ROLES, World, client_of, confirm_link, manage_link

world = access_world.world
_own_private_media = access_world._own_private_media


@dataclass
class PostCase:
    label: str
    url: Callable[[World], str]
    data: Callable[[World], dict]
    state: Callable[[World], object]  # read back from the database
    denied: dict[str, Outcome]  # every role but the entitled one
    entitled: str
    also_allowed: tuple[str, ...] = ()  # roles neither denied nor the control
    entitled_url: Callable[[World], str] | None = None  # the control's own URL, if another
    secret: Callable[[World], str] | None = None  # text a denied answer must not contain

    def __post_init__(self) -> None:
        allowed = {self.entitled, *self.also_allowed}
        assert not allowed & set(self.denied), self.label
        assert set(self.denied) | allowed == set(ROLES), self.label


def admin_denied(other: Outcome, **more: Outcome) -> dict[str, Outcome]:
    """Non-staff to the admin login; the organizer of workshop B gets ``other``."""
    non_staff = {role: ADMIN_LOGIN for role in ("anonymous", "attendee", "speaker", "reviewer")}
    return {**non_staff, "organizer_other": other, **more}


def without(outcomes: dict[str, Outcome], role: str) -> dict[str, Outcome]:
    return {r: o for r, o in outcomes.items() if r != role}


def changelist(model: str) -> Callable[[World], str]:
    return lambda w: reverse(f"admin:{model}_changelist")


def action(name: str, obj: Callable[[World], object], **extra) -> Callable[[World], dict]:
    return lambda w: {"action": name, "_selected_action": [obj(w).pk], "index": 0, **extra}


def registration_data(n: int) -> dict:
    return {
        "first_name": f"Ada{n}",
        "last_name": "Lovelace",
        "email": f"ada{n}@example.org",
        "affiliation": "Université de Lorraine",
        "career_stage": "phd",
    }


def submission_data(w: World, workshop) -> dict:
    return {
        "title": "Adapters of low rank",
        "abstract": "We study low-rank adapters.",
        "type": workshop.submission_types.get(name="Talk").pk,
        "topic": "",
        "action": "submit",
        "authors-TOTAL_FORMS": 1,
        "authors-INITIAL_FORMS": 0,
        "authors-MIN_NUM_FORMS": 1,
        "authors-MAX_NUM_FORMS": 30,
        "authors-0-name": "Ada Lovelace",
        "authors-0-email": "ada@example.org",
        "authors-0-is_presenter": "on",
    }


def review_data() -> dict:
    return {
        "score": 3,
        "confidence": 5,
        "comments_to_authors": "Forged.",
        "confidential_comments": "Forged.",
    }


def reviews_of_member(w: World) -> list:
    rows = Review.objects.filter(assignment__reviewer=w.a.member)
    return sorted(rows.values_list("assignment_id", "score", "comments_to_authors"))


def status_of(getter) -> Callable[[World], str]:
    return lambda w: type(getter(w)).objects.get(pk=getter(w).pk).status


CHANGELIST_AGAIN = {  # an action on rows outside one's queryset selects nothing: back again
    model: redirect(lambda w, model=model: reverse(f"admin:{model}_changelist"))
    for model in ("registration_registration", "submissions_submission")
}

CASES = [
    PostCase(
        "cancel another registration with one's own token",
        lambda w: reverse(
            "registration:manage",
            kwargs={**manage_link(w.a.registration), "pk": w.a.other_registration.pk},
        ),
        lambda w: {"action": "cancel", "confirmed": "1"},
        status_of(lambda w: w.a.other_registration),
        denied=without(roles(NOT_FOUND), "attendee"),
        entitled="attendee",
        entitled_url=lambda w: reverse(
            "registration:manage", kwargs=manage_link(w.a.other_registration)
        ),
    ),
    PostCase(
        "register for unpublished workshop B",
        lambda w: reverse("registration:register", args=[w.b.workshop.slug]),
        lambda w: registration_data(1),
        lambda w: Registration.objects.filter(workshop=w.b.workshop).count(),
        denied=without(without(roles(NOT_FOUND), "organizer_other"), "superuser"),
        entitled="organizer_other",
        also_allowed=("superuser",),
    ),
    PostCase(
        "check in at workshop A",
        lambda w: reverse("registration:checkin", args=[w.a.workshop.slug]),
        lambda w: {"code": w.a.registration.checkin_code},
        lambda w: Registration.objects.get(pk=w.a.registration.pk).checked_in_at is not None,
        denied=without(without(roles(NOT_FOUND), "organizer"), "superuser"),
        entitled="organizer",
        also_allowed=("superuser",),
    ),
    PostCase(
        "edit the speaker's submission",
        lambda w: reverse("submissions:edit", args=[w.a.own.pk]),
        lambda w: submission_data(w, w.a.workshop),
        lambda w: Submission.objects.get(pk=w.a.own.pk).title,
        denied=without(roles(NOT_FOUND, anonymous=LOGIN, attendee=LOGIN), "speaker"),
        entitled="speaker",
    ),
    PostCase(
        "withdraw the speaker's submission",
        lambda w: reverse("submissions:withdraw", args=[w.a.own.pk]),
        lambda w: {},
        status_of(lambda w: w.a.own),
        denied=without(roles(NOT_FOUND, anonymous=LOGIN, attendee=LOGIN), "speaker"),
        entitled="speaker",
    ),
    PostCase(
        "submit to unpublished workshop B",
        lambda w: reverse("submissions:new", args=[w.b.workshop.slug]),
        lambda w: submission_data(w, w.b.workshop),
        lambda w: Submission.objects.filter(workshop=w.b.workshop).count(),
        denied=without(
            without(roles(NOT_FOUND, anonymous=LOGIN, attendee=LOGIN), "organizer_other"),
            "superuser",
        ),
        entitled="organizer_other",
        also_allowed=("superuser",),
    ),
    PostCase(
        "confirm an accepted submission with another submission's token",
        lambda w: reverse(
            "submissions:confirm",
            kwargs={"pk": w.a.accepted.pk, "token": confirmation_token.make_token(w.a.own)},
        ),
        lambda w: {"action": "confirm"},
        lambda w: Submission.objects.get(pk=w.a.accepted.pk).confirmation,
        denied=without(roles(NOT_FOUND), "speaker"),
        entitled="speaker",
        entitled_url=lambda w: reverse("submissions:confirm", kwargs=confirm_link(w.a.accepted)),
    ),
    PostCase(
        "review somebody else's assignment",
        lambda w: reverse("reviews:detail", args=[w.a.assignment.pk]),
        lambda w: review_data(),
        reviews_of_member,
        denied=without(roles(NOT_FOUND, anonymous=LOGIN, attendee=LOGIN), "reviewer"),
        entitled="reviewer",
    ),
    PostCase(
        "review a conflicted assignment",
        lambda w: reverse("reviews:detail", args=[w.a.conflicted_assignment.pk]),
        lambda w: review_data(),
        reviews_of_member,
        denied=without(roles(NOT_FOUND, anonymous=LOGIN, attendee=LOGIN), "reviewer"),
        # The control reviews the clean assignment: the same payload works there.
        entitled="reviewer",
        entitled_url=lambda w: reverse("reviews:detail", args=[w.a.assignment.pk]),
    ),
    PostCase(
        "change a room of workshop A",
        lambda w: reverse("admin:schedule_room_change", args=[w.a.room.pk]),
        lambda w: {"workshop": w.a.workshop.pk, "name": "Hijacked", "order": 0, "_save": "1"},
        lambda w: Room.objects.get(pk=w.a.room.pk).name,
        denied=admin_denied(ADMIN_INDEX),
        entitled="organizer",
        also_allowed=("superuser",),
    ),
    PostCase(
        "delete a room of workshop A",
        lambda w: reverse("admin:schedule_room_delete", args=[w.a.room.pk]),
        lambda w: {"post": "yes"},
        lambda w: Room.objects.filter(pk=w.a.room.pk).exists(),
        denied=admin_denied(ADMIN_INDEX),
        entitled="organizer",
        also_allowed=("superuser",),
    ),
    PostCase(
        "add a reviewer to workshop A's committee",
        lambda w: reverse("admin:submissions_committeemember_add"),
        lambda w: {
            "workshop": w.a.workshop.pk,
            "email": "mole@example.org",
            "full_name": "Mole",
            "affiliation": "",
            "min_load": 0,
            "max_load": 5,
            "_save": "1",
        },
        lambda w: CommitteeMember.objects.filter(workshop=w.a.workshop).count(),
        # Workshop A is not a choice of B's organizer: the form comes back with an error.
        denied=admin_denied(Outcome(200)),
        entitled="organizer",
        also_allowed=("superuser",),
    ),
    PostCase(
        "publish workshop A's schedule",
        lambda w: reverse("admin:workshops_workshop_schedule", args=[w.a.workshop.pk]),
        lambda w: {
            "_publish": "1",
            "release-version": "v9",
            "release-status": "final",
            "release-notes": "",
        },
        lambda w: ScheduleRelease.objects.filter(workshop=w.a.workshop).count(),
        denied=admin_denied(NOT_FOUND),
        entitled="organizer",
        also_allowed=("superuser",),
    ),
    PostCase(
        "accept a submission of workshop A",
        changelist("submissions_submission"),
        action("accept_as_talk", lambda w: w.a.assigned),
        lambda w: Submission.objects.get(pk=w.a.assigned.pk).decision,
        denied=admin_denied(CHANGELIST_AGAIN["submissions_submission"]),
        entitled="organizer",
        also_allowed=("superuser",),
    ),
    PostCase(
        "send workshop A's decision mails",
        changelist("submissions_submission"),
        action("notify_authors", lambda w: w.a.decided, send="1"),
        lambda w: Submission.objects.get(pk=w.a.decided.pk).notified_at is not None,
        denied=admin_denied(CHANGELIST_AGAIN["submissions_submission"]),
        entitled="organizer",
        also_allowed=("superuser",),
    ),
    PostCase(
        "cancel a registration of workshop A",
        changelist("registration_registration"),
        action("cancel", lambda w: w.a.registration),
        status_of(lambda w: w.a.registration),
        denied=admin_denied(CHANGELIST_AGAIN["registration_registration"]),
        entitled="organizer",
        also_allowed=("superuser",),
    ),
    PostCase(
        "export workshop A's registrations",
        changelist("registration_registration"),
        action("export_csv", lambda w: w.a.registration),
        lambda w: None,  # a read: what matters is what the answer carries
        # The action runs on one's own rows among those selected: none, an empty CSV.
        denied=admin_denied(Outcome(200)),
        entitled="organizer",
        also_allowed=("superuser",),
        secret=lambda w: w.a.registration.email,
    ),
    PostCase(
        "make oneself a superuser",
        lambda w: reverse("admin:accounts_user_change", args=[w.users["organizer"].pk]),
        lambda w: {
            "email": w.users["organizer"].email,
            "full_name": "Organizer",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "_save": "1",
        },
        lambda w: type(w.users["organizer"]).objects.get(pk=w.users["organizer"].pk).is_superuser,
        denied=admin_denied(FORBIDDEN, organizer=FORBIDDEN),
        entitled="superuser",
    ),
]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


DENIED = [
    pytest.param(case, role, id=f"{case.label}-{role}")
    for case in CASES
    for role in ROLES
    if role in case.denied
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "role"), DENIED)
def test_a_denied_post_changes_nothing(world: World, case: PostCase, role: str):
    before = case.state(world)
    url = case.url(world)
    response = client_of(role, world).post(url, case.data(world))
    case.denied[role].check(response, url, world)
    assert case.state(world) == before
    if case.secret:
        assert case.secret(world).encode() not in body(response)


@pytest.mark.django_db
@pytest.mark.parametrize("case", [pytest.param(c, id=c.label) for c in CASES])
def test_the_entitled_post_does_change_it(world: World, case: PostCase):
    before = case.state(world)
    url = (case.entitled_url or case.url)(world)
    response = client_of(case.entitled, world).post(url, case.data(world))
    assert response.status_code in (200, 302), response.status_code
    if case.secret:
        assert case.secret(world).encode() in body(response)
    else:
        assert case.state(world) != before, f"{case.label}: the control changed nothing"
