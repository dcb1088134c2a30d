"""A workshop (and its series), and what belongs to it alone: key dates, topics, team."""

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

from workshops.markdown import MarkdownField, RenderedMarkdownField
from workshops.timezones import AOE


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
    def address_parts(self) -> list[str]:
        """The venue's address, city and country that are given, in that order."""
        return [part for part in (self.venue_address, self.city, self.country) if part]

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

    def local_span(
        self, day: dt.date, start: dt.time, end: dt.time | None
    ) -> tuple[dt.datetime, dt.datetime | None]:
        """Return the start and end of a slot written as a day and wall-clock times: an end of
        00:00 is the midnight that ends the day; no end stays none (open-ended)."""
        if end is None:
            return self.local_datetime(day, start), None
        end_day = day + dt.timedelta(days=1) if end == dt.time(0) else day
        return self.local_datetime(day, start), self.local_datetime(end_day, end)


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
