"""The accepted authors' answer, through the signed link in their decision mail."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from submissions import services
from submissions.models import Submission
from submissions.tokens import confirmation_token

ANSWERS = {
    "confirm": (services.confirm_participation, "Thank you: your presentation is confirmed."),
    "decline": (services.decline_participation, "Your answer is recorded: you cannot come."),
}


def _submission_from_link(pk: int, token: str) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related("workshop", "type"), pk=pk, notified_at__isnull=False
    )
    if not confirmation_token.check_token(submission, token):
        raise Http404("No such submission.")
    return submission


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    submission = _submission_from_link(pk, token)
    if request.method == "POST":
        answer = ANSWERS.get(request.POST.get("action", ""))
        if answer is None:
            messages.error(request, "Choose to confirm or to decline.")
            return redirect(request.path)
        service, done = answer
        try:
            service(submission=submission)
        except services.SubmissionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return redirect(request.path)
    return render(
        request,
        "submissions/confirm.html",
        {"submission": submission, "workshop": submission.workshop},
    )
