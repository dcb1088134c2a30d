"""The author's pages: parse the request, call a service, translate the outcome.

Every page shows the author's own submissions only (404 for anybody else's); every change goes
through the authoring services, which refuse it after the deadline or after a decision.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from schedule.selectors import released_slot
from submissions import emails, services
from submissions.forms import (
    SubmissionForm,
    author_formset,
    authors_initial,
    is_row_action,
    rearranged_author_rows,
)
from submissions.models import CallForAbstracts, Submission
from submissions.pdf import attachment_response
from workshops import pending_uploads
from workshops.access import is_organizer
from workshops.models import SpeakerProfile, Workshop
from workshops.selectors import visible_workshop

SAVE_ACTIONS = ("draft", "submit")


def _own_submission(request: HttpRequest, pk: int) -> Submission:
    """Return one of the user's own submissions; anybody else's is 404, not 403."""
    return get_object_or_404(
        Submission.objects.of(request.user).select_related("workshop__cfa", "type", "topic"),
        pk=pk,
    )


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Where a login without a ``next`` lands: a reviewer with reviews to write on their
    reviews, anyone else on their submissions."""
    if services.reviews_left(request.user):
        return redirect("reviews:list")
    return redirect("submissions:mine")


@login_required
def my_submissions(request: HttpRequest) -> HttpResponse:
    submissions = list(
        Submission.objects.of(request.user)
        .select_related("workshop__cfa", "type")
        .order_by("-created_at", "-pk")
    )
    now = timezone.now()
    rows = [
        {
            "submission": s,
            "refusal": services.edit_refusal(s, now),
            "cfa": cfa,
            "deadline_text": services.deadline_text(cfa) if cfa else "",
        }
        for s in submissions
        for cfa in [services.call_for(s.workshop)]
    ]
    return render(request, "submissions/mine.html", {"rows": rows})


def _submitter_row(user) -> dict:
    profile = SpeakerProfile.objects.filter(user=user).only("name", "affiliation").first()
    return {
        "name": user.full_name or (profile.name if profile else ""),
        "email": user.email,
        "affiliation": profile.affiliation if profile else "",
        "is_presenter": True,
    }


def _call_of(workshop: Workshop) -> CallForAbstracts:
    cfa = services.call_for(workshop)
    if cfa is None:
        raise Http404("This workshop has no call for abstracts.")
    return cfa


@login_required
@require_http_methods(["GET", "POST"])
def new_submission(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = visible_workshop(slug=slug, user=request.user)
    cfa = _call_of(workshop)
    notice = _closed_notice(cfa)
    action = request.POST.get("action", "")
    if request.method == "POST" and notice:
        # The call closed while they typed: say so once, and give back what they typed.
        return _form_page(
            request, workshop, cfa, SubmissionForm(cfa=cfa), author_formset(), notice=notice,
            typed=_typed(request),
        )  # fmt: skip
    files, kept = _uploads(request)
    if request.method == "POST" and is_row_action(action):
        form, authors = _rearranged(request, cfa, None, action)
    elif request.method == "POST":
        form = SubmissionForm(request.POST, files, cfa=cfa)
        authors = author_formset(data=request.POST)
        if action in SAVE_ACTIONS and form.is_valid() and authors.is_valid():
            try:
                submission = services.create_submission(
                    workshop=workshop,
                    submitter=request.user,
                    data=form.to_data(authors.to_data()),
                    submit=action == "submit",
                )
            except (services.DeadlinePassed, services.CallNotOpen) as exc:
                # Closed between the page's first check and the save: said once, as above.
                return _form_page(
                    request, workshop, cfa, form, authors, notice=str(exc), typed=_typed(request)
                )
            except (services.SubmissionError, ValidationError) as exc:
                _refused(form, exc)
            else:
                _saved_message(request, submission)
                return redirect(submission)
        elif action not in SAVE_ACTIONS:
            form.add_error(None, "Choose “Save draft” or “Submit”.")
    else:
        form = SubmissionForm(cfa=cfa)
        authors = author_formset(initial=[_submitter_row(request.user)])
    _keep_uploads(request, form, files, kept, cfa=cfa)
    return _form_page(request, workshop, cfa, form, authors, notice=notice)


@login_required
@require_http_methods(["GET", "POST"])
def edit_submission(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _own_submission(request, pk)
    workshop, cfa = submission.workshop, services.call_for(submission.workshop)
    action = request.POST.get("action", "")
    if refusal := services.edit_refusal(submission):
        # Read-only now: a stale form posted after the deadline lands here too.
        messages.error(request, refusal)
        return redirect(submission)
    files, kept = _uploads(request)
    if request.method == "POST" and is_row_action(action):
        form, authors = _rearranged(request, cfa, submission, action)
    elif request.method == "POST":
        form = SubmissionForm(request.POST, files, cfa=cfa, submission=submission)
        authors = author_formset(data=request.POST)
        if action in SAVE_ACTIONS and form.is_valid() and authors.is_valid():
            try:
                submission = services.update_submission(
                    submission=submission,
                    data=form.to_data(authors.to_data()),
                    submit=action == "submit",
                )
            except (services.DeadlinePassed, services.NotAllowed) as exc:
                messages.error(request, str(exc))
                return redirect(submission)
            except (services.SubmissionError, ValidationError) as exc:
                _refused(form, exc)
            else:
                _saved_message(request, submission)
                return redirect(submission)
        elif action not in SAVE_ACTIONS:
            form.add_error(None, "Choose “Save draft” or “Submit”.")
    else:
        form = SubmissionForm(
            cfa=cfa, submission=submission, initial=SubmissionForm.initial_from(submission)
        )
        authors = author_formset(initial=authors_initial(submission))
    _keep_uploads(request, form, files, kept, cfa=cfa, submission=submission)
    return _form_page(request, workshop, cfa, form, authors, submission=submission)


UPLOADS = ("pdf",)


def _uploads(request: HttpRequest):
    """The posted files, with a PDF kept from a page sent back earlier (pending_uploads)."""
    if request.method != "POST":
        return request.FILES, {}
    return pending_uploads.with_kept(
        request.POST, request.FILES, fields=UPLOADS, owner_id=request.user.pk
    )


def _keep_uploads(request, form: SubmissionForm, files, kept, *, cfa, submission=None) -> None:
    """The page goes back to the person: keep the PDF they chose, for the next post, once
    it passed the PDF checks (an author-row button shows an unbound form: check it here)."""
    form.kept = {}
    if request.method != "POST":
        return
    checked = form
    if not form.is_bound:
        checked = SubmissionForm(request.POST, files, cfa=cfa, submission=submission)
    form.kept = pending_uploads.keep_valid(checked, files, kept, owner_id=request.user.pk)


def _typed(request: HttpRequest) -> dict:
    """What a refused form held, to give back when the form itself is not shown again."""
    return {name: request.POST.get(name, "").strip() for name in ("title", "abstract")}


def _rearranged(request, cfa, submission, action: str):
    """The page again after an author-row button: nothing saved, the typed text kept."""
    rows, extra = rearranged_author_rows(request.POST, action)
    typed = {name: request.POST.get(name, "") for name in ("title", "abstract", "type", "topic")}
    return SubmissionForm(cfa=cfa, submission=submission, initial=typed), author_formset(
        initial=rows, extra=extra
    )


def _refused(form: SubmissionForm, exc: Exception) -> None:
    if isinstance(exc, services.InvalidPdf) and "pdf" in form.fields:
        form.add_error("pdf", str(exc))
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))


def _saved_message(request: HttpRequest, submission: Submission) -> None:
    if submission.status == Submission.Status.SUBMITTED:
        messages.success(
            request,
            f"“{submission.title}” is submitted. You can change it until the deadline "
            f"({services.deadline_text(services.call_for(submission.workshop))}).",
        )
    else:
        messages.success(
            request,
            f"Draft saved. It is not submitted yet: submit it before the deadline "
            f"({services.deadline_text(services.call_for(submission.workshop))}).",
        )


def _closed_notice(cfa: CallForAbstracts) -> str:
    try:
        services.check_call_open(cfa, timezone.now())
    except services.SubmissionError as exc:
        return str(exc)
    return ""


def _form_page(request, workshop, cfa, form, authors, *, submission=None, notice="", typed=None):
    earlier = []
    if submission is None:
        earlier = list(
            Submission.objects.of(request.user)
            .filter(workshop=workshop)
            .exclude(status=Submission.Status.WITHDRAWN)
        )
    with timezone.override(workshop.tz):
        return render(
            request,
            "submissions/form.html",
            {
                "workshop": workshop,
                "cfa": cfa,
                "form": form,
                "authors": authors,
                "submission": submission,
                "notice": notice,
                "typed": typed if typed and any(typed.values()) else None,
                "deadline_text": services.deadline_text(cfa),
                "earlier": earlier,
                "one_only": bool(earlier) and not cfa.multiple_submissions,
                "opens_text": services.moment_text(cfa, cfa.opens_at) if cfa.opens_at else "",
            },
        )


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _own_submission(request, pk)
    workshop = submission.workshop
    cfa = services.call_for(workshop)
    with timezone.override(workshop.tz):
        return render(
            request,
            "submissions/detail.html",
            {
                "submission": submission,
                "workshop": workshop,
                "cfa": cfa,
                "deadline_text": services.deadline_text(cfa) if cfa else "",
                "authors": list(submission.authors.all()),
                "refusal": services.edit_refusal(submission),
                "outcome": _outcome(submission),
            },
        )


def _outcome(submission: Submission) -> dict | None:
    """What the author knows once the decision is sent: the decision, whether they confirmed
    (with the link if not), the slot on the released schedule, the reviewers' comments to
    the authors (the decision mail released them), and the public page of the talk."""
    if submission.notified_at is None or not submission.decision:
        return None
    outcome = {
        "accepted": submission.is_accepted,
        "comments": emails.comments_for_authors([submission]).get(submission.pk, []),
    }
    if submission.is_accepted:
        outcome["confirm_path"] = emails.confirmation_url_path(submission)
        outcome["slot"] = released_slot(submission.workshop, submission.schedule_item_id)
    return outcome


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _own_submission(request, pk)
    if request.method == "POST":
        try:
            services.withdraw_submission(submission=submission)
        except services.SubmissionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"“{submission.title}” is withdrawn.")
        return redirect(submission)
    if refusal := services.edit_refusal(submission):
        messages.error(request, refusal)
        return redirect(submission)
    return render(
        request,
        "submissions/withdraw.html",
        {"submission": submission, "workshop": submission.workshop},
    )


@login_required
def download_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The PDF as submitted, for its submitter and the workshop's organizers (the admin links
    here); reviewers get theirs, blind when the review is, from reviews:pdf."""
    readable = Submission.objects.of(request.user)
    if is_organizer(request.user):
        readable = readable | Submission.objects.managed_by(request.user)
    submission = get_object_or_404(readable, pk=pk)
    if not submission.pdf:
        raise Http404("This submission has no PDF.")
    try:
        handle = submission.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The PDF is missing.") from exc
    return attachment_response(handle, filename=f"submission-{submission.pk}.pdf")
