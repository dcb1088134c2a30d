"""Speakers: profiles that outlive a workshop, and their appearances at one."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from config.addresses import EmailAddressField
from workshops.markdown import MarkdownField, RenderedMarkdownField
from workshops.models.workshop import Workshop, WorkshopChild
from workshops.validators import validate_orcid


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
        # Speakers of their schedule's items, through the relation the schedule app adds.
        on_items = SpeakerProfile.objects.filter(schedule_items__workshop__in=managed).values("pk")
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


def folded(text: str) -> str:
    """``text`` as people compare names: one space between words, no case, no accents."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def surname_key(name: str) -> tuple[str, str]:
    """Sort people by surname (the name's last word), then by the whole name, ignoring case
    and accents: “Élodie Zhou” after “Ada Lovelace”, “Jérémy Cohen” before both."""
    words = name.split()
    return folded(words[-1] if words else ""), folded(name)


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


class SpeakerAvailability(models.Model):
    """When a speaker said they can be at the workshop: a day, and optionally from and until
    when on it, on the workshop's clock. A speaker who stated none is taken to be free
    throughout; one who stated some is free only then (the schedule's conflicts say so)."""

    appearance = models.ForeignKey(
        SpeakerAppearance, on_delete=models.CASCADE, related_name="availabilities"
    )
    day = models.DateField()
    start = models.TimeField(
        "from", null=True, blank=True, help_text="Empty: from the day's start."
    )
    end = models.TimeField("until", null=True, blank=True, help_text="Empty: to the day's end.")

    class Meta:
        ordering = ["day", "start", "pk"]
        verbose_name_plural = "availabilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(end__isnull=True)
                | Q(end__gt=models.F("start")),
                name="availability_ends_after_it_starts",
                violation_error_message="Available until a time after the one it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": "Give a time after the “from” time."})

    def span(self, workshop: Workshop):
        """The window as aware datetimes: from its start (or midnight) until its end (or the
        midnight that ends the day)."""
        return workshop.local_span(self.day, self.start or dt.time(0), self.end or dt.time(0))

    @property
    def text(self) -> str:
        """“Mon 4 March, 09:00–13:00”, “Mon 4 March, from 14:00”, “Mon 4 March, all day”."""
        day = date_format(self.day, "D j F")
        if self.start and self.end:
            return f"{day}, {self.start:%H:%M}–{self.end:%H:%M}"
        if self.start:
            return f"{day}, from {self.start:%H:%M}"
        if self.end:
            return f"{day}, until {self.end:%H:%M}"
        return f"{day}, all day"
