"""The program committee's own pages: my assignments, one submission and my review of it.

A reviewer reaches only their own assignments of submitted abstracts, and not one whose
conflict of interest the organizers have not overridden; anything else is a 404, so the pages
never tell whether a submission exists. In a blind review nothing on these pages, the PDF
included, names the authors.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from submissions import services
from submissions.context_processors import Reviewing
from submissions.models import CommitteeMember, Review, ReviewAssignment, Submission
from submissions.pdf import BlindCopyNamesAuthors, PdfUnreadable, attachment_response
from submissions.review_forms import ReviewForm
from submissions.tokens import invitation_token

CLOSED = "The decision has been sent to the authors; reviews can no longer change."


def reviewable(user):
    """Return the user's assignments, with what the pages and the conflict check need."""
    return (
        services.assignments_of(user)
        .select_related("reviewer__user", "review", "submission__workshop__cfa")
        .prefetch_related("submission__authors")
        .order_by("-submission__workshop__start_date", "submission__workshop_id", "submission_id")
    )


def is_conflicted(assignment: ReviewAssignment) -> bool:
    """An unresolved conflict: there is one, and no organizer gave a reason to override it."""
    if assignment.conflict_override.strip():
        return False
    return bool(services.conflict_reason(assignment.reviewer, assignment.submission))


def assignment_or_404(user, pk: int) -> ReviewAssignment:
    assignment = get_object_or_404(reviewable(user), pk=pk)
    if is_conflicted(assignment):
        raise Http404("No such assignment.")
    return assignment


def is_blind(submission: Submission) -> bool:
    try:
        return submission.workshop.cfa.blind_review
    except ObjectDoesNotExist:
        return False


def review_of(assignment: ReviewAssignment) -> Review | None:
    try:
        return assignment.review
    except ObjectDoesNotExist:
        return None


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """A committee seat's invitation link: choose a password for an account without one,
    then on to the reviews; an account with a password logs in first."""
    member = CommitteeMember.objects.select_related("user", "workshop").filter(pk=pk).first()
    if member is None or not invitation_token.check_token(member, token):
        # Forged, for a seat since removed, or used already (it signs the password hash):
        # one answer for all, which tells nothing about the seat.
        return render(request, "submissions/review/invitation_invalid.html", status=404)
    user = member.user
    if user.has_usable_password():
        if request.user == user:
            return redirect("reviews:list")
        messages.info(request, f"You have an account: log in as {user.email} to see your reviews.")
        return redirect_to_login(reverse("reviews:list"))
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                member=member, password=form.cleaned_data["new_password1"]
            )
        except services.NotAllowed as exc:
            messages.error(request, str(exc))
            return redirect_to_login(reverse("reviews:list"))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your password is set, and you are logged in.")
        return redirect("reviews:list")
    return render(request, "submissions/review/invitation.html", {"member": member, "form": form})


@login_required
@require_GET
def assignment_list(request: HttpRequest) -> HttpResponse:
    """The reviewer's home: per workshop, the reviews due date, progress, and each assigned
    abstract with the state of their review."""
    workshops: dict[int, dict] = {}
    for assignment in reviewable(request.user):
        if is_conflicted(assignment):
            continue
        submission = assignment.submission
        workshop = submission.workshop
        group = workshops.setdefault(
            workshop.pk,
            {"workshop": workshop, "cfa": _cfa(workshop), "rows": [], "done": 0, "open": 0},
        )
        review = review_of(assignment)
        closed = submission.notified_at is not None
        group["rows"].append(
            {"assignment": assignment, "submission": submission, "review": review, "closed": closed}
        )
        if review is not None:
            group["done"] += 1
        elif not closed:
            group["open"] += 1
    groups = list(workshops.values())
    for group in groups:
        group["percent"] = round(100 * group["done"] / len(group["rows"]))
    return render(
        request,
        "submissions/review/list.html",
        {
            "groups": groups,
            "rows": [r for g in groups for r in g["rows"]],
            # The menu's count, from the rows above rather than its own queries.
            "reviewing": Reviewing(sum(g["open"] for g in groups)),
        },
    )


def _cfa(workshop):
    try:
        return workshop.cfa
    except ObjectDoesNotExist:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = assignment_or_404(request.user, pk)
    submission = assignment.submission
    review = review_of(assignment)
    closed = submission.notified_at is not None
    if request.method == "POST":
        if closed:
            messages.error(request, CLOSED)
            return redirect(request.path)
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.save_review(assignment=assignment, data=form.to_data())
            except services.SubmissionError as exc:
                messages.error(request, str(exc))
                return redirect(request.path)
            messages.success(
                request, "Your review is saved. You can change it until the decisions are sent."
            )
            return redirect(request.path)
    else:
        form = ReviewForm(initial=ReviewForm.initial_from(review), read_only=closed)
    blind = is_blind(submission)
    context = {
        "assignment": assignment,
        "submission": submission,
        "workshop": submission.workshop,
        "blind": blind,
        "authors": [] if blind else list(submission.authors.all()),
        "review": review,
        "form": form,
        "closed": closed,
        "pdf_url": reverse("reviews:pdf", args=[assignment.pk]) if submission.pdf else "",
    }
    return render(request, "submissions/review/detail.html", context)


@login_required
@require_GET
def review_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = assignment_or_404(request.user, pk)
    submission = assignment.submission
    if not submission.pdf:
        raise Http404("This submission has no PDF.")
    filename = f"submission-{submission.pk}.pdf"
    try:
        with submission.pdf.open("rb") as stored:
            data = stored.read()
    except OSError as exc:  # the row names a file the storage no longer has
        raise Http404("This submission's PDF is missing.") from exc
    if is_blind(submission):
        try:
            data = services.blind_pdf(submission=submission, data=data)
        except (PdfUnreadable, BlindCopyNamesAuthors):
            messages.error(
                request,
                "This PDF could not be made anonymous, so it is not shown in a blind review. "
                "The organizers have been told; review the abstract for now.",
            )
            return redirect("reviews:detail", pk=assignment.pk)
    return attachment_response(io.BytesIO(data), filename=filename)
