"""Rendering again when what a release's pages show changes: a new release, the workshop (its
title, dates, venue, whether it is published), or its nav (takes registrations or abstracts).

A loose concern (style.md): every write path (admin, services, shell) triggers it without
having to remember to. The render runs in the worker once the change is committed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from schedule import tasks
from workshops.models import ScheduleRelease, Workshop
from workshops.schedule_cache import NAV_RELATED

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


def connect() -> None:
    post_save.connect(_release_saved, sender=ScheduleRelease, dispatch_uid="render-release")
    post_delete.connect(_release_deleted, sender=ScheduleRelease, dispatch_uid="render-release")
    post_save.connect(_workshop_saved, sender=Workshop, dispatch_uid="render-workshop")
    # The nav shows "Register" and "Submit an abstract" while these rows exist.
    for name in NAV_RELATED:
        model = Workshop._meta.get_field(name).related_model
        post_save.connect(_nav_changed, sender=model, dispatch_uid=f"render-nav-{model}")
        post_delete.connect(_nav_changed, sender=model, dispatch_uid=f"render-nav-{model}")
