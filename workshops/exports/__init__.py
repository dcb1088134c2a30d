"""Exports of the public schedule: iCalendar, frab XML and JSON, CSV.

Each module turns a ``workshops.public_schedule.Timetable`` into bytes; the views cache them.
Only placed items are exported. Absolute links are built from ``settings.SITE_URL``, never from
the request's host, because the bytes are cached and served to every host.
"""

from django.conf import settings
from django.urls import reverse

from workshops.models import Workshop


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def talk_url_prefix(workshop: Workshop) -> str:
    """Return the absolute URL that an item's id and a slash complete to its page."""
    return absolute_url(reverse("workshops:schedule", args=[workshop.slug]))


def talk_url(workshop: Workshop, item_pk: int) -> str:
    return absolute_url(reverse("workshops:schedule_item", args=[workshop.slug, item_pk]))


def venue_label(workshop: Workshop) -> str:
    return ", ".join(part for part in (workshop.venue_name, workshop.city) if part)


def utf8(parts: list[str]) -> bytes:
    """Return the parts joined, in UTF-8.

    Encoded one by one: ASCII text encodes as a copy, while a document joined first would be
    widened whole to two bytes a character by its first accented name, then encoded.
    """
    return b"".join([part.encode() for part in parts])
