"""Public registration pages: parse the request, call a service, translate the outcome."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from config.addresses import normalize_email
from config.ratelimit import client_ip, ip_over_limit, over_limit
from registration import arrivals, outreach, services
from registration.emails import waitlist_position
from registration.forms import CheckInForm, RegistrationForm
from registration.models import Question, Registration
from registration.tokens import address_confirmation_token, manage_link_token
from workshops.models import Workshop
from workshops.schedule_cache import NAV_RELATED
from workshops.selectors import visible_workshop

TOO_MANY = "Too many attempts from your network or for this address; wait a minute."


def _questions(workshop: Workshop) -> list[Question]:
    return list(Question.objects.filter(workshop=workshop))


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = visible_workshop(slug=slug, user=request.user)
    conf = services.settings_for(workshop)
    if conf is None:
        raise Http404("This workshop takes no registrations here.")
    questions = _questions(workshop)
    form = RegistrationForm(request.POST or None, conf=conf, questions=questions)
    if request.method == "POST":
        if ip_over_limit(request, scope="register", limit=settings.REGISTRATION_POSTS_PER_MINUTE):
            messages.error(request, TOO_MANY)
            return _form_page(request, workshop, conf, form, status=429)
        # Checked before validation: a bot must learn nothing from the form's errors.
        if form.is_bot:
            return redirect("registration:thanks", slug=workshop.slug)
        if form.is_valid():
            if address_over_limit(request, form.cleaned_data["email"]):
                messages.error(request, TOO_MANY)
                return _form_page(request, workshop, conf, form, status=429)
            return _submit(request, workshop, form)
    return _form_page(request, workshop, conf, form)


def address_over_limit(request: HttpRequest, email: str) -> bool:
    """Count a sign-up for this address, from anywhere and from this IP; True once either is
    past its limit (each one mails the address: a registration, or its link again)."""
    # Hashed: no address in a cache key (nor a key past the 250 characters caches accept).
    address = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    per_hour = over_limit(
        f"register:address:{address}",
        limit=settings.REGISTRATION_POSTS_PER_ADDRESS_PER_HOUR,
        window=3600,
    )
    per_ip = over_limit(
        f"register:address-ip:{address}:{client_ip(request)}",
        limit=settings.REGISTRATION_POSTS_PER_ADDRESS_AND_IP_PER_MINUTE,
    )
    return per_hour or per_ip


def _submit(request: HttpRequest, workshop: Workshop, form: RegistrationForm) -> HttpResponse:
    try:
        registration = services.register_attendee(workshop=workshop, data=form.to_data())
    except services.AlreadyRegistered as exc:
        outreach.send_link_again(registration=exc.registration)
        messages.info(
            request,
            "This address is already registered. We have sent the link to your registration "
            "to it again.",
        )
        return redirect("registration:thanks", slug=workshop.slug)
    except services.RegistrationError as exc:
        form.add_error(None, str(exc))
        return _form_page(request, workshop, services.settings_for(workshop), form)
    if said := _registered_message(registration):
        messages.success(request, said)
    return redirect(registration.get_absolute_url())


def _registered_message(registration) -> str:
    """What a new registration is told on its page: where it stands, and that a mail with
    this page's link is on its way."""
    mail = f"We have sent a mail to {registration.email} with the link to this page."
    if registration.awaits_address_confirmation:
        return ""  # the page says it: confirm the address, by when
    if registration.status == registration.Status.CONFIRMED:
        return f"You are registered for {registration.workshop}. {mail}"
    if registration.status == registration.Status.WAITLISTED:
        return (
            f"The workshop is full: you are on the waiting list, and move up by yourself when "
            f"a seat frees up. {mail}"
        )
    return f"Your registration awaits the organizers' approval. {mail}"


def _form_page(request, workshop, conf, form, status: int = 200) -> HttpResponse:
    with timezone.override(workshop.tz):
        return render(
            request,
            "registration/register.html",
            {"workshop": workshop, "form": form, "availability": services.availability(conf)},
            status=status,
        )


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = visible_workshop(slug=slug, user=request.user)
    return render(request, "registration/thanks.html", {"workshop": workshop})


def _registration_from_link(pk: int, token: str, signer=manage_link_token) -> Registration:
    # With what the workshop's nav shows (whether it takes registrations, abstracts).
    registration = get_object_or_404(
        Registration.objects.select_related(*(f"workshop__{n}" for n in NAV_RELATED)), pk=pk
    )
    if not signer.check_token(registration, token):
        raise Http404("No such registration.")
    return registration


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    registration = _registration_from_link(pk, token)
    workshop = registration.workshop
    conf = services.settings_for(workshop)
    questions = _questions(workshop)
    form = None
    if registration.is_active and conf is not None:
        form = RegistrationForm(
            request.POST if request.POST.get("action") == "update" else None,
            conf=conf,
            questions=questions,
            editing=True,
            initial=RegistrationForm.initial_from(registration, questions),
        )
    confirm_cancel = False
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            # Asked once first (it cannot be undone); one cancelled already hears so at once.
            if action == "cancel" and (request.POST.get("confirmed") or not registration.is_active):
                services.cancel_registration(registration=registration)
                messages.success(request, "Your registration is cancelled.")
                return redirect(request.path)
            if action == "cancel":
                confirm_cancel = True
            if action == "update" and form is not None and form.is_valid():
                services.update_details(
                    registration=registration, data=form.to_data(email=registration.email)
                )
                messages.success(request, "Your details are saved.")
                return redirect(request.path)
        except services.RegistrationError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
    registration.refresh_from_db()
    with timezone.override(workshop.tz):
        return render(
            request,
            "registration/manage.html",
            {
                "workshop": workshop,
                "registration": registration,
                "position": waitlist_position(registration),
                "form": form,
                "confirm_cancel": confirm_cancel,
            },
            status=400 if request.method == "POST" and not confirm_cancel else 200,
        )


@require_http_methods(["GET", "POST"])
def confirm_address(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The link in the mail that asks to confirm the address: a button, so that a mail
    scanner opening the link confirms nothing."""
    registration = _registration_from_link(pk, token, address_confirmation_token)
    if request.method == "POST":
        try:
            services.confirm_address(registration=registration)
        except services.RegistrationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Thank you: your registration is confirmed.")
        return redirect(registration.get_absolute_url())
    if not registration.awaits_address_confirmation:
        return redirect(registration.get_absolute_url())
    with timezone.override(registration.workshop.tz):
        return render(
            request,
            "registration/confirm_address.html",
            {"workshop": registration.workshop, "registration": registration},
        )


def _managed_workshop(request: HttpRequest, slug: str) -> Workshop:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    return get_object_or_404(Workshop.objects.managed_by(request.user), slug=slug)


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = _managed_workshop(request, slug)
    form = CheckInForm(request.POST or None)
    arrived = None
    if request.method == "POST" and form.is_valid():
        try:
            arrived = arrivals.check_in(workshop=workshop, code=form.cleaned_data["code"])
        except arrivals.CheckInRefused as exc:
            form.add_error("code", str(exc))
        else:
            form = CheckInForm()
    counts = {
        "confirmed": Registration.objects.filter(workshop=workshop).confirmed().count(),
        "arrived": Registration.objects.filter(
            workshop=workshop, checked_in_at__isnull=False
        ).count(),
    }
    return render(
        request,
        "registration/checkin.html",
        {"workshop": workshop, "form": form, "arrived": arrived, "counts": counts},
    )


def participants(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = visible_workshop(slug=slug, user=request.user)
    conf = services.settings_for(workshop)
    if conf is None or not conf.participant_list_public:
        raise Http404("The participant list is not public.")
    people = (
        Registration.objects.filter(workshop=workshop, list_consent=True)
        .confirmed()
        .order_by("last_name", "first_name")
        .only("first_name", "last_name", "affiliation")
    )
    return render(
        request, "registration/participants.html", {"workshop": workshop, "people": people}
    )
