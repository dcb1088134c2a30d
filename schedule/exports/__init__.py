"""Exports of the public schedule: iCalendar, frab XML and JSON, CSV.

Each module turns a ``schedule.timetable.Timetable`` into bytes with the library made
for its format (icalendar, json, xml.etree, csv); the views cache them.
Only placed items are exported. Absolute links are built from ``settings.SITE_URL`` (or
``make run``'s address), never from the request's host, because the bytes are cached and
served to every host.
"""

from django.urls import reverse

from config.site_url import configured_site_url
from workshops.models import Workshop


def absolute_url(path: str) -> str:
    return configured_site_url() + path


def talk_url_prefix(workshop: Workshop) -> str:
    """Return the absolute URL that an item's id and a slash complete to its page."""
    return absolute_url(reverse("schedule:schedule", args=[workshop.slug]))
