"""Reads for the public pages: every list fetched in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format

from workshops.models import KeyDate, SpeakerAppearance, TeamMember, Topic, Workshop
from workshops.timezones import moment_text


def visible_workshop(*, slug: str, user) -> Workshop:
    """Return a published workshop, or an unpublished one to those who manage it; else 404."""
    # registration_settings and cfa: the nav shows "Register" and "Submit an abstract" only when
    # the workshop takes registrations or abstracts; cfa also gives the page its call dates.
    workshop = (
        Workshop.objects.select_related("series", "registration_settings", "cfa")
        .filter(slug=slug)
        .first()
    )
    if workshop is None or not may_view(workshop, user):
        raise Http404("No such workshop.")
    return workshop


def may_view(workshop: Workshop, user) -> bool:
    """Whether ``user`` may see the workshop's public pages: it is published, or they manage it
    (a preview). The one rule every public page of a workshop follows."""
    if workshop.published:
        return True
    return bool(
        user.is_authenticated and Workshop.objects.managed_by(user).filter(pk=workshop.pk).exists()
    )


def confirmed_appearances(workshop: Workshop) -> QuerySet[SpeakerAppearance]:
    return (
        SpeakerAppearance.objects.filter(workshop=workshop, confirmed=True)
        .select_related("speaker")
        .order_by("order", "speaker__name")
    )


@dataclass(frozen=True)
class CallDate:
    """A key date that follows from a setting: the call for abstracts' or the registration's."""

    label: str
    date: dt.date
    moment: dt.datetime | None = None  # a timed date, announced in ``zone``
    zone: str = ""

    @property
    def text(self) -> str:
        """Return “15 March 2031, 23:59 AoE”, or “1 May 2031” for a date without a time."""
        if self.moment is None:
            return date_format(self.date, "j F Y")
        return moment_text(self.moment, self.zone)


CALL_LABELS = (
    "Call for abstracts opens",
    "Abstract submission deadline",
    "Notification of acceptance",
)


def call_dates(workshop: Workshop) -> list[CallDate]:
    """Return the opening, deadline and notification of the workshop's call, if it has one."""
    cfa = getattr(workshop, "cfa", None)  # select_related by visible_workshop: no query
    if cfa is None:
        return []
    zone = zoneinfo.ZoneInfo(cfa.deadline_zone)
    opens, deadline, notification = CALL_LABELS
    dates = []
    if cfa.opens_at:
        local = timezone.localtime(cfa.opens_at, zone)
        dates.append(CallDate(opens, local.date(), cfa.opens_at, cfa.deadline_zone))
    local = timezone.localtime(cfa.deadline, zone)
    dates.append(CallDate(deadline, local.date(), cfa.deadline, cfa.deadline_zone))
    if cfa.notification_date:
        dates.append(CallDate(notification, cfa.notification_date))
    return dates


REGISTRATION_LABELS = ("Registration opens", "Registration closes")


def registration_dates(workshop: Workshop) -> list[CallDate]:
    """Return when registration opens and closes, from the registration settings (the moments
    the form itself obeys), announced in the workshop's zone."""
    conf = getattr(workshop, "registration_settings", None)  # select_related: no query
    if conf is None:
        return []
    zone = workshop.time_zone
    dates = []
    for label, moment in zip(REGISTRATION_LABELS, (conf.opens_at, conf.closes_at), strict=True):
        if moment:
            local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone))
            dates.append(CallDate(label, local.date(), moment, zone))
    return dates


@dataclass
class WorkshopPage:
    workshop: Workshop
    key_dates: list[KeyDate]
    topics: list[Topic]
    team: list[TeamMember]
    appearances: list[SpeakerAppearance]
    call_dates: list[CallDate] = field(default_factory=list)

    @property
    def call_deadline(self) -> CallDate | None:
        return next((d for d in self.call_dates if d.label == CALL_LABELS[1]), None)


def workshop_page(workshop: Workshop) -> WorkshopPage:
    """Gather everything the workshop page shows, in a constant number of queries."""
    topics = list(
        Topic.objects.filter(workshop=workshop, parent=None).prefetch_related(
            Prefetch("subtopics", queryset=Topic.objects.order_by("order", "pk"))
        )
    )
    from_call = call_dates(workshop) + registration_dates(workshop)
    # Dates from the settings replace hand-written key dates of the same name: one source.
    replaced = {d.label.casefold() for d in from_call}
    key_dates = [
        kd
        for kd in KeyDate.objects.filter(workshop=workshop).select_related("workshop")
        if kd.label.strip().casefold() not in replaced
    ]
    return WorkshopPage(
        workshop=workshop,
        call_dates=from_call,
        key_dates=key_dates,
        topics=topics,
        team=list(TeamMember.objects.filter(workshop=workshop)),
        appearances=list(confirmed_appearances(workshop)),
    )


def home_sections(today: dt.date | None = None) -> dict[str, list[Workshop]]:
    """Published workshops split into upcoming (soonest first), past (latest first) and TBA."""
    today = today or timezone.localdate()
    workshops = list(Workshop.objects.published().select_related("series"))
    upcoming = [w for w in workshops if w.last_date and w.last_date >= today]
    past = [w for w in workshops if w.last_date and w.last_date < today]
    undated = [w for w in workshops if not w.last_date]
    upcoming.sort(key=lambda w: w.start_date)
    past.sort(key=lambda w: w.start_date, reverse=True)
    return {"upcoming": upcoming, "undated": undated, "past": past}


def still_on_items(appearance: SpeakerAppearance) -> str:
    """The warning for an organizer who unconfirms or removes a speaker still on items of
    the workshop ("" if none): those items keep them, so the schedule and the speakers page
    keep naming them until they are taken off there."""
    titles = [
        item.title or item.get_kind_display()
        for item in appearance.speaker.schedule_items.filter(workshop_id=appearance.workshop_id)
    ]
    if not titles:
        return ""
    listed = ", ".join(f"“{title}”" for title in titles)
    return (
        f"{appearance.speaker.name} is still on {len(titles)} item(s) of this workshop "
        f"({listed}): the schedule and the speakers page keep naming them until you take "
        "them off those items."
    )
