"""The core: workshops, their dates, topics, team (workshop.py), speakers and their
appearances (speakers.py). Import them from here."""

from workshops.models.speakers import (
    SpeakerAppearance as SpeakerAppearance,
    SpeakerAvailability as SpeakerAvailability,
    SpeakerProfile as SpeakerProfile,
    SpeakerProfileQuerySet as SpeakerProfileQuerySet,
    folded as folded,
    speaker_photo_path as speaker_photo_path,
    surname_key as surname_key,
)
from workshops.models.workshop import (
    KeyDate as KeyDate,
    Series as Series,
    TeamMember as TeamMember,
    Topic as Topic,
    Workshop as Workshop,
    WorkshopChild as WorkshopChild,
    WorkshopQuerySet as WorkshopQuerySet,
    validate_time_zone as validate_time_zone,
)
