"""``{% local_time moment %}``: an instant that localtime.js shows in the visitor's zone."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def local_time(moment: dt.datetime | None) -> str:
    """Return a ``<time>`` in UTC, rewritten in the visitor's own zone when scripts run."""
    if moment is None:
        return ""
    utc = timezone.localtime(moment, dt.UTC)
    return format_html(
        '<time datetime="{}" data-local-time>{} UTC</time>',
        utc.isoformat(),
        date_format(utc, "j F Y, H:i"),
    )
