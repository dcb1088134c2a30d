"""Cache invalidation: any change to what the public schedule shows retires its cache.

Signals are the right tool here (a loose concern, see style.md): every write path (admin,
services, shell) invalidates without having to remember to. Writes that send no signals
(``QuerySet.update``, ``bulk_create``) must call ``bump_schedule_version`` themselves.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from workshops.models import (
    Room,
    ScheduleItem,
    ScheduleRelease,
    SpeakerAppearance,
    SpeakerProfile,
    Workshop,
)
from workshops.schedule_cache import NAV_RELATED, bump_schedule_version, forget_slug


def _bump_own_workshop(sender, instance, **kwargs) -> None:
    if instance.workshop_id is not None:
        bump_schedule_version(instance.workshop_id)


def _bump_workshop(sender, instance: Workshop, **kwargs) -> None:
    bump_schedule_version(instance.pk)
    # A renamed workshop's old slug needs nothing (its entry's token is stale now); but the
    # entry under the new slug may be another workshop's, whose row went without a signal.
    forget_slug(instance.slug)


def _speaker_workshops(speaker_pk: int) -> set[int]:
    items = ScheduleItem.objects.filter(speakers=speaker_pk).values_list("workshop_id", flat=True)
    shown = SpeakerAppearance.objects.filter(speaker=speaker_pk).values_list(
        "workshop_id", flat=True
    )
    return {*items, *shown}


def _bump_speaker_workshops(sender, instance: SpeakerProfile, **kwargs) -> None:
    for workshop_pk in _speaker_workshops(instance.pk):
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
    for model in (ScheduleItem, Room, ScheduleRelease, SpeakerAppearance):
        post_save.connect(_bump_own_workshop, sender=model, dispatch_uid=f"schedule-{model}")
        post_delete.connect(_bump_own_workshop, sender=model, dispatch_uid=f"schedule-{model}")
    post_save.connect(_bump_workshop, sender=Workshop, dispatch_uid="schedule-workshop")
    post_delete.connect(_bump_workshop, sender=Workshop, dispatch_uid="schedule-workshop")
    post_save.connect(_bump_speaker_workshops, sender=SpeakerProfile, dispatch_uid="schedule-sp")
    # Before the delete: afterwards the rows that lead to its workshops are gone.
    pre_delete.connect(_bump_speaker_workshops, sender=SpeakerProfile, dispatch_uid="schedule-sp")
    m2m_changed.connect(
        _bump_on_speakers_changed,
        sender=ScheduleItem.speakers.through,
        dispatch_uid="schedule-speakers",
    )
    # The cached workshop row carries these one-to-one rows for the nav (Register, Submit).
    for name in NAV_RELATED:
        model = Workshop._meta.get_field(name).related_model
        post_save.connect(_bump_own_workshop, sender=model, dispatch_uid=f"schedule-{model}")
        post_delete.connect(_bump_own_workshop, sender=model, dispatch_uid=f"schedule-{model}")
