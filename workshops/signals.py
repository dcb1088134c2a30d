"""Cache invalidation: any change to what the public schedule shows retires its cache (the
workshop, its nav rows, speakers and appearances here; the schedule's own rows in
schedule/signals.py).

Signals are the right tool here (a loose concern, see style.md): every write path (admin,
services, shell) invalidates without having to remember to. Writes that send no signals
(``QuerySet.update``, ``bulk_create``) must call ``bump_schedule_version`` themselves.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_delete

from workshops.models import SpeakerAppearance, SpeakerProfile, Workshop
from workshops.schedule_cache import NAV_RELATED, bump_schedule_version, forget_slug


def _bump_own_workshop(sender, instance, **kwargs) -> None:
    if instance.workshop_id is not None:
        bump_schedule_version(instance.workshop_id)


def _bump_workshop(sender, instance: Workshop, **kwargs) -> None:
    bump_schedule_version(instance.pk)
    # A renamed workshop's old slug needs nothing (its entry's token is stale now); but the
    # entry under the new slug may be another workshop's, whose row went without a signal.
    forget_slug(instance.slug)


def _bump_speaker_workshops(sender, instance: SpeakerProfile, **kwargs) -> None:
    # The workshops that show the speaker; schedule/signals.py adds those of their talks.
    shown = SpeakerAppearance.objects.filter(speaker=instance.pk).values_list(
        "workshop_id", flat=True
    )
    for workshop_pk in set(shown):
        bump_schedule_version(workshop_pk)


def connect() -> None:
    post_save.connect(_bump_own_workshop, sender=SpeakerAppearance, dispatch_uid="schedule-sa")
    post_delete.connect(_bump_own_workshop, sender=SpeakerAppearance, dispatch_uid="schedule-sa")
    post_save.connect(_bump_workshop, sender=Workshop, dispatch_uid="schedule-workshop")
    post_delete.connect(_bump_workshop, sender=Workshop, dispatch_uid="schedule-workshop")
    post_save.connect(_bump_speaker_workshops, sender=SpeakerProfile, dispatch_uid="schedule-sp")
    # Before the delete: afterwards the rows that lead to its workshops are gone.
    pre_delete.connect(_bump_speaker_workshops, sender=SpeakerProfile, dispatch_uid="schedule-sp")
    # The cached workshop row carries these one-to-one rows for the nav (Register, Submit).
    for name in NAV_RELATED:
        model = Workshop._meta.get_field(name).related_model
        post_save.connect(_bump_own_workshop, sender=model, dispatch_uid=f"schedule-{model}")
        post_delete.connect(_bump_own_workshop, sender=model, dispatch_uid=f"schedule-{model}")
