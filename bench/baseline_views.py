"""The registration form's POST minus its rules: what any form that writes a row costs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from registration.forms import RegistrationForm
from registration.models import Question, Registration
from registration.services import settings_for
from workshops.selectors import visible_workshop


@require_POST
def register_without_rules(request: HttpRequest, slug: str) -> HttpResponse:
    """Validate the form (CSRF included) and insert the row: no lock, seats, mail or limit."""
    workshop = visible_workshop(slug=slug, user=request.user)
    questions = list(Question.objects.filter(workshop=workshop))
    form = RegistrationForm(request.POST, conf=settings_for(workshop), questions=questions)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    Registration.objects.create(
        workshop=workshop,
        status=Registration.Status.CONFIRMED,
        confirmed_at=timezone.now(),
        **form.to_data().as_fields(),
    )
    return redirect("registration:thanks", slug=workshop.slug)
