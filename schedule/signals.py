"""Two loose concerns (style.md), so that every write path (admin, services, shell) does them
without having to remember to:

- Rendering again when what a release's pages show changes: a new release, the workshop (its
  title, dates, venue, whether it is published), or its nav (takes registrations or
  abstracts). The render runs in the worker once the change is committed.
- Retiring the cached live pages (speakers, preview) when rooms, items or their speakers
  change (workshops/signals.py does it for the workshop, speakers and appearances).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from schedule import tasks
from schedule.models import Room, ScheduleItem, ScheduleRelease
from workshops.models import SpeakerProfile, Workshop
from workshops.schedule_cache import NAV_RELATED, bump_schedule_version

# Saved by publish_schedule with the release, whose own signal renders it.
RELEASE_ONLY_FIELDS = frozenset({"schedule_status", "updated_at"})


def render_after_commit(workshop_pk: int) -> None:
    transaction.on_commit(lambda: tasks.render_schedule.delay(workshop_id=workshop_pk))


def _release_saved(sender, instance: ScheduleRelease, created: bool, **kwargs) -> None:
    if created:
        render_after_commit(instance.workshop_id)


def _release_deleted(sender, instance: ScheduleRelease, **kwargs) -> None:
    if Workshop.objects.filter(pk=instance.workshop_id).exists():  # not a cascade
        render_after_commit(instance.workshop_id)


def _workshop_saved(sender, instance: Workshop, created: bool, update_fields=None, **kwargs):
    if created or (update_fields and RELEASE_ONLY_FIELDS.issuperset(update_fields)):
        return
    render_after_commit(instance.pk)


def _nav_changed(sender, instance, created: bool = True, **kwargs) -> None:
    if created and Workshop.objects.filter(pk=instance.workshop_id).exists():
        render_after_commit(instance.workshop_id)


def _bump_own_workshop(sender, instance, **kwargs) -> None:
    bump_schedule_version(instance.workshop_id)


def _bump_talk_workshops(sender, instance: SpeakerProfile, **kwargs) -> None:
    items = ScheduleItem.objects.filter(speakers=instance.pk).values_list("workshop_id", flat=True)
    for workshop_pk in set(items):
        bump_schedule_version(workshop_pk)


def _bump_on_speakers_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:  # item.speakers.add(...): the instance is the item
        bump_schedule_version(instance.workshop_id)
        return
    # speaker.schedule_items.add(...): the instance is the speaker, pk_set the items
    if action == "pre_clear":
        workshops = instance.schedule_items.values_list("workshop_id", flat=True)
    else:
        workshops = ScheduleItem.objects.filter(pk__in=pk_set or ()).values_list(
            "workshop_id", flat=True
        )
    for workshop_pk in set(workshops):
        bump_schedule_version(workshop_pk)


def connect() -> None:
    for model in (ScheduleItem, Room, ScheduleRelease):
        post_save.connect(_bump_own_workshop, sender=model, dispatch_uid=f"schedule-{model}")
        post_delete.connect(_bump_own_workshop, sender=model, dispatch_uid=f"schedule-{model}")
    post_save.connect(_bump_talk_workshops, sender=SpeakerProfile, dispatch_uid="schedule-talks")
    # Before the delete: afterwards the rows that lead to its workshops are gone.
    pre_delete.connect(_bump_talk_workshops, sender=SpeakerProfile, dispatch_uid="schedule-talks")
    m2m_changed.connect(
        _bump_on_speakers_changed,
        sender=ScheduleItem.speakers.through,
        dispatch_uid="schedule-speakers",
    )
    post_save.connect(_release_saved, sender=ScheduleRelease, dispatch_uid="render-release")
    post_delete.connect(_release_deleted, sender=ScheduleRelease, dispatch_uid="render-release")
    post_save.connect(_workshop_saved, sender=Workshop, dispatch_uid="render-workshop")
    # The nav shows "Register" and "Submit an abstract" while these rows exist.
    for name in NAV_RELATED:
        model = Workshop._meta.get_field(name).related_model
        post_save.connect(_nav_changed, sender=model, dispatch_uid=f"render-nav-{model}")
        post_delete.connect(_nav_changed, sender=model, dispatch_uid=f"render-nav-{model}")
