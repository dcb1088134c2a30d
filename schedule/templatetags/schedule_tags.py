"""``{% schedule_block workshop %}``: the current release's schedule on the workshop page,
as stored when the release was rendered (the workshop app does not know releases' pages)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from schedule import selectors, serving
from schedule.models import ScheduleItem
from workshops.models import Workshop
from workshops.schedule_cache import lookup

register = template.Library()


@register.simple_tag
def schedule_block(workshop: Workshop) -> SafeString:
    if workshop.schedule_status == Workshop.ScheduleStatus.HIDDEN:
        return mark_safe("")
    token, found = lookup(workshop, [serving.artifact_key("block", "fragment")], strict=False)
    stored = serving.kept(workshop, token, found, "block", "fragment")
    return mark_safe(stored.body if stored is not None else "")


@register.simple_tag
def programme(workshop: Workshop) -> list[ScheduleItem]:
    return selectors.programme(workshop)
