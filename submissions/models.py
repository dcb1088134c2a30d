"""Call for abstracts: settings, submissions and authors, the committee, reviews, decisions."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from config.addresses import EmailAddressField
from config.storage import private_storage
from schedule.models import ScheduleItem
from workshops.markdown import MarkdownField, RenderedMarkdownField
from workshops.models import Topic, Workshop, validate_time_zone
from workshops.timezones import AOE, zone_label


class CallForAbstracts(models.Model):
    """When and how a workshop takes abstracts, and how they are reviewed."""

    class PdfUpload(models.TextChoices):
        OFF = "off", "No PDF"
        OPTIONAL = "optional", "Optional"
        REQUIRED = "required", "Required"

    workshop = models.OneToOneField(Workshop, on_delete=models.CASCADE, related_name="cfa")
    opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: not open yet.")
    deadline = models.DateTimeField(help_text="Entered in the deadline's zone below.")
    deadline_zone = models.CharField(
        max_length=64,
        default=AOE,
        validators=[validate_time_zone],
        help_text="The zone the deadline is announced in; AoE is Anywhere on Earth (UTC−12).",
    )
    notification_date = models.DateField(null=True, blank=True)
    word_limit = models.PositiveIntegerField(
        default=300, validators=[MinValueValidator(10), MaxValueValidator(5000)]
    )
    pdf_upload = models.CharField(max_length=10, choices=PdfUpload.choices, default=PdfUpload.OFF)
    pdf_max_mb = models.PositiveSmallIntegerField(
        "maximum PDF size (MB)", default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    blind_review = models.BooleanField(
        default=False, help_text="Reviewers never see author names, affiliations or PDF metadata."
    )
    multiple_submissions = models.BooleanField("several submissions per person", default=True)
    reviewers_per_submission = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    review_deadline = models.DateField(
        "reviews due",
        null=True,
        blank=True,
        help_text="The last day for reviews, told to the committee (their pages, their mails).",
    )

    class Meta:
        verbose_name = "call for abstracts"
        verbose_name_plural = "calls for abstracts"

    def __str__(self) -> str:
        return f"Call for abstracts: {self.workshop}"

    def clean(self) -> None:
        if self.opens_at and self.deadline and self.deadline <= self.opens_at:
            raise ValidationError({"deadline": "The deadline must come after the opening."})

    @property
    def deadline_zone_label(self) -> str:
        return zone_label(self.deadline_zone)

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at is not None and self.opens_at <= now < self.deadline

    def is_past_deadline(self, now=None) -> bool:
        return (now or timezone.now()) >= self.deadline


class SubmissionType(models.Model):
    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="submission_types"
    )
    name = models.CharField(max_length=80)
    order = models.PositiveIntegerField(default=0)

    DEFAULTS = ("Talk", "Poster", "Spotlight", "Lightning talk")

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "name"], name="unique_submission_type"),
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionQuerySet(models.QuerySet):
    def of(self, user) -> SubmissionQuerySet:
        """Return the submissions this user submitted (their own, nobody else's)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(submitter=user)

    def managed_by(self, user) -> SubmissionQuerySet:
        return self.filter(workshop__in=Workshop.objects.managed_by(user))

    def awaiting_notification(self) -> SubmissionQuerySet:
        return self.filter(notified_at__isnull=True).exclude(decision="")


def submission_pdf_path(instance: Submission, filename: str) -> str:
    # The name is ours, not the uploader's: nothing they type reaches the file system.
    return f"submissions/{instance.workshop_id}/{secrets.token_hex(16)}.pdf"


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Decision(models.TextChoices):
        NONE = "", "Undecided"
        TALK = "talk", "Accepted as talk"
        POSTER = "poster", "Accepted as poster"
        SPOTLIGHT = "spotlight", "Accepted as spotlight"
        REJECT = "reject", "Rejected"

    class Confirmation(models.TextChoices):
        NONE = "", "Not answered"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"

    ACCEPTED = ("talk", "poster", "spotlight")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="submissions")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    title = models.CharField(max_length=250)
    abstract = MarkdownField(max_length=60_000, help_text="Markdown.")
    abstract_html = RenderedMarkdownField("abstract")
    type = models.ForeignKey(SubmissionType, on_delete=models.PROTECT, related_name="submissions")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    pdf = models.FileField(upload_to=submission_pdf_path, storage=private_storage, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    confirmation = models.CharField(
        max_length=10, choices=Confirmation.choices, blank=True, default=""
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    schedule_item = models.OneToOneField(
        ScheduleItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submission",
        help_text="The slot a confirmed talk became.",
    )
    secret = models.CharField(max_length=64, default=secrets.token_urlsafe, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workshop", "status"], name="submission_status_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("submissions:detail", kwargs={"pk": self.pk})

    @property
    def is_accepted(self) -> bool:
        return self.decision in self.ACCEPTED


class Author(models.Model):
    """One author of a submission, in the order they are listed."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="authors")
    order = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    email = EmailAddressField()
    affiliation = models.CharField(max_length=250, blank=True)
    is_presenter = models.BooleanField("presenter", default=False)
    wants_mail = models.BooleanField(
        "mail the decision", default=True, help_text="Send this author the decision by mail."
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    """A program-committee member of one workshop."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="committee")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_seats"
    )
    affiliation = models.CharField(max_length=250, blank=True, help_text="Used for conflicts.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    min_load = models.PositiveSmallIntegerField(default=0)
    max_load = models.PositiveSmallIntegerField(default=10)

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], name="one_seat_per_workshop"),
            models.CheckConstraint(
                condition=Q(min_load__lte=models.F("max_load")), name="committee_load_bounds"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class ReviewAssignment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        CommitteeMember, on_delete=models.CASCADE, related_name="assignments"
    )
    conflict_override = models.TextField(
        blank=True, help_text="Why this reviewer may review despite a conflict of interest."
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the reviewer was mailed about it."
    )

    class Meta:
        ordering = ["submission", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "reviewer"], name="one_assignment"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews {self.submission}"


class Review(models.Model):
    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="review"
    )
    score = models.SmallIntegerField(
        validators=[MinValueValidator(-3), MaxValueValidator(3)],
        help_text="−3 strong reject … +3 strong accept.",
    )
    confidence = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 low … 5 expert."
    )
    comments_to_authors = models.TextField(blank=True)
    confidential_comments = models.TextField("confidential comments to the committee", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Review of {self.assignment.submission}"


class DecisionMailText(models.Model):
    """A workshop's wording of a decision mail, by decision and (optionally) type."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="decision_texts")
    decision = models.CharField(max_length=10, choices=Submission.Decision.choices[1:])
    type = models.ForeignKey(
        SubmissionType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Empty: any submission type.",
    )
    subject = models.CharField(max_length=250)
    body = models.TextField(
        max_length=20_000,  # as an organizer's message to attendees; the admin form checks it
        help_text="Placeholders: {first_name}, {name}, {title}, {workshop}, {decision}, "
        "{type}, {confirm_url}, {reviews}.",
    )

    class Meta:
        ordering = ["decision", "type"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "decision", "type"], name="one_decision_text"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.type or 'any type'})"
