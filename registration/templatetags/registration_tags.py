"""``{% registration_status workshop as reg %}``: whether and how the workshop takes
registrations, for its page's call to action (the workshop app does not know registration)."""

from __future__ import annotations

from django import template

from registration import services
from workshops.models import Workshop

register = template.Library()


@register.simple_tag
def registration_status(workshop: Workshop) -> dict | None:
    """None for a workshop that takes no registrations here; else services.availability()
    with the settings (``conf``: the closing time, the public participant list)."""
    conf = services.settings_for(workshop)
    if conf is None:
        return None
    return {**services.availability(conf), "conf": conf}
