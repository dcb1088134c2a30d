"""Decisions, decision mail (once per submission) and the authors' confirmation."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import emails as accounts_emails, services as accounts_services
from schedule.models import ScheduleItem
from submissions import emails
from submissions.models import Submission
from submissions.services.errors import NotAllowed
from workshops.models import SpeakerAppearance, SpeakerProfile

__all__ = [
    "confirm_participation",
    "decide_submission",
    "decline_participation",
    "notify_authors",
]

# The slot an accepted submission becomes once confirmed; posters share a poster session.
ITEM_KIND = {"talk": ScheduleItem.Kind.TALK, "spotlight": ScheduleItem.Kind.SPOTLIGHT}


@transaction.atomic
def decide_submission(*, submission: Submission, decision: str, now=None) -> Submission:
    """Record accept-as-type or reject; final once the authors have been told."""
    if decision not in Submission.Decision.values or decision == "":
        raise NotAllowed(f"“{decision}” is not a decision.")
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.SUBMITTED:
        raise NotAllowed(f"“{submission.title}” is not submitted ({submission.status}).")
    if submission.notified_at is not None:
        raise NotAllowed(f"The authors of “{submission.title}” already know the decision.")
    submission.decision = decision
    submission.decided_at = now or timezone.now()
    submission.save(update_fields=["decision", "decided_at", "updated_at"])
    return submission


# Submissions claimed per transaction: one commit, one outbox insert and one broker message
# per MAIL_BATCH for all of them, while each lock is held for a fraction of a second.
NOTIFY_CHUNK = 100


def notify_authors(*, submissions: QuerySet[Submission], now=None) -> int:
    """Queue one decision mail per decided submission not yet notified; return how many.

    Each submission is claimed under its row lock and marked notified in the same transaction
    as its outbox row, so a second call (or a concurrent one) sends nothing new.
    """
    now = now or timezone.now()
    ids = list(
        submissions.awaiting_notification()
        .filter(status=Submission.Status.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for start in range(0, len(ids), NOTIFY_CHUNK):
        with transaction.atomic():
            claimed = list(
                Submission.objects.select_for_update(of=("self",))
                .select_related("workshop", "type", "submitter")
                .filter(
                    pk__in=ids[start : start + NOTIFY_CHUNK],
                    notified_at__isnull=True,
                    status=Submission.Status.SUBMITTED,
                )
                .exclude(decision="")
                .order_by("pk")
            )
            if not claimed:
                continue
            Submission.objects.filter(pk__in=[s.pk for s in claimed]).update(
                notified_at=now, updated_at=now
            )
            emails.queue_decision_mails(claimed)
            sent += len(claimed)
    return sent


def _speaker_for(author, submission: Submission) -> SpeakerProfile:
    """Return the presenter's profile at this workshop, made from the author row if need be.

    The submitter presenting is their own account's profile. For anyone else, never the
    profile of an account found by the address the submitter typed (a submitter can name
    anyone as presenter): the profile made here belongs to the workshop, and the person ties
    it to their account themselves, through the link mailed to that address
    (accounts.emails.queue_claim_mail).
    """
    workshop = submission.workshop
    if author.email == submission.submitter.email:
        return accounts_services.profile_of(
            submission.submitter, name=author.name, affiliation=author.affiliation
        )
    profile = (
        SpeakerProfile.objects.filter(email=author.email, appearances__workshop=workshop).first()
        or SpeakerProfile.objects.filter(
            email=author.email, user__isnull=True, home_workshop=workshop
        ).first()
    )
    if profile is None:
        profile = SpeakerProfile.objects.create(
            name=author.name,
            affiliation=author.affiliation,
            email=author.email,
            home_workshop=workshop,
        )
    accounts_emails.queue_claim_mail(profile, workshop=workshop)
    return profile


@transaction.atomic
def confirm_participation(*, submission: Submission, now=None) -> Submission:
    """The authors confirm: presenters become confirmed speakers; talks get an unplaced slot."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.is_accepted or submission.notified_at is None:
        raise NotAllowed("Only accepted submissions whose authors were told can be confirmed.")
    if submission.confirmation == Submission.Confirmation.DECLINED:
        raise NotAllowed("You declined this presentation; contact the organizers to undo it.")
    if submission.confirmation == Submission.Confirmation.CONFIRMED:
        return submission
    presenters = [a for a in submission.authors.all() if a.is_presenter]
    speakers = [_speaker_for(author, submission) for author in presenters]
    for speaker in speakers:
        appearance, _ = SpeakerAppearance.objects.get_or_create(
            workshop=submission.workshop,
            speaker=speaker,
            defaults={"role": SpeakerAppearance.Role.CONTRIBUTED},
        )
        if not appearance.confirmed:
            appearance.confirmed = True
            appearance.save(update_fields=["confirmed"])
    if submission.decision in ITEM_KIND and submission.schedule_item_id is None:
        item = ScheduleItem.objects.create(
            workshop=submission.workshop,
            kind=ITEM_KIND[submission.decision],
            title=submission.title,
            abstract=submission.abstract,
            duration=None,
        )
        item.speakers.set(speakers)
        submission.schedule_item = item
    submission.confirmation = Submission.Confirmation.CONFIRMED
    submission.confirmed_at = now or timezone.now()
    submission.save(update_fields=["confirmation", "confirmed_at", "schedule_item", "updated_at"])
    return submission


@transaction.atomic
def decline_participation(*, submission: Submission, now=None) -> Submission:
    """The authors cannot come: recorded for the organizers; no slot is drafted."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.is_accepted or submission.notified_at is None:
        raise NotAllowed("Only accepted submissions whose authors were told can be declined.")
    if submission.confirmation == Submission.Confirmation.CONFIRMED:
        raise NotAllowed("You confirmed this presentation; contact the organizers to cancel.")
    submission.confirmation = Submission.Confirmation.DECLINED
    submission.confirmed_at = now or timezone.now()
    submission.save(update_fields=["confirmation", "confirmed_at", "updated_at"])
    return submission
