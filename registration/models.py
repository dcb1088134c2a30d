"""Attendee registration: per-workshop settings, questions, registrations, mail texts."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from config.addresses import EmailAddressField
from registration.mailtexts import check_placeholders
from registration.tokens import address_confirmation_token, manage_link_token
from workshops.models import Workshop

CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud


def new_checkin_code() -> str:
    return "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(10))


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class RegistrationSettings(models.Model):
    """How a workshop takes registrations: window, seats, waiting list, questions asked."""

    class Ask(models.TextChoices):
        OFF = "off", "Not asked"
        OPTIONAL = "optional", "Optional"
        REQUIRED = "required", "Required"

    workshop = models.OneToOneField(
        Workshop, on_delete=models.CASCADE, related_name="registration_settings"
    )
    opens_at = models.DateTimeField(
        null=True, blank=True, help_text="In the workshop's time zone. Empty: not open yet."
    )
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text="In the workshop's time zone. Empty: until the workshop."
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    waitlist_enabled = models.BooleanField(
        "waiting list", default=True, help_text="When full, offer a waiting list that moves up."
    )
    requires_approval = models.BooleanField(
        default=False, help_text="An organizer approves each registration before it is confirmed."
    )
    show_remaining_seats = models.BooleanField(default=False)
    ask_affiliation = models.CharField(max_length=10, choices=Ask.choices, default=Ask.REQUIRED)
    ask_career_stage = models.CharField(max_length=10, choices=Ask.choices, default=Ask.OPTIONAL)
    ask_dietary = models.CharField(max_length=10, choices=Ask.choices, default=Ask.OPTIONAL)
    ask_list_consent = models.BooleanField(
        "ask consent to appear in the participant list", default=True
    )
    participant_list_public = models.BooleanField(
        default=False, help_text="Publish the list of participants who consented."
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        null=True, blank=True, default=3, help_text="Empty: no reminder."
    )
    confirm_address_hours = models.PositiveSmallIntegerField(
        "hold seats until the address is confirmed",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=(
            "Hours a new registration has to confirm its address by the link in its first "
            "mail. Until then its seat (or place in line) is held; after that it lapses, the "
            "seat returns to the pool and the waiting list moves. Empty: no confirmation."
        ),
    )
    # Kept by the services under this row's lock (registration/seats.py), so that a sign-up
    # reads its seat count with the lock instead of counting registrations while holding it.
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    waitlisted_count = models.PositiveIntegerField(default=0, editable=False)

    COUNTS = ("confirmed_count", "waitlisted_count")

    class Meta:
        verbose_name = "registration settings"
        verbose_name_plural = "registration settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="registration_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"Registration for {self.workshop}"

    def save(self, *args, **kwargs) -> None:
        # A form or the admin saves a copy read before the latest sign-ups: writing its counts
        # back would undo them. Only the services write the counts, naming them.
        full_update = not (self._state.adding or kwargs.get("force_insert") or args)
        if full_update and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.COUNTS
            ]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "Registration must close after it opens."})

    def window_state(self, now=None) -> str:
        """Return "not_open", "open" or "closed" for the given instant."""
        now = now or timezone.now()
        if self.opens_at is None or now < self.opens_at:
            return "not_open"
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        return "open"


class Question(models.Model):
    """An organizer's own question on the registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        CHOICE = "choice", "One choice"
        CHECKBOX = "checkbox", "Checkbox (yes/no)"

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="registration_questions"
    )
    label = models.CharField(max_length=250)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(blank=True, help_text="For “one choice”: one option per line.")
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=250, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.kind == self.Kind.CHOICE and len(self.options) < 2:
            raise ValidationError({"choices": "Give at least two options, one per line."})

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def field_name(self) -> str:
        return f"q_{self.pk}"


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status__in=Registration.INACTIVE)

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.CONFIRMED)

    def waitlisted(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.WAITLISTED).order_by("queued_at", "pk")

    def with_email(self, email: str) -> RegistrationQuerySet:
        return self.filter(email=email)  # the stored form (config/addresses.py)

    def managed_by(self, user) -> RegistrationQuerySet:
        return self.filter(workshop__in=Workshop.objects.managed_by(user))


class Registration(models.Model):
    """One person's registration to one workshop."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting approval"
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"
        REJECTED = "rejected", "Not approved"

    class CareerStage(models.TextChoices):
        UNDERGRADUATE = "undergraduate", "Undergraduate student"
        MASTERS = "masters", "Master's student"
        PHD = "phd", "PhD student"
        POSTDOC = "postdoc", "Postdoctoral researcher"
        FACULTY = "faculty", "Faculty / permanent researcher"
        INDUSTRY = "industry", "Industry"
        OTHER = "other", "Other"

    INACTIVE = ("cancelled", "rejected")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="registrations")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = EmailAddressField(max_length=254)
    affiliation = models.CharField(max_length=250, blank=True)
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices, blank=True)
    dietary_needs = models.CharField(max_length=250, blank=True)
    list_consent = models.BooleanField(
        "appear in the participant list", default=False, help_text="Name and affiliation only."
    )
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # Arrival on the waiting list: promotion goes strictly in this order.
    queued_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checkin_code = models.CharField(max_length=16, unique=True, default=new_checkin_code)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Set while the address awaits confirmation (RegistrationSettings.confirm_address_hours).
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    address_confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "workshop",
                condition=~Q(status__in=["cancelled", "rejected"]),
                name="one_active_registration_per_email",
            ),
        ]
        indexes = [
            models.Index(fields=["workshop", "status", "queued_at"], name="registration_queue_idx"),
            models.Index(
                fields=["hold_expires_at"],
                name="registration_hold_idx",
                condition=Q(hold_expires_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_absolute_url(self) -> str:
        return reverse(
            "registration:manage",
            kwargs={"pk": self.pk, "token": manage_link_token.make_token(self)},
        )

    def get_confirmation_url(self) -> str:
        """The link of the mail that asks to confirm the address (see ``hold_expires_at``)."""
        return reverse(
            "registration:confirm_address",
            kwargs={"pk": self.pk, "token": address_confirmation_token.make_token(self)},
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_active(self) -> bool:
        return self.status not in self.INACTIVE

    @property
    def awaits_address_confirmation(self) -> bool:
        return self.is_active and self.hold_expires_at is not None


class MailText(models.Model):
    """A workshop's own wording of one registration mail; the built-in text otherwise."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        PROMOTED = "promoted", "Promoted from the waiting list"
        PENDING = "pending", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not approved"
        CANCELLED = "cancelled", "Cancelled"
        REMINDER = "reminder", "Reminder"
        LINK = "link", "Your registration link"
        VERIFY = "verify", "Confirm your address"
        LAPSED = "lapsed", "Lapsed (address not confirmed)"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="mail_texts")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    subject = models.CharField(max_length=250)
    body = models.TextField(
        max_length=20_000,  # as an organizer's message to attendees; the admin form checks it
        help_text=(
            "Placeholders: {first_name}, {last_name}, {workshop}, {dates}, {venue}, "
            "{manage_url}, {status}, {position}, {checkin_code}."
        ),
    )

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "kind"], name="one_mail_text_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.workshop})"

    def clean(self) -> None:
        errors = {}
        for name in ("subject", "body"):
            try:
                check_placeholders(getattr(self, name))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
