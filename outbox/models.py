"""The outbox's one model: a mail, written in the transaction that promised it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


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
    # By name: the outbox sits below the workshops app and imports nothing of it.
    workshop = models.ForeignKey(
        "workshops.Workshop", null=True, blank=True, on_delete=models.SET_NULL, related_name="mails"
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
        db_table = "workshops_outgoingmail"  # the table it had before the outbox had its app
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
