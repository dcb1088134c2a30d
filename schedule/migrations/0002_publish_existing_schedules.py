"""The public now sees releases only. A workshop whose tentative or final schedule was public
without one gets its items published as release “1” (as the organizer would have), and the
releases stored before snapshots carried everything the pages show get the missing fields
from the live rows (an abstract changed since keeps its text, shown as plain paragraphs).

The release's pages are rendered by the worker; until then each request renders the page it
asks for from the snapshot. Nothing is deleted; backwards, nothing is undone.
"""

import datetime as dt

from django.db import migrations
from django.utils.html import linebreaks


def _utc(value):
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _speakers(item, links):
    speakers = {s.pk: s for s in item.speakers.all()}
    ordered = [speakers[pk] for pk in links.get(item.pk, []) if pk in speakers]
    return [
        {"id": s.pk, "name": s.name, "affiliation": s.affiliation, "homepage": s.homepage}
        for s in ordered
    ]


def _entry(item, links):
    room = item.room
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "start": _utc(item.start),
        "end": _utc(item.end),
        "room_id": item.room_id,
        "room": room.name if room else "",
        "room_capacity": room.capacity if room else None,
        "room_order": room.order if room else 0,
        "speakers": _speakers(item, links),
        "abstract": item.abstract,
        "abstract_html": item.abstract_html,
        "revision": item.revision,
        "order": item.order,
    }


def _links(apps, workshop):
    through = apps.get_model("workshops", "ScheduleItem").speakers.through
    links = {}
    rows = through.objects.filter(scheduleitem__workshop=workshop).order_by("pk")
    for item_id, speaker_id in rows.values_list("scheduleitem_id", "speakerprofile_id"):
        links.setdefault(item_id, []).append(speaker_id)
    return links


def _completed(entry, live, profiles, rooms):
    item = live.get(entry["id"])
    if "abstract_html" not in entry:
        if item is not None and item.abstract == entry.get("abstract", ""):
            entry["abstract_html"] = item.abstract_html
        else:
            entry["abstract_html"] = linebreaks(entry.get("abstract", ""), autoescape=True)
    entry.setdefault("revision", item.revision if item is not None else 0)
    room = rooms.get(entry.get("room_id"))
    entry.setdefault("room_capacity", room.capacity if room else None)
    entry.setdefault("room_order", room.order if room else 0)
    for speaker in entry.get("speakers", []):
        profile = profiles.get(speaker["id"])
        speaker.setdefault("homepage", profile.homepage if profile else "")
    return entry


def forwards(apps, schema_editor):
    Workshop = apps.get_model("workshops", "Workshop")
    ScheduleItem = apps.get_model("workshops", "ScheduleItem")
    ScheduleRelease = apps.get_model("workshops", "ScheduleRelease")
    SpeakerProfile = apps.get_model("workshops", "SpeakerProfile")
    Room = apps.get_model("workshops", "Room")
    for workshop in Workshop.objects.exclude(schedule_status="hidden").iterator():
        items = (
            ScheduleItem.objects.filter(workshop=workshop, start__isnull=False)
            .select_related("room")
            .prefetch_related("speakers")
            .order_by("start", "order", "pk")
        )
        releases = ScheduleRelease.objects.filter(workshop=workshop)
        if not releases.exists():
            if not items.exists():
                continue
            links = _links(apps, workshop)
            snapshot = [_entry(item, links) for item in items]
            ScheduleRelease.objects.create(
                workshop=workshop,
                version="1",
                status=workshop.schedule_status,
                notes="",
                notes_html="",
                snapshot=snapshot,
                changes={
                    "added": [
                        {
                            key: entry[key]
                            for key in ("id", "kind", "title", "start", "end", "room_id", "room")
                        }
                        | {
                            "speakers": [
                                {"id": s["id"], "name": s["name"]} for s in entry["speakers"]
                            ]
                        }
                        for entry in snapshot
                    ],
                    "removed": [],
                    "moved": [],
                    "retitled": [],
                    "speakers": [],
                },
            )
            continue
        live = {item.pk: item for item in ScheduleItem.objects.filter(workshop=workshop)}
        rooms = {room.pk: room for room in Room.objects.filter(workshop=workshop)}
        profiles = SpeakerProfile.objects.in_bulk(
            {s["id"] for r in releases for e in r.snapshot for s in e.get("speakers", [])}
        )
        for release in releases:
            release.snapshot = [_completed(e, live, profiles, rooms) for e in release.snapshot]
            release.save(update_fields=["snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0001_initial"),
        ("workshops", "0009_speaker_orcid_help"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
