"""Which submission mail, to whom, with which text; queued in the outbox."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence

from config.site_url import absolute
from outbox.mail import Mail, RenderedMail, fill_placeholders as fill, queue_mail, queue_mails
from outbox.models import OutgoingMail
from submissions.models import Author, DecisionMailText, Review, Submission
from submissions.tokens import confirmation_token, invitation_token

DEFAULT_DECISION_TEXTS = {
    "accept": (
        "Your submission to {workshop} is accepted",
        "Dear {first_name},\n\n"
        "we are happy to tell you that “{title}” is {decision} at {workshop}.\n\n"
        "Please confirm that you will present it (or tell us that you cannot):\n"
        "{confirm_url}\n\n{reviews}",
    ),
    "reject": (
        "Your submission to {workshop}",
        "Dear {first_name},\n\n"
        "thank you for submitting “{title}” to {workshop}. We are sorry that we could not "
        "accept it this time.\n\n{reviews}",
    ),
}


def confirm_url(submission: Submission) -> str:
    return absolute(confirmation_url_path(submission))


def confirmation_url_path(submission: Submission) -> str:
    from django.urls import reverse

    return reverse(
        "submissions:confirm",
        kwargs={"pk": submission.pk, "token": confirmation_token.make_token(submission)},
    )


TextKey = tuple[int, str, int | None]  # (workshop, decision, type or None for any type)


def decision_texts(submissions: Sequence[Submission]) -> dict[TextKey, tuple[str, str]]:
    """Return the workshops' own wordings for these submissions, in one query."""
    rows = DecisionMailText.objects.filter(workshop_id__in={s.workshop_id for s in submissions})
    return {(t.workshop_id, t.decision, t.type_id): (t.subject, t.body) for t in rows}


def decision_text(
    submission: Submission, texts: Mapping[TextKey, tuple[str, str]] | None = None
) -> tuple[str, str]:
    """Return (subject, body): by decision and type, else by decision, else built in."""
    if texts is None:
        texts = decision_texts([submission])
    workshop, decision = submission.workshop_id, submission.decision
    own = texts.get((workshop, decision, submission.type_id)) or texts.get(
        (workshop, decision, None)
    )
    return own or DEFAULT_DECISION_TEXTS["accept" if submission.is_accepted else "reject"]


def comments_for_authors(submissions: Sequence[Submission]) -> dict[int, list[str]]:
    """Return each submission's comments to the authors, by reviewer, in one query."""
    rows = (
        Review.objects.filter(assignment__submission__in=[s.pk for s in submissions])
        .order_by("assignment__reviewer__user__email", "assignment__pk")
        .values_list("assignment__submission_id", "comments_to_authors")
    )
    comments = defaultdict(list)
    for submission_id, text in rows:
        if text.strip():
            comments[submission_id].append(text.strip())
    return comments


def reviews_for_authors(submission: Submission, comments: list[str] | None = None) -> str:
    if comments is None:
        comments = comments_for_authors([submission]).get(submission.pk, [])
    if not comments:
        return ""
    parts = [f"Review {i}:\n{text}" for i, text in enumerate(comments, 1)]
    return "Comments from the reviewers:\n\n" + "\n\n".join(parts) + "\n"


def decision_recipients(submissions: Sequence[Submission]) -> dict[int, list[tuple[str, str]]]:
    """Each submission's (address, name) to tell, in one query: the submitter first (by the
    name on their account, else as the first author, else the address), then every other
    author who asked for the decision by mail."""
    authors = defaultdict(list)
    for author in Author.objects.filter(submission__in=[s.pk for s in submissions]).order_by(
        "submission_id", "order", "pk"
    ):
        authors[author.submission_id].append(author)
    recipients = {}
    for submission in submissions:
        own = authors[submission.pk]
        submitter = submission.submitter
        name = submitter.full_name or next(
            (a.name for a in own if a.email == submitter.email), own[0].name if own else ""
        )
        rows = [(submitter.email, name or submitter.email)]
        for author in own:
            if author.wants_mail and author.email not in {email for email, _ in rows}:
                rows.append((author.email, author.name))
        recipients[submission.pk] = rows
    return recipients


def _render_decision(submission, name: str, texts, comments, *, submitter="") -> RenderedMail:
    """The decision mail to ``name``; for a co-author (``submitter`` named) the confirm link,
    which can decline the talk, stays with the submitter."""
    subject, body = decision_text(submission, texts)
    values = {
        "first_name": name.split(" ")[0],
        "name": name,
        "title": submission.title,
        "workshop": submission.workshop.title,
        "decision": submission.get_decision_display().lower(),
        "type": submission.type.name,
        "confirm_url": (
            ""
            if not submission.is_accepted
            else f"(the link to confirm went to {submitter}, who submitted it)"
            if submitter
            else confirm_url(submission)
        ),
        "reviews": reviews_for_authors(submission, comments.get(submission.pk, [])),
    }
    return RenderedMail(subject=fill(subject, values), text=fill(body, values), html="")


def _decision_mails(submissions: Sequence[Submission]):
    """Yield (submission, address, key, rendered mail) for every author to tell, each
    submission's submitter first."""
    texts = decision_texts(submissions)
    comments = comments_for_authors(submissions)
    recipients = decision_recipients(submissions)
    for submission in submissions:
        rows = recipients[submission.pk]
        for i, (email, name) in enumerate(rows):
            # The submitter's key is the one every earlier decision mail had.
            key = f"decision:{submission.pk}"
            submitter = ""
            if i:
                key, submitter = address_key(key, email), rows[0][1]
            mail = _render_decision(submission, name, texts, comments, submitter=submitter)
            yield submission, email, key, mail


def render_decision_mails(submissions: Sequence[Submission]) -> list[RenderedMail]:
    """The submitters' decision mails exactly as they will go out (the organizer's preview;
    co-authors get the same, addressed to them).

    Three queries whatever their number; load the submissions with their workshop, type and
    submitter.
    """
    submitters = {s.pk: s.submitter.email for s in submissions}
    return [
        mail
        for submission, email, _, mail in _decision_mails(submissions)
        if email == submitters[submission.pk]
    ]


def render_decision_mail(submission: Submission) -> RenderedMail:
    return render_decision_mails([submission])[0]


def queue_decision_mails(submissions: Sequence[Submission]) -> list[OutgoingMail]:
    """Queue the decision mail of each submission to its submitter and to every author who
    asked for it (once per submission and address, whatever happens)."""
    return queue_mails(
        [
            Mail(
                key=key,
                to=email,
                template="submissions/emails/message",
                context={
                    "subject": mail.subject,
                    "body": mail.text,
                    "workshop": submission.workshop,
                },
                workshop=submission.workshop,
            )
            for submission, email, key, mail in _decision_mails(submissions)
        ]
    )


def queue_decision_mail(submission: Submission) -> OutgoingMail:
    return queue_decision_mails([submission])[0]


RECEIPT_TEMPLATE = "submissions/emails/receipt"


def queue_receipt(submission: Submission, *, deadline: str) -> None:
    """The submitter's receipt, with the abstract as submitted; once per submission."""
    queue_mail(
        key=f"receipt:{submission.pk}",
        to=submission.submitter.email,
        template=RECEIPT_TEMPLATE,
        context={
            "submission": submission,
            "authors": list(submission.authors.all()),
            "workshop": submission.workshop,
            "deadline": deadline,
            "notification_date": getattr(submission.workshop.cfa, "notification_date", None),
        },
        workshop=submission.workshop,
    )


COAUTHOR_TEMPLATE = "submissions/emails/coauthor"


KEY_LENGTH = OutgoingMail._meta.get_field("key").max_length


def address_key(prefix: str, email: str) -> str:
    """``prefix:email``, or the address hashed when that is longer than an outbox key may be
    (an address may have 254 characters): one key per address either way."""
    key = f"{prefix}:{email}"
    if len(key) <= KEY_LENGTH:
        return key
    return f"{prefix}:#{hashlib.sha256(email.encode()).hexdigest()[:40]}"


def coauthor_key(submission: Submission, email: str) -> str:
    # The submitter's id first: the notices one account sent share a prefix.
    return address_key(f"coauthor:{submission.submitter_id}:{submission.pk}", email)


def coauthor_notice_exists(submission: Submission, email: str) -> bool:
    return OutgoingMail.objects.filter(key=coauthor_key(submission, email)).exists()


def coauthor_notices_since(submitter, since) -> int:
    """Return how many co-author notices this account's submissions sent since then."""
    return OutgoingMail.objects.filter(
        template=COAUTHOR_TEMPLATE,
        created_at__gte=since,
        key__startswith=f"coauthor:{submitter.pk}:",
    ).count()


def address_noticed_since(email: str, since) -> bool:
    return OutgoingMail.objects.filter(
        template=COAUTHOR_TEMPLATE, created_at__gte=since, to=email
    ).exists()


def queue_coauthor_mail(submission: Submission, author) -> None:
    queue_mail(
        key=coauthor_key(submission, author.email),
        to=author.email,
        template=COAUTHOR_TEMPLATE,
        context={"submission": submission, "author": author, "workshop": submission.workshop},
        workshop=submission.workshop,
    )


def queue_blind_pdf_alert(submission: Submission, *, problem: str) -> None:
    """Tell the workshop's organizers that a PDF cannot be shown to blind reviewers; once per
    submission and file."""
    workshop = submission.workshop
    for organizer in workshop.organizers.filter(is_active=True):
        queue_mail(
            key=f"blind-pdf:{submission.pk}:{submission.pdf.name}:{organizer.pk}",
            to=organizer.email,
            template="submissions/emails/blind_pdf",
            context={"submission": submission, "workshop": workshop, "problem": problem},
            workshop=workshop,
        )


# The committee's mails: the papers a reviewer was given, and a reminder of those left.

REVIEWS_ASSIGNED_TEMPLATE = "submissions/emails/reviews_assigned"
REVIEWS_LEFT_TEMPLATE = "submissions/emails/reviews_left"


INVITATION_TEMPLATE = "submissions/emails/committee_invitation"


def invitation_url(member) -> str:
    """The seat's signed link: it sets a password for an account without one, else leads to
    the login; either way on to the reviews."""
    from django.urls import reverse

    token = invitation_token.make_token(member)
    return absolute(reverse("reviews:invitation", kwargs={"pk": member.pk, "token": token}))


def _committee_mail(key: str, template: str, member, cfa, **more) -> Mail:
    """A mail to a committee member about ``member.workshop``; a person without a password
    gets their invitation link in it as well."""
    user = member.user
    has_password = user.has_usable_password()
    workshop = member.workshop
    return Mail(
        key=key,
        to=user.email,
        template=template,
        context={
            "member": member,
            "name": user.full_name or user.email,
            "workshop": workshop,
            "review_deadline": cfa.review_deadline if cfa else None,
            "blind": bool(cfa and cfa.blind_review),
            "has_password": has_password,
            "invitation_url": "" if has_password else invitation_url(member),
            **more,
        },
        # A mail whose link sets the account's password is kept out of the organizers'
        # outbox (it lists their workshops' mail): only the person may follow that link.
        workshop=workshop if has_password else None,
        reply_to=workshop.contact_email,
    )


def invitation_mail(member, cfa) -> Mail:
    """The mail a new committee member gets once: who asked, what is expected, the link (to
    the login, for an account with a password)."""
    return _committee_mail(
        f"committee-invitation:{member.pk}",
        INVITATION_TEMPLATE,
        member,
        cfa,
        login_url=invitation_url(member),
    )


def _reviewer_mail(key: str, template: str, member, assignments, cfa) -> Mail:
    return _committee_mail(
        key, template, member, cfa, titles=[a.submission.title for a in assignments]
    )


def assigned_mail(member, assignments, cfa) -> Mail:
    """One mail for the papers ``member`` was just given (the keys make it once per batch)."""
    ids = sorted(a.pk for a in assignments)
    key = f"reviews-assigned:{member.pk}:{ids[0]}-{ids[-1]}:{len(ids)}"
    return _reviewer_mail(key, REVIEWS_ASSIGNED_TEMPLATE, member, assignments, cfa)


def reminder_mail(member, assignments, cfa, *, day) -> Mail:
    """A reminder of the reviews ``member`` has left: at most one a day."""
    key = f"reviews-left:{member.pk}:{day.isoformat()}"
    return _reviewer_mail(key, REVIEWS_LEFT_TEMPLATE, member, assignments, cfa)
