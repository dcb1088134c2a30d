"""Exports of the public schedule: iCalendar, frab XML and JSON, CSV.

Each module turns a ``schedule.timetable.Timetable`` into bytes with the library made
for its format (icalendar, json, xml.etree, csv); the views cache them.
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
    return absolute_url(reverse("schedule:schedule", args=[workshop.slug]))
