"""What a release keeps of the programme (a snapshot: plain data, times in UTC), what changed
between two releases, and how those changes read in the changelog and in speakers' mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from schedule.conflicts import describe_slot
from schedule.models import ScheduleItem, ScheduleRelease
from workshops.models import SpeakerProfile, Workshop

CHANGE_KINDS = ("added", "removed", "moved", "retitled", "speakers")
# How each kind reads in a count ("2 moved"); releases stored before "speakers" lack that key.
CHANGE_COUNT_LABELS = {"speakers": "with new speakers"}


def snapshot_item(item: ScheduleItem, speakers: list[SpeakerProfile] | None = None) -> dict:
    """Return an item as a release keeps it: plain data, times in UTC, everything the public
    pages and the exports show of it (a release is rendered from its snapshot alone)."""
    room = item.room if item.room_id else None
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "start": _utc(item.start) if item.start else None,  # None: all day (see "day")
        "end": _utc(item.end) if item.end else None,  # None: open-ended
        "room_id": item.room_id,
        "room": room.name if room else "",
        "room_capacity": room.capacity if room else None,
        "room_order": room.order if room else 0,
        "speakers": [
            {
                "id": s.pk,
                "name": s.name,
                "affiliation": s.affiliation,
                "homepage": s.homepage,
                "orcid": s.orcid,
            }
            for s in (item.speakers.all() if speakers is None else speakers)
        ],
        "abstract": item.abstract,
        "abstract_html": str(item.abstract_html),
        "revision": item.revision,
        "order": item.order,
        **({"day": item.day.isoformat()} if item.all_day else {}),  # all day: a day, no start
    }


def take_snapshot(items: Iterable[ScheduleItem]) -> list[dict]:
    """Return the placed items as a release keeps them, in time order (an all-day item at the
    start of its day), each item's speakers in the order they were added to it (one more
    query, for that order)."""
    placed = sorted((i for i in items if i.placed), key=_in_time_order)
    links = ScheduleItem.speakers.through.objects.filter(
        scheduleitem__in=[i.pk for i in placed]
    ).order_by("pk")
    position = {(link.scheduleitem_id, link.speakerprofile_id): n for n, link in enumerate(links)}
    return [
        snapshot_item(
            item,
            sorted(item.speakers.all(), key=lambda s, item=item: position.get((item.pk, s.pk), 0)),
        )
        for item in placed
    ]


def _in_time_order(item: ScheduleItem) -> tuple:
    if item.start is not None:
        return (item.start.astimezone(dt.UTC).date(), 1, item.start, item.order, item.pk)
    return (item.day, 0, None, item.order, item.pk)


def diff_snapshots(old: list[dict], new: list[dict]) -> dict[str, list[dict]]:
    """Return what was added, removed, moved (start, end or room), retitled and given other
    speakers, by item id.

    An item with several changes is listed under each. Each entry names the speakers to tell:
    those of the item before and after the change (so a speaker taken off a talk hears it,
    and so does the one who takes it over).
    """
    before = {entry["id"]: entry for entry in old}
    after = {entry["id"]: entry for entry in new}
    changes: dict[str, list[dict]] = {kind: [] for kind in CHANGE_KINDS}
    changes["added"] = [_placed(entry) for item_id, entry in after.items() if item_id not in before]
    changes["removed"] = [
        _placed(entry) for item_id, entry in before.items() if item_id not in after
    ]
    for item_id, now in after.items():
        then = before.get(item_id)
        if then is None:
            continue
        speakers = _merged_speakers(then, now)
        if _slot(then) != _slot(now):
            changes["moved"].append(
                {
                    "id": item_id,
                    "kind": now["kind"],
                    "title": now["title"],
                    "from": _slot(then),
                    "to": _slot(now),
                    "speakers": speakers,
                }
            )
        if then["title"] != now["title"]:
            changes["retitled"].append(
                {
                    "id": item_id,
                    "kind": now["kind"],
                    "from": then["title"],
                    "to": now["title"],
                    "speakers": speakers,
                }
            )
        if _speaker_ids(then) != _speaker_ids(now):
            changes["speakers"].append(
                {
                    "id": item_id,
                    "kind": now["kind"],
                    "title": now["title"],
                    "from": [s["name"] for s in then["speakers"]],
                    "to": [s["name"] for s in now["speakers"]],
                    "speakers": speakers,
                }
            )
    return changes


def changed_item_ids(changes: dict[str, list[dict]]) -> set[int]:
    """Return the ids of the items that a release changed in place (moved, retitled, other
    speakers): what calendar clients must see as an update."""
    in_place = ("moved", "retitled", "speakers")
    return {entry["id"] for kind in in_place for entry in changes.get(kind, [])}


def _placed(entry: dict) -> dict:
    return {
        "id": entry["id"],
        "kind": entry["kind"],
        "title": entry["title"],
        **_slot(entry),
        "speakers": [{"id": s["id"], "name": s["name"]} for s in entry["speakers"]],
    }


def _slot(entry: dict) -> dict:
    return {
        "start": entry["start"],
        "end": entry["end"],
        "day": entry.get("day"),  # releases kept before all-day items have none
        "room_id": entry["room_id"],
        "room": entry["room"],
    }


def _speaker_ids(entry: dict) -> set[int]:
    return {s["id"] for s in entry["speakers"]}


def _merged_speakers(then: dict, now: dict) -> list[dict]:
    merged = {s["id"]: s["name"] for s in then["speakers"]}
    merged.update({s["id"]: s["name"] for s in now["speakers"]})
    return [{"id": pk, "name": name} for pk, name in merged.items()]


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ChangeLine:
    """One change of a release, ready to show: titles resolved, times in the workshop's zone."""

    change: str  # one of CHANGE_KINDS
    item_id: int
    title: str
    before: str  # the old slot (removed, moved), title (retitled) or speakers (speakers)
    after: str  # the new slot (added, moved), title (retitled) or speakers (speakers)
    speakers: tuple[str, ...]
    speaker_ids: tuple[int, ...]

    @property
    def text(self) -> str:
        if self.change == "added":
            return f"Added: “{self.title}”, {self.after}"
        if self.change == "removed":
            return f"Removed: “{self.title}” (was {self.before})"
        if self.change == "moved":
            return f"Moved: “{self.title}”, {self.before} → {self.after}"
        if self.change == "speakers":
            return f"New speakers for “{self.title}”: {self.before} → {self.after}"
        return f"Retitled: “{self.before}” → “{self.after}”"


def describe_changes(changes: dict[str, list[dict]], tz) -> list[ChangeLine]:
    """Return a release's changes as lines, in the order of CHANGE_KINDS."""
    lines = []
    for change in CHANGE_KINDS:
        for entry in changes.get(change, []):
            before = after = ""
            if change == "retitled":
                title = _title(entry["to"], entry["kind"])
                before, after = _title(entry["from"], entry["kind"]), title
            else:
                title = _title(entry["title"], entry["kind"])
            if change in ("added", "removed"):
                slot = slot_text(entry, tz)
                before, after = (slot, "") if change == "removed" else ("", slot)
            elif change == "moved":
                before, after = slot_text(entry["from"], tz), slot_text(entry["to"], tz)
            elif change == "speakers":
                before, after = _names(entry["from"]), _names(entry["to"])
            lines.append(
                ChangeLine(
                    change=change,
                    item_id=entry["id"],
                    title=title,
                    before=before,
                    after=after,
                    speakers=tuple(s["name"] for s in entry["speakers"]),
                    speaker_ids=tuple(s["id"] for s in entry["speakers"]),
                )
            )
    return lines


def _names(names: list[str]) -> str:
    return ", ".join(names) or "no speaker"


def slot_text(slot: dict, tz) -> str:
    """Return “Tue 4 March, 10:00–10:30, Room A”: a snapshot entry's slot, in ``tz``."""
    start, end, day = slot["start"], slot["end"], slot.get("day")
    return describe_slot(
        day=dt.date.fromisoformat(day) if start is None and day else None,
        start=dt.datetime.fromisoformat(start) if start else None,
        end=dt.datetime.fromisoformat(end) if end else None,
        room=slot["room"],
        tz=tz,
    )


def _title(title: str, kind: str) -> str:
    if title:
        return title
    try:
        return ScheduleItem.Kind(kind).label
    except ValueError:
        return kind


@dataclass(frozen=True)
class ReleaseEntry:
    """A published release for the changelog: its changes as lines in the workshop's zone."""

    release: ScheduleRelease
    published_at: dt.datetime  # in the workshop's zone
    is_first: bool
    lines: list[ChangeLine]

    @property
    def version(self) -> str:
        return self.release.version

    @property
    def status(self) -> str:
        return self.release.status

    @property
    def status_label(self) -> str:
        return self.release.get_status_display()

    @property
    def notes(self) -> str:
        return self.release.notes

    @property
    def notes_html(self) -> str:
        return self.release.notes_html

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("added", "removed", "moved", "retitled"), 0)
        for line in self.lines:
            counts[line.change] += 1
        return counts

    def _of(self, change: str) -> list[ChangeLine]:
        return [line for line in self.lines if line.change == change]

    @property
    def added(self) -> list[ChangeLine]:
        return self._of("added")

    @property
    def removed(self) -> list[ChangeLine]:
        return self._of("removed")

    @property
    def moved(self) -> list[ChangeLine]:
        return self._of("moved")

    @property
    def retitled(self) -> list[ChangeLine]:
        return self._of("retitled")


def release_history(workshop: Workshop) -> list[ReleaseEntry]:
    """Return the workshop's releases newest first, with display-ready changes; one query."""
    releases = list(
        ScheduleRelease.objects.filter(workshop=workshop)
        .defer("snapshot")
        .order_by("-published_at", "-pk")
    )
    tz = workshop.tz
    return [
        ReleaseEntry(
            release=release,
            published_at=timezone.localtime(release.published_at, tz),
            is_first=index == len(releases) - 1,
            lines=describe_changes(release.changes, tz),
        )
        for index, release in enumerate(releases)
    ]
