"""Rooms, the programme's items, its releases, and each release as rendered once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from workshops.markdown import MarkdownField, RenderedMarkdownField
from workshops.models import SpeakerProfile, Workshop, WorkshopChild


def skipped_by_the_clocks(moment: dt.datetime | None) -> bool:
    """A wall-clock time its zone skips (02:30 on the spring change) does not come back the
    same from UTC."""
    if moment is None or moment.tzinfo is None:
        return False
    back = moment.astimezone(dt.UTC).astimezone(moment.tzinfo)
    return (back.hour, back.minute) != (moment.hour, moment.minute)


class Room(WorkshopChild):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=150)
    capacity = models.PositiveIntegerField(null=True, blank=True)

    class Meta(WorkshopChild.Meta):
        db_table = "workshops_room"  # the tables they had before the schedule had its app
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "name"], name="unique_room_name_per_workshop"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScheduleItem(WorkshopChild):
    """A slot of the programme; talks may exist before they have a time (start empty)."""

    class Kind(models.TextChoices):
        TALK = "talk", "Talk"
        KEYNOTE = "keynote", "Keynote"
        LECTURE = "lecture", "Lecture"
        TUTORIAL = "tutorial", "Tutorial"
        BREAK = "break", "Break"
        MEAL = "meal", "Meal"
        REGISTRATION = "registration", "Registration"
        OPENING = "opening", "Opening"
        CLOSING = "closing", "Closing"
        POSTER_SESSION = "poster_session", "Poster session"
        SPOTLIGHT = "spotlight", "Spotlight"
        SOCIAL = "social", "Social event"
        OTHER = "other", "Other"

    PRESENTATION_KINDS = frozenset({"talk", "keynote", "lecture", "tutorial", "spotlight"})
    BREAK_KINDS = frozenset({"break", "meal", "registration", "social"})

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="schedule_items")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TALK)
    title = models.CharField(
        max_length=300, blank=True, help_text="May stay empty for a talk whose title is not known."
    )
    start = models.DateTimeField(
        null=True, blank=True, help_text="Empty: not placed yet, or all day (the day below)."
    )
    end = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Empty: open-ended (“from 17:00”), until the next item or the day's end.",
    )
    day = models.DateField(
        "all day on",
        null=True,
        blank=True,
        help_text="An all-day item (an excursion, a poster exhibition): its day, and no times.",
    )
    duration = models.DurationField(
        null=True, blank=True, help_text="For an item without a time yet: its planned length."
    )
    room = models.ForeignKey(
        Room,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        help_text="Empty: all rooms (breaks, plenary).",
    )
    speakers = models.ManyToManyField(SpeakerProfile, blank=True, related_name="schedule_items")
    abstract = MarkdownField(max_length=60_000, blank=True, help_text="Markdown.")
    abstract_html = RenderedMarkdownField("abstract")
    revision = models.PositiveIntegerField(
        default=0, editable=False, help_text="Bumped by each release that changes this item."
    )

    class Meta(WorkshopChild.Meta):
        db_table = "workshops_scheduleitem"
        ordering = [
            models.F("start").asc(nulls_last=True),
            models.F("day").asc(nulls_last=True),
            "order",
            "pk",
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=False, end__gt=models.F("start")),
                name="schedule_item_ends_after_start",
                violation_error_code="ends_before_start",
                violation_error_message="An item must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(day__isnull=True) | Q(start__isnull=True, end__isnull=True),
                name="schedule_item_all_day_has_no_times",
                violation_error_code="all_day_with_times",
                violation_error_message="An all-day item has a day and no times.",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def clean(self) -> None:
        if self.day is not None and (self.start is not None or self.end is not None):
            raise ValidationError(
                {"day": "An all-day item has no times: clear the day, or the start and end."}
            )
        if self.start is None and self.end is not None:
            raise ValidationError({"start": "Give a start for an item with an end."})
        for name in ("start", "end"):
            if skipped_by_the_clocks(getattr(self, name)):
                moment = getattr(self, name)
                raise ValidationError(
                    {name: f"{moment:%H:%M} does not exist that day: the clocks change that night."}
                )
        # In UTC: two times of one zone compare by their wall clocks (a fall-back hour).
        if self.start and self.end and self.end.astimezone(dt.UTC) <= self.start.astimezone(dt.UTC):
            raise ValidationError({"end": "An item must end after it starts."})
        if self.room_id and self.room.workshop_id != self.workshop_id:
            raise ValidationError({"room": "This room belongs to another workshop."})

    @property
    def length(self) -> dt.timedelta | None:
        if self.start and self.end:
            return self.end - self.start
        return self.duration

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def is_break(self) -> bool:
        return self.kind in self.BREAK_KINDS

    @property
    def all_day(self) -> bool:
        """On a day, with no times: “all day”."""
        return self.day is not None and self.start is None

    @property
    def placed(self) -> bool:
        """In the programme: at a time, or all day on a day."""
        return self.start is not None or self.day is not None

    @property
    def open_ended(self) -> bool:
        """Placed with a start and no end: “from 17:00”."""
        return self.start is not None and self.end is None


class ScheduleRelease(models.Model):
    """A published version of a workshop's schedule, with what changed since the last one."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=60, help_text="For example “v2” or “2024-11-20”.")
    status = models.CharField(
        max_length=12,
        choices=[c for c in Workshop.ScheduleStatus.choices if c[0] != "hidden"],
        default=Workshop.ScheduleStatus.TENTATIVE,
    )
    notes = MarkdownField(
        max_length=10_000, blank=True, help_text="Change notes shown in the public changelog."
    )
    notes_html = RenderedMarkdownField("notes")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(default=list, help_text="The items as published.")
    changes = models.JSONField(
        default=dict, help_text="Added, removed, moved and retitled items since the last release."
    )

    class Meta:
        db_table = "workshops_schedulerelease"
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(fields=["workshop", "version"], name="unique_release_version"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop} {self.version}"


class ReleaseArtifact(models.Model):
    """One page or export of a release, as it is sent: rendered by the worker when the
    release is published (and again when what frames it changes: the workshop's title, its
    nav), never by a request.

    ``name`` is what the views ask for: ``page``, ``changes``, ``block`` (the schedule on the
    workshop page), ``item:<id>``, ``item:<id>.ics``, ``schedule.xml`` and the other exports.
    A page's ``body`` is the whole page as an anonymous visitor gets it, and ``fragment`` its
    content, for visitors with a session, whose account menu and messages are their own.
    """

    release = models.ForeignKey(ScheduleRelease, on_delete=models.CASCADE, related_name="artifacts")
    name = models.CharField(max_length=40)
    content_type = models.CharField(max_length=60)
    body = models.BinaryField()
    body_gzip = models.BinaryField()
    fragment = models.TextField(blank=True)
    title = models.TextField(blank=True)  # an item's title and the workshop's: no bound here
    # What framed the page when it was rendered (rendering.frame_key): one that no longer
    # matches is not served, even if the worker has not rendered again yet.
    frame = models.CharField(max_length=200, blank=True)
    etag = models.CharField(max_length=80)
    # The static files' manifest the page links (a deploy with new assets renders again).
    static_version = models.CharField(max_length=80, blank=True)
    rendered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="unique_artifact_per_release"),
        ]

    def __str__(self) -> str:
        return f"{self.release} {self.name}"
