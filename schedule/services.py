"""Schedule state changes with their rules: publishing a release, drafting talk slots.

Both lock the workshop row first (``select_for_update``; SQLite's IMMEDIATE transactions
serialize writers the same way), so two organizers publishing at once get two releases in a
clear order, each diffed against the one before, and a double click drafts slots once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from schedule import changes, conflicts, emails
from schedule.models import Room, ScheduleItem, ScheduleRelease
from workshops.models import SpeakerAppearance, SpeakerProfile, Workshop

KEEP = object()  # move_item: keep the item's length
RELEASE_STATUSES = (Workshop.ScheduleStatus.TENTATIVE, Workshop.ScheduleStatus.FINAL)


class ScheduleError(Exception):
    """An expected refusal; ``str(exc)`` is the message to show the organizer."""


@transaction.atomic
def publish_schedule(
    *,
    workshop: Workshop,
    version: str,
    notes: str = "",
    status: str,
    user=None,
    notify: bool = True,
) -> ScheduleRelease:
    """Store a release of the placed items with its diff from the last one; tell speakers once.

    Items that moved, were retitled or got other speakers have their ``revision`` bumped
    (calendar clients see an update), the workshop's schedule status becomes the release's,
    and every speaker of a changed item (before or after the change) who has an address gets
    one mail listing all of their changes (unless ``notify`` is off). The first release lists
    every item as added.
    """
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    version = version.strip()
    if status not in RELEASE_STATUSES:
        raise ScheduleError("A release is either tentative or final.")
    if not version:
        raise ScheduleError("Give the release a version, for example “v2”.")
    if workshop.releases.filter(version=version).exists():
        raise ScheduleError(f"There is already a release “{version}”: pick another version.")

    snapshot = changes.take_snapshot(conflicts.schedule_queryset(workshop))
    previous = workshop.releases.order_by("-published_at", "-pk").only("snapshot").first()
    diff = changes.diff_snapshots(previous.snapshot if previous else [], snapshot)
    changed = changes.changed_item_ids(diff)
    if changed:
        ScheduleItem.objects.filter(pk__in=changed).update(revision=F("revision") + 1)
        for entry in snapshot:
            if entry["id"] in changed:
                entry["revision"] += 1

    release = ScheduleRelease(
        workshop=workshop,
        version=version,
        status=status,
        notes=notes.strip(),
        published_by=user if user is not None and user.is_authenticated else None,
        snapshot=snapshot,
        changes=diff,
    )
    # An empty schedule is a valid release: the JSON fields may hold [] and {}.
    release.full_clean(exclude=["snapshot", "changes"])
    release.save()
    workshop.schedule_status = status
    workshop.save(update_fields=["schedule_status", "updated_at"])
    if notify:
        emails.queue_schedule_change_mails(release)
    return release


def release_if_changed(workshop: Workshop) -> ScheduleRelease | None:
    """Publish the placed items as the next release (“1”, “2”, …) unless they are what the
    current release holds, without mail: for loaders of demo and benchmark data, whose
    reruns must be safe. A hidden schedule is not released."""
    if workshop.schedule_status == Workshop.ScheduleStatus.HIDDEN:
        return None
    current = workshop.releases.order_by("-published_at", "-pk").first()
    draft = changes.take_snapshot(conflicts.schedule_queryset(workshop))
    if current is None and not draft:
        return None
    if current is not None and current.snapshot == draft:
        return None
    return publish_schedule(
        workshop=workshop,
        version=str(workshop.releases.count() + 1),
        status=workshop.schedule_status,
        notify=False,
    )


SPEAKER_ROLE_KINDS = {
    SpeakerAppearance.Role.KEYNOTE: ScheduleItem.Kind.KEYNOTE,
    SpeakerAppearance.Role.LECTURER: ScheduleItem.Kind.LECTURE,
}


@transaction.atomic
def draft_items_for_speakers(*, workshop: Workshop) -> list[ScheduleItem]:
    """Create one unplaced slot per confirmed speaker with no item here yet; safe to repeat.

    The slot is a keynote for a keynote speaker, a lecture for a lecturer, a talk otherwise;
    it has no title and no time, for the organizer to fill in the schedule view. A speaker
    already on any item of this workshop (a talk, a panel) gets nothing new.

    The submissions app will add its sibling, ``draft_items_for_submissions(*, workshop)``:
    one unplaced item per confirmed accepted submission not yet linked to an item, with the
    submission's title, abstract and presenting authors' profiles, and the kind its decision
    says (talk, spotlight, poster session). It should lock the workshop the same way and run
    before this one, so that speakers of accepted talks are not given a second, empty slot.
    """
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    on_items = ScheduleItem.speakers.through.objects.filter(scheduleitem__workshop=workshop).values(
        "speakerprofile_id"
    )
    appearances = (
        SpeakerAppearance.objects.filter(workshop=workshop, confirmed=True)
        .exclude(speaker_id__in=on_items)
        .select_related("speaker")
        .order_by("order", "pk")
    )
    created = []
    for appearance in appearances:
        item = ScheduleItem(
            workshop=workshop,
            kind=SPEAKER_ROLE_KINDS.get(appearance.role, ScheduleItem.Kind.TALK),
            order=appearance.order,
        )
        item.full_clean()
        item.save()
        item.speakers.add(appearance.speaker)
        created.append(item)
    return created


def set_item_speakers(item: ScheduleItem, speakers) -> list[SpeakerAppearance]:
    """Put ``speakers`` on ``item`` and make each a speaker of its workshop: an appearance,
    confirmed, for those who have none (one that the organizer left unconfirmed stays so).
    Every way of choosing an item's speakers (the schedule page, the item's form, an import)
    goes through here; returns the appearances it created."""
    speakers = list(speakers)
    item.speakers.set(speakers)
    return ensure_appearances(item.workshop_id, [s.pk for s in speakers])


def new_speaker_profile(workshop: Workshop, *, name: str, affiliation: str = "", user=None):
    """A profile for someone put on an item by name (the grid's dialog, an import): managed
    by ``workshop``'s organizers until the person claims it with an account."""
    return SpeakerProfile.objects.create(
        name=name, affiliation=affiliation, home_workshop=workshop, created_by=user
    )


def ensure_appearances(workshop_id: int, speaker_ids) -> list[SpeakerAppearance]:
    have = set(
        SpeakerAppearance.objects.filter(
            workshop_id=workshop_id, speaker_id__in=speaker_ids
        ).values_list("speaker_id", flat=True)
    )
    missing = [
        SpeakerAppearance(workshop_id=workshop_id, speaker_id=pk, confirmed=True)
        for pk in dict.fromkeys(speaker_ids)
        if pk not in have
    ]
    # A concurrent save that made the same appearance wins; ours is skipped, not an error.
    return SpeakerAppearance.objects.bulk_create(missing, ignore_conflicts=True)


DEFAULT_LENGTH = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Slot:
    """Where an item was: what an undo puts back."""

    item_id: int
    start: str | None  # ISO, or None: not placed
    end: str | None
    room_id: int | None
    duration_minutes: int | None = None  # the planned length of an item without a slot
    day: str | None = None  # ISO: all day on it (no start)

    @classmethod
    def of(cls, item: ScheduleItem) -> Slot:
        return cls(
            item.pk,
            item.start.isoformat() if item.start else None,
            item.end.isoformat() if item.end else None,
            item.room_id,
            int(item.duration.total_seconds() // 60) if item.duration else None,
            item.day.isoformat() if item.all_day else None,
        )


@transaction.atomic
def move_item(
    item: ScheduleItem,
    *,
    start: dt.datetime | None,
    room: Room | None,
    end=KEEP,
    day: dt.date | None = None,
) -> Slot:
    """Move ``item`` to ``start`` in ``room`` (None: all rooms), keeping its length (an
    unplaced or all-day item takes its planned duration, else 30 minutes; an open-ended one
    stays so), or to ``end`` when given; without a start, all day on ``day`` (or, without a
    day either, off the programme). Returns where it was. Conflicts are not refused: the grid
    shows them."""
    item = ScheduleItem.objects.select_for_update().get(pk=item.pk)
    before = Slot.of(item)
    item.day = day if start is None else None
    if end is KEEP:
        if item.start and not item.end:
            end = None
        elif start is not None:
            end = start + (item.length or DEFAULT_LENGTH)
        else:
            end = None
    if start is None and item.start and item.end:
        item.duration = item.end - item.start  # unplaced again: it keeps its planned length
    item.start, item.end, item.room = start, end, room
    item.full_clean()
    item.save(update_fields=["start", "end", "day", "room", "duration"])
    return before


def restore_slot(workshop: Workshop, slot: Slot) -> ScheduleItem | None:
    """Put an item back where ``slot`` says (an undo); None if it is gone meanwhile."""
    item = ScheduleItem.objects.filter(workshop=workshop, pk=slot.item_id).first()
    if item is None:
        return None
    room = Room.objects.filter(workshop=workshop, pk=slot.room_id).first() if slot.room_id else None
    start = dt.datetime.fromisoformat(slot.start) if slot.start else None
    end = dt.datetime.fromisoformat(slot.end) if slot.end else None
    day = dt.date.fromisoformat(slot.day) if slot.day else None
    move_item(item, start=start, room=room, end=end, day=day)
    duration = dt.timedelta(minutes=slot.duration_minutes) if slot.duration_minutes else None
    if item.duration != duration:
        item.duration = duration
        item.save(update_fields=["duration"])
    return item
