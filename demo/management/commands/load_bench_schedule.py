"""Load the synthetic benchmark workshop (format ``lorainne-loadtest/1``), published."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from schedule import services
from schedule.models import Room, ScheduleItem
from workshops.markdown import render_markdown
from workshops.models import SpeakerAppearance, SpeakerProfile, Workshop
from workshops.schedule_cache import bump_schedule_version

FORMAT = "lorainne-loadtest/1"


class Command(BaseCommand):
    help = (
        "Create or refresh the benchmark workshop from a lorainne-loadtest/1 JSON file "
        "(e.g. ../shared/bench-data/lorainne25.json); safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        if data.get("format") != FORMAT:
            raise CommandError(f"{path} is not in the {FORMAT} format.")
        workshop = load_bench_workshop(data)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {workshop.get_absolute_url()}: {len(data['talks'])} talks, "
                f"{len(data['speakers'])} speakers, {len(data['event']['rooms'])} rooms."
            )
        )


@transaction.atomic
def load_bench_workshop(data: dict) -> Workshop:
    """Upsert the workshop, its rooms, speakers and talks; rows are matched by natural keys.

    Speakers are matched on their email and talks on their position in the file (stored as
    ``order``), so item primary keys, and with them the export GUIDs, survive a reload.
    Rows are written with bulk_create/bulk_update, which send no signals: the schedule cache
    is invalidated explicitly at the end.
    """
    event = data["event"]
    tz = zoneinfo.ZoneInfo(event["timezone"])
    first_day = dt.date.fromisoformat(event["date_from"])
    workshop, _ = Workshop.objects.update_or_create(
        slug=event["slug"],
        defaults={
            "title": event["name"],
            "short_title": event["name"].removesuffix(" load test"),
            "description": event.get("landing_page_text", ""),
            "start_date": first_day,
            "end_date": first_day + dt.timedelta(days=event["days"] - 1),
            "time_zone": event["timezone"],
            "contact_email": event.get("email", ""),
            "published": True,
            "schedule_status": Workshop.ScheduleStatus.FINAL,
        },
    )

    rooms = []
    for order, room in enumerate(event["rooms"]):
        obj, _ = Room.objects.update_or_create(
            workshop=workshop,
            name=room["name"],
            defaults={"capacity": room.get("capacity"), "order": order},
        )
        rooms.append(obj)

    # Speakers: the file's ids (S001…) and codes live only in this lookup, not in the models.
    by_email = {p.email: p for p in SpeakerProfile.objects.filter(
        email__in=[s["email"] for s in data["speakers"]]
    )}  # fmt: skip
    new_profiles, changed_profiles, speakers = [], [], {}
    for spec in data["speakers"]:
        profile = by_email.get(spec["email"])
        if profile is None:
            profile = SpeakerProfile(
                name=spec["name"],
                email=spec["email"],
                bio=spec["biography"],
                home_workshop=workshop,
            )
            new_profiles.append(profile)
        elif (profile.name, profile.bio) != (spec["name"], spec["biography"]):
            profile.name, profile.bio = spec["name"], spec["biography"]
            profile.bio_html = render_markdown(profile.bio)  # bulk_update renders nothing
            changed_profiles.append(profile)
        speakers[spec["id"]] = profile
    SpeakerProfile.objects.bulk_create(new_profiles)
    SpeakerProfile.objects.bulk_update(changed_profiles, ["name", "bio", "bio_html"])
    if new_profiles and new_profiles[0].pk is None:  # backends that return no ids (none today)
        by_email = {p.email: p for p in SpeakerProfile.objects.filter(
            email__in=[p.email for p in new_profiles]
        )}  # fmt: skip
        speakers = {k: by_email[v.email] for k, v in speakers.items()}

    SpeakerAppearance.objects.filter(workshop=workshop).exclude(
        speaker__in=speakers.values()
    ).delete()
    present = set(
        SpeakerAppearance.objects.filter(workshop=workshop).values_list("speaker_id", flat=True)
    )
    SpeakerAppearance.objects.bulk_create(
        SpeakerAppearance(
            workshop=workshop,
            speaker=profile,
            role=SpeakerAppearance.Role.CONTRIBUTED,
            confirmed=True,
            order=order,
        )
        for order, profile in enumerate(speakers.values())
        if profile.pk not in present
    )

    existing = {i.order: i for i in ScheduleItem.objects.filter(workshop=workshop)}
    new_items, changed_items, talk_items = [], [], []
    for order, talk in enumerate(data["talks"], start=1):
        start = dt.datetime.fromisoformat(talk["start_local"]).replace(tzinfo=tz)
        fields = {
            "kind": ScheduleItem.Kind.TALK,
            "title": talk["title"],
            "abstract": talk["abstract"],
            "start": start,
            "end": start + dt.timedelta(minutes=talk["duration_minutes"]),
            "room": rooms[talk["room"]],
        }
        item = existing.pop(order, None)
        if item is None:
            item = ScheduleItem(workshop=workshop, order=order, **fields)
            new_items.append(item)
        elif any(getattr(item, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(item, key, value)
            item.abstract_html = render_markdown(item.abstract)
            changed_items.append(item)
        talk_items.append((item, talk["speakers"]))
    ScheduleItem.objects.filter(pk__in=[i.pk for i in existing.values()]).delete()
    ScheduleItem.objects.bulk_create(new_items)
    ScheduleItem.objects.bulk_update(
        changed_items, ["kind", "title", "abstract", "abstract_html", "start", "end", "room"]
    )

    Through = ScheduleItem.speakers.through
    Through.objects.filter(scheduleitem__workshop=workshop).delete()
    Through.objects.bulk_create(
        Through(scheduleitem_id=item.pk, speakerprofile_id=speakers[speaker_id].pk)
        for item, speaker_ids in talk_items
        for speaker_id in speaker_ids
    )
    transaction.on_commit(lambda: bump_schedule_version(workshop.pk))
    bump_schedule_version(workshop.pk)
    # The public sees releases only: publish what was loaded (rendered by the worker).
    services.release_if_changed(workshop)
    return workshop
