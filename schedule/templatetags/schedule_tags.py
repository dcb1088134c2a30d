"""``{% schedule_block workshop %}``: the current release's schedule on the workshop page,
as stored when the release was rendered (the workshop app does not know releases' pages)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from schedule import serving
from workshops.models import Workshop
from workshops.schedule_cache import lookup, store

register = template.Library()


@register.simple_tag
def schedule_block(workshop: Workshop) -> SafeString:
    if workshop.schedule_status == Workshop.ScheduleStatus.HIDDEN:
        return mark_safe("")
    key = "block|fragment"
    token, found = lookup(workshop, [key], strict=False)
    stored = found.get(key)
    if stored is None:
        stored = serving.load(workshop, "block", "fragment")
        if stored is None:
            return mark_safe("")
        store(workshop, token, key, stored)
    return mark_safe(stored.body)
