"""The demo loader's tools: plain records for the content, and upserts that make loading
twice change no row count (on slugs and natural fields)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

from schedule.models import Room, ScheduleItem
from workshops.models import (
    KeyDate,
    Series,
    SpeakerAppearance,
    SpeakerProfile,
    TeamMember,
    Topic,
    Workshop,
)

Kind = ScheduleItem.Kind


Role = SpeakerAppearance.Role


@dataclass(frozen=True)
class Person:
    name: str
    affiliation: str = ""
    url: str = ""
    role: str = ""


@dataclass(frozen=True)
class DateData:
    label: str
    date: dt.date | None = None
    end_date: dt.date | None = None
    time: dt.time | None = None
    time_zone: str = ""


@dataclass(frozen=True)
class TopicData:
    name: str
    description: str = ""
    subtopics: tuple[TopicData, ...] = ()


@dataclass(frozen=True)
class Slot:
    """A programme item; `day` counts from the workshop's first day, times are local “HH:MM”."""

    kind: str
    title: str = ""
    speakers: tuple[str, ...] = ()
    day: int = 0
    start: str = ""
    end: str = ""
    duration: dt.timedelta | None = None
    abstract: str = ""
    room: str = ""


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    full_name: str
    is_superuser: bool
    is_staff: bool = True  # the admin's; speakers and reviewers use the public site
    role: str = ""  # what load_demo prints beside the login


def talk(speaker: str, title: str = "", **slot) -> Slot:
    return Slot(Kind.TALK, title, speakers=(speaker,), **slot)


def hours(hours: float) -> dt.timedelta:
    return dt.timedelta(hours=hours)


def upsert_user(demo_user: DemoUser) -> AbstractBaseUser:
    """Create or refresh a demo account, resetting its password only when it differs."""
    fields = {
        "full_name": demo_user.full_name,
        "is_staff": demo_user.is_staff,
        "is_superuser": demo_user.is_superuser,
        "is_active": True,
    }
    user, _ = get_user_model().objects.update_or_create(
        email=demo_user.email,
        defaults=fields,
        create_defaults={"email": demo_user.email, **fields},
    )
    if not user.check_password(demo_user.password):
        user.set_password(demo_user.password)
        user.save(update_fields=["password"])
    # The public site's login (allauth) wants a verified address: the demo's are.
    EmailAddress.objects.update_or_create(
        user=user, email=demo_user.email, defaults={"verified": True, "primary": True}
    )
    return user


def upsert_series(*, slug: str, **fields) -> Series:
    """Create or update the series with this slug."""
    series, _ = Series.objects.update_or_create(slug=slug, defaults=fields)
    return series


def upsert_workshop(*, slug: str, series: Series | None = None, **fields) -> Workshop:
    """Create or update the published workshop with this slug."""
    workshop, _ = Workshop.objects.update_or_create(
        slug=slug, defaults={"series": series, "published": True, **fields}
    )
    return workshop


def set_key_dates(workshop: Workshop, dates: Sequence[DateData]) -> None:
    """Upsert key dates keyed on their labels, in the given order."""
    for order, data in enumerate(dates, start=1):
        KeyDate.objects.update_or_create(
            workshop=workshop,
            label=data.label,
            defaults={
                "order": order,
                "date": data.date,
                "end_date": data.end_date,
                "time": data.time,
                "time_zone": data.time_zone,
            },
        )


def set_topics(workshop: Workshop, topics: Sequence[TopicData]) -> None:
    """Upsert topics and their subtopics, keyed on parent and name."""
    for order, data in enumerate(topics, start=1):
        topic, _ = Topic.objects.update_or_create(
            workshop=workshop,
            parent=None,
            name=data.name,
            defaults={"order": order, "description": data.description},
        )
        for sub_order, sub in enumerate(data.subtopics, start=1):
            Topic.objects.update_or_create(
                workshop=workshop,
                parent=topic,
                name=sub.name,
                defaults={"order": sub_order, "description": sub.description},
            )


def set_team(workshop: Workshop, people: Sequence[Person]) -> None:
    """Upsert the organizing team, keyed on names."""
    for order, person in enumerate(people, start=1):
        TeamMember.objects.update_or_create(
            workshop=workshop,
            name=person.name,
            defaults={
                "order": order,
                "role": person.role,
                "affiliation": person.affiliation,
                "url": person.url,
            },
        )


def set_rooms(workshop: Workshop, rooms: Sequence[tuple[str, int]]) -> dict[str, Room]:
    """Upsert rooms (name, capacity) and return them by name."""
    return {
        name: Room.objects.update_or_create(
            workshop=workshop, name=name, defaults={"order": order, "capacity": capacity}
        )[0]
        for order, (name, capacity) in enumerate(rooms, start=1)
    }


def set_speakers(
    workshop: Workshop, people: Sequence[Person], *, role: str
) -> dict[str, SpeakerProfile]:
    """Upsert speaker profiles (keyed on their names) and their confirmed appearances."""
    profiles = {}
    for order, person in enumerate(people, start=1):
        details = {"affiliation": person.affiliation, "homepage": person.url}
        profile, _ = SpeakerProfile.objects.update_or_create(
            name=person.name,
            defaults=details,
            # Edited by the organizers of the workshop that first lists the speaker.
            create_defaults={"name": person.name, "home_workshop": workshop, **details},
        )
        SpeakerAppearance.objects.update_or_create(
            workshop=workshop,
            speaker=profile,
            defaults={"order": order, "role": role, "confirmed": True},
        )
        profiles[person.name] = profile
    return profiles


def set_schedule(
    workshop: Workshop,
    slots: Sequence[Slot],
    *,
    speakers: dict[str, SpeakerProfile],
    rooms: dict[str, Room] | None = None,
) -> None:
    """Upsert the programme; the item's order is its key (titles repeat, and some are empty)."""
    rooms = rooms or {}
    for order, slot in enumerate(slots, start=1):
        item, _ = ScheduleItem.objects.update_or_create(
            workshop=workshop,
            order=order,
            defaults={
                "kind": slot.kind,
                "title": slot.title,
                "start": _local(workshop, slot.day, slot.start),
                "end": _local(workshop, slot.day, slot.end),
                "duration": slot.duration,
                "abstract": slot.abstract,
                "room": rooms.get(slot.room),
            },
        )
        item.speakers.set([speakers[name] for name in slot.speakers])


def _local(workshop: Workshop, day: int, hhmm: str) -> dt.datetime | None:
    if not hhmm:
        return None
    date = workshop.start_date + dt.timedelta(days=day)
    return workshop.local_datetime(date, dt.time.fromisoformat(hhmm))
