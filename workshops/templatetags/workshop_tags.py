import datetime as dt

from django import template
from django.utils import timezone

from workshops.models import Workshop
from workshops.timezones import moment_text

register = template.Library()


@register.simple_tag
def date_range(start: dt.date | None, end: dt.date | None, fallback: str = "Dates TBA") -> str:
    """Return “26–27 November 2024”, “30 June – 2 July 2025” or the fallback."""
    if start is None:
        return fallback
    if end is None or end == start:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


@register.filter
def hhmm(value: dt.timedelta | None) -> str:
    """Format a duration as “1 h 30 min”."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


@register.filter
def in_zone(moment: dt.datetime | None, zone: str) -> str:
    """Return “2 February 2027, 23:59 Europe/Paris”: ``moment`` in ``zone``, labelled."""
    return "" if moment is None else moment_text(moment, zone)


@register.simple_tag
def desk_workshops(user, limit: int = 6) -> list:
    """The workshops ``user`` manages, the next ones first then the latest past: the admin
    index's shortcuts to each one's schedule, registrations and check-in desk. One query."""
    today = timezone.localdate()
    workshops = list(
        Workshop.objects.managed_by(user)
        .select_related("registration_settings")
        .order_by("start_date", "pk")
    )
    upcoming = [w for w in workshops if w.last_date is None or w.last_date >= today]
    past = [w for w in workshops if w.last_date is not None and w.last_date < today][::-1]
    return (upcoming + past)[:limit]
