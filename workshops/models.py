"""The core: workshops, their dates, topics, people, rooms and schedule; the outbox."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from config.addresses import EmailAddressField
from workshops.markdown import MarkdownField, RenderedMarkdownField
from workshops.timezones import AOE
from workshops.validators import validate_orcid


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"“{value}” is not a known time zone.") from exc


class Series(models.Model):
    """A recurring event or a collaboration that runs several events."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    short_name = models.CharField(max_length=40, blank=True, help_text="For example “SLowDNN”.")
    description = MarkdownField(max_length=10_000, blank=True, help_text="Markdown.")
    description_html = RenderedMarkdownField("description")
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workshops:series", kwargs={"slug": self.slug})


class WorkshopQuerySet(models.QuerySet):
    def published(self) -> WorkshopQuerySet:
        return self.filter(published=True)

    def managed_by(self, user) -> WorkshopQuerySet:
        """Return the workshops this user may manage (all of them for a superuser)."""
        if not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(organizers=user)


class Workshop(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", "Workshop"
        SUMMER_SCHOOL = "summer_school", "Summer school"
        LECTURE_SERIES = "lecture_series", "Lecture series"
        CONFERENCE = "conference", "Conference"
        PROGRAMME = "programme", "Programme of activities"

    class ScheduleStatus(models.TextChoices):
        HIDDEN = "hidden", "Hidden"
        TENTATIVE = "tentative", "Tentative"
        FINAL = "final", "Final"

    title = models.CharField(max_length=250)
    short_title = models.CharField(
        max_length=80, blank=True, help_text="An acronym or short name, e.g. “LoRAINNe'24”."
    )
    slug = models.SlugField(max_length=80, unique=True)
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="workshops"
    )
    edition = models.CharField(
        max_length=80, blank=True, help_text="For example “Third” or “2024”."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WORKSHOP)
    tagline = models.CharField(max_length=300, blank=True)
    description = MarkdownField(
        max_length=20_000, blank=True, help_text="Markdown; HTML is sanitized."
    )
    description_html = RenderedMarkdownField("description")
    start_date = models.DateField(null=True, blank=True, help_text="Empty while the dates are TBA.")
    end_date = models.DateField(null=True, blank=True)
    dates_note = models.CharField(
        max_length=200, blank=True, help_text="When exact dates are not known, e.g. “January 2023”."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    venue_name = models.CharField(max_length=200, blank=True)
    venue_url = models.URLField(blank=True)
    venue_address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=120, blank=True)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    directions_url = models.URLField(max_length=500, blank=True, help_text="“How to get there”.")
    attendance_note = models.CharField(
        max_length=300, blank=True, help_text="For example “in person” or “hybrid”."
    )
    registration_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="For example “Registration is free but mandatory (the capacity is limited).”",
    )
    speakers_note = models.CharField(max_length=300, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Shown with the contact address, or instead of it, e.g. a name pattern.",
    )
    website = models.URLField(blank=True)
    published = models.BooleanField(default=False)
    schedule_status = models.CharField(
        max_length=12, choices=ScheduleStatus.choices, default=ScheduleStatus.HIDDEN
    )
    organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_workshops",
        help_text="Users who manage this workshop in the admin.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = [models.F("start_date").desc(nulls_last=True), "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=False, end_date__gte=models.F("start_date")),
                name="workshop_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.short_title or self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.end_date and not self.start_date:
            raise ValidationError({"start_date": "Give a start date with the end date."})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The workshop cannot end before it starts."})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError("Give both latitude and longitude, or neither.")

    @cached_property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def last_date(self) -> dt.date | None:
        return self.end_date or self.start_date

    def is_past(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate(timezone=self.tz)
        return self.last_date is not None and self.last_date < today

    @property
    def map_url(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        return (
            f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
            f"#map=16/{self.latitude}/{self.longitude}"
        )

    def days(self) -> list[dt.date]:
        if not self.start_date:
            return []
        last = self.end_date or self.start_date
        return [
            self.start_date + dt.timedelta(days=i) for i in range((last - self.start_date).days + 1)
        ]

    def local_datetime(self, day: dt.date, time: dt.time) -> dt.datetime:
        """Return an aware datetime for a wall-clock time on a day in the workshop's zone."""
        return dt.datetime.combine(day, time, tzinfo=self.tz)


class WorkshopChild(models.Model):
    """Something that belongs to exactly one workshop (and so to its organizers)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class KeyDate(WorkshopChild):
    """A date that matters (deadline, notification…), possibly still to be announced."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="key_dates")
    label = models.CharField(max_length=200)
    date = models.DateField(null=True, blank=True, help_text="Empty means “TBA”.")
    end_date = models.DateField(null=True, blank=True, help_text="For a range of days.")
    time = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Empty: the workshop's zone. “AoE” is Anywhere on Earth (UTC−12).",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta(WorkshopChild.Meta):
        pass

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.end_date and not self.date:
            raise ValidationError({"date": "Give the first day of the range."})
        if self.date and self.end_date and self.end_date < self.date:
            raise ValidationError({"end_date": "The range cannot end before it starts."})
        if self.time and not self.date:
            raise ValidationError({"time": "A time needs a date."})

    @property
    def is_tba(self) -> bool:
        return self.date is None

    @property
    def zone_label(self) -> str:
        if not self.time:
            return ""
        if self.time_zone == AOE:
            return "AoE"
        return self.time_zone or self.workshop.time_zone

    @property
    def moment(self) -> dt.datetime | None:
        """Return the aware instant of a dated, timed key date."""
        if not (self.date and self.time):
            return None
        return dt.datetime.combine(
            self.date,
            self.time,
            tzinfo=zoneinfo.ZoneInfo(self.time_zone or self.workshop.time_zone),
        )


class Topic(WorkshopChild):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="topics")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="subtopics"
    )
    name = models.CharField(max_length=200)
    description = MarkdownField(max_length=2_000, blank=True, help_text="Markdown.")
    description_html = RenderedMarkdownField("description")

    class Meta(WorkshopChild.Meta):
        pass

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.workshop_id != self.workshop_id:
            raise ValidationError({"parent": "A subtopic belongs to a topic of the same workshop."})
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": "Topics nest one level deep."})


class TeamMember(WorkshopChild):
    """A member of the organizing team, as shown on the public page (not an admin account)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=120, blank=True, help_text="For example “Chair”.")
    affiliation = models.CharField(max_length=250, blank=True)
    url = models.URLField(blank=True)

    class Meta(WorkshopChild.Meta):
        pass

    def __str__(self) -> str:
        return self.name


class SpeakerProfileQuerySet(models.QuerySet):
    """Who may do what with a speaker profile.

    A profile tied to an account belongs to that person: only they edit it (on their profile
    page). A profile without an account is edited by the organizers of its home workshop, the
    one it was made for. Every other organizer whose workshop lists the speaker sees the public
    part of the profile and may put it on their programme, and that is all: listing a speaker
    grants no right over the profile.
    """

    def editable_by(self, user) -> SpeakerProfileQuerySet:
        if not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        home = Workshop.objects.managed_by(user).values("pk")
        return self.filter(Q(user__isnull=True, home_workshop__in=home) | Q(user=user))

    def visible_to(self, user) -> SpeakerProfileQuerySet:
        """Return the profiles this user's admin lists: the editable ones and the speakers of
        their workshops (read-only)."""
        if not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        managed = Workshop.objects.managed_by(user).values("pk")
        appearing = SpeakerAppearance.objects.filter(workshop__in=managed).values("speaker")
        on_items = ScheduleItem.speakers.through.objects.filter(
            scheduleitem__workshop__in=managed
        ).values("speakerprofile")
        return self.filter(
            Q(pk__in=self.editable_by(user).values("pk")) | Q(pk__in=appearing) | Q(pk__in=on_items)
        )

    def public(self) -> SpeakerProfileQuerySet:
        """Return speakers confirmed at a published workshop (their names are public)."""
        shown = SpeakerAppearance.objects.filter(confirmed=True, workshop__published=True)
        return self.filter(pk__in=shown.values("speaker"))

    def selectable_by(self, user) -> SpeakerProfileQuerySet:
        """Return the profiles an organizer may pick for a slot: their own and public ones."""
        if user.is_active and user.is_superuser:
            return self.all()
        return self.visible_to(user) | self.public()


def speaker_photo_path(instance: SpeakerProfile, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    if suffix not in ("jpg", "jpeg", "png", "webp"):
        suffix = "img"  # never .html or .svg: media is served by its suffix (config/urls.py)
    return (
        f"speakers/{timezone.now():%Y/%m}/{instance.pk or 'new'}-{timezone.now():%H%M%S%f}.{suffix}"
    )


class SpeakerProfile(models.Model):
    """A person who speaks at workshops; optionally tied to an account they edit themselves."""

    name = models.CharField(max_length=200)
    affiliation = models.CharField(max_length=250, blank=True)
    homepage = models.URLField(blank=True)
    orcid = models.CharField(
        "ORCID iD",
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text="For example 0000-0002-1825-0097.",
    )
    bio = MarkdownField(max_length=5_000, blank=True, help_text="Markdown.")
    bio_html = RenderedMarkdownField("bio")
    photo = models.ImageField(upload_to=speaker_photo_path, blank=True)
    email = EmailAddressField(blank=True, help_text="Never shown publicly.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speaker_profile",
        help_text="The person's own account: only they edit a profile tied to it.",
    )
    home_workshop = models.ForeignKey(
        Workshop,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="own_speaker_profiles",
        verbose_name="managed by",
        help_text="The workshop whose organizers edit this profile while no account owns it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = SpeakerProfileQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.affiliation})" if self.affiliation else self.name


class SpeakerAppearance(WorkshopChild):
    """A speaker's role at one workshop."""

    class Role(models.TextChoices):
        KEYNOTE = "keynote", "Keynote speaker"
        INVITED = "invited", "Invited speaker"
        CONTRIBUTED = "contributed", "Contributed speaker"
        LECTURER = "lecturer", "Lecturer"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="appearances")
    speaker = models.ForeignKey(
        SpeakerProfile, on_delete=models.CASCADE, related_name="appearances"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INVITED)
    confirmed = models.BooleanField(default=False, help_text="Only confirmed speakers are public.")

    class Meta(WorkshopChild.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "speaker"], name="one_appearance_per_workshop"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker.name} at {self.workshop}"


class Room(WorkshopChild):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=150)
    capacity = models.PositiveIntegerField(null=True, blank=True)

    class Meta(WorkshopChild.Meta):
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
    start = models.DateTimeField(null=True, blank=True, help_text="Empty: not placed yet.")
    end = models.DateTimeField(null=True, blank=True)
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
        ordering = [models.F("start").asc(nulls_last=True), "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, end__gt=models.F("start")),
                name="schedule_item_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def clean(self) -> None:
        if (self.start is None) != (self.end is None):
            raise ValidationError("Give both a start and an end, or neither.")
        if self.start and self.end and self.end <= self.start:
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
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(fields=["workshop", "version"], name="unique_release_version"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop} {self.version}"


class OutgoingMailQuerySet(models.QuerySet):
    def managed_by(self, user) -> OutgoingMailQuerySet:
        if not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(workshop__organizers=user)


class OutgoingMail(models.Model):
    """One email, written in the transaction that promised it; delivered by Celery."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Identifies the logical message, e.g. “confirmed:42”.",
    )
    workshop = models.ForeignKey(
        Workshop, null=True, blank=True, on_delete=models.SET_NULL, related_name="mails"
    )
    template = models.CharField(max_length=120)
    from_email = models.CharField(max_length=254)
    to = models.EmailField(max_length=254)
    reply_to = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    qr_payload = models.CharField(
        max_length=200, blank=True, help_text="Sent as an inline QR code image (cid:checkin-qr)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing mail"
        verbose_name_plural = "outbox"
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="outbox_pending_idx",
                condition=Q(status__in=["queued", "sending"]),
            ),
            # Recent mail of one kind (co-author notices per account and per address).
            models.Index(fields=["template", "created_at"], name="outbox_template_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
