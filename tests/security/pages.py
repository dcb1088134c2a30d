"""A small workshop with every kind of page filled in, and a parser that finds inline code."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    RegistrationSettingsFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    UserFactory,
    WorkshopFactory,
    release_schedule,
)
from tests.submissions.factories import (
    CallForAbstractsFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    SubmissionFactory,
)

# Script types a browser runs; "application/json" and friends are data blocks, never executed.
SCRIPT_TYPES = {"", "text/javascript", "module", "application/javascript"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}


class InlineCode(HTMLParser):
    """Collect every piece of inline script a page holds: script bodies, on*= handlers and
    javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and re.match(r"\s*javascript:", value or "", re.I):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            kind = (attributes.get("type") or "").strip().lower()
            runs = kind in SCRIPT_TYPES
            if runs and not attributes.get("src"):
                self.found.append("<script> without src")
            self._in_script = runs

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"<script> body: {data.strip()[:60]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


@dataclass
class Site:
    workshop: object
    submission: object
    speaker: object
    reviewer: object
    assignment: object
    item: object

    def public_pages(self) -> list[str]:
        slug = self.workshop.slug
        return [
            reverse("workshops:home"),
            reverse("workshops:detail", args=[slug]),
            reverse("schedule:speakers", args=[slug]),
            reverse("schedule:schedule", args=[slug]),
            reverse("schedule:schedule_item", args=[slug, self.item.pk]),
            reverse("registration:register", args=[slug]),
            reverse("account_login"),
            reverse("account_signup"),
            reverse("account_reset_password"),
            reverse("admin:login"),
        ]

    def speaker_pages(self) -> list[str]:
        return [
            reverse("submissions:mine"),
            reverse("submissions:new", args=[self.workshop.slug]),
            reverse("submissions:detail", args=[self.submission.pk]),
            reverse("submissions:edit", args=[self.submission.pk]),
            reverse("accounts:profile"),
        ]

    def reviewer_pages(self) -> list[str]:
        return [reverse("reviews:list"), reverse("reviews:detail", args=[self.assignment.pk])]

    def admin_pages(self) -> list[str]:
        workshop, submission = self.workshop.pk, self.submission.pk
        return [
            reverse("admin:index"),
            reverse("admin:submissions_submission_changelist"),
            reverse("admin:submissions_submission_change", args=[submission]),
            reverse("admin:workshops_workshop_changelist"),
            reverse("admin:workshops_workshop_change", args=[workshop]),
            reverse("admin:workshops_workshop_schedule", args=[workshop]),
            reverse("admin:schedule_scheduleitem_change", args=[self.item.pk]),
            reverse("admin:schedule_room_add") + "?_to_field=id&_popup=1",
            reverse("admin:registration_registration_changelist"),
        ]


def build_site() -> Site:
    workshop = WorkshopFactory(schedule_status="tentative")
    RegistrationSettingsFactory(workshop=workshop)
    CallForAbstractsFactory(
        workshop=workshop,
        pdf_upload="optional",
        deadline=timezone.now() + dt.timedelta(days=10),
    )
    appearance = SpeakerAppearanceFactory(workshop=workshop)
    room = RoomFactory(workshop=workshop)
    item = ScheduleItemFactory(workshop=workshop, room=room, speakers=[appearance.speaker])
    release_schedule(workshop)
    speaker = UserFactory(email="speaker@example.org")
    submission = SubmissionFactory(workshop=workshop, submitter=speaker)
    reviewer = UserFactory(email="reviewer@example.org")
    member = CommitteeMemberFactory(workshop=workshop, user=reviewer, affiliation="Elsewhere")
    assignment = ReviewAssignmentFactory(submission=submission, reviewer=member)
    return Site(workshop, submission, speaker, reviewer, assignment, item)
