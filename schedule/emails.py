"""Which workshop mail, to whom, with which template; queued in the outbox."""

from __future__ import annotations

from collections import defaultdict

from config.site_url import absolute
from outbox.mail import queue_mail
from outbox.models import OutgoingMail
from schedule.changes import ChangeLine, describe_changes
from schedule.models import ScheduleRelease
from workshops.models import SpeakerProfile


def speaker_address(speaker: SpeakerProfile) -> str:
    """Return where to reach a speaker: their profile's address, else their account's."""
    if speaker.email:
        return speaker.email
    return speaker.user.email if speaker.user_id else ""


def queue_schedule_change_mails(release: ScheduleRelease) -> list[OutgoingMail]:
    """Queue one mail per reachable speaker of a changed item, listing all their changes.

    Keyed by release and speaker, so a speaker hears once about a release whatever happens.
    """
    workshop = release.workshop
    lines_by_speaker: dict[int, list[ChangeLine]] = defaultdict(list)
    for line in describe_changes(release.changes, workshop.tz):
        for speaker_id in line.speaker_ids:
            lines_by_speaker[speaker_id].append(line)
    if not lines_by_speaker:
        return []
    speakers = (
        SpeakerProfile.objects.filter(pk__in=lines_by_speaker).select_related("user").order_by("pk")
    )
    mails = []
    for speaker in speakers:
        address = speaker_address(speaker)
        if not address:
            continue
        mails.append(
            queue_mail(
                key=f"schedule-change:{release.pk}:{speaker.pk}",
                to=address,
                template="schedule/emails/schedule_changed",
                context={
                    "speaker": speaker,
                    "workshop": workshop,
                    "release": release,
                    "tentative": release.status == workshop.ScheduleStatus.TENTATIVE,
                    "lines": lines_by_speaker[speaker.pk],
                    "time_zone": workshop.time_zone,
                    "workshop_url": absolute(workshop.get_absolute_url()),
                },
                workshop=workshop,
            )
        )
    return mails
