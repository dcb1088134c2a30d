"""Hostile posts to the public registration forms: sign-up (and the already-registered path),
the self-service edit and cancel link, and the organizers' check-in desk."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, strategies as st

from registration.models import Question, Registration
from tests.factories import (
    OrganizerFactory,
    RegistrationFactory,
    RegistrationSettingsFactory,
    WorkshopFactory,
)
from tests.security.fuzzing import (
    Endpoint,
    added,
    assert_only,
    assert_refused,
    changes,
    database_state,
    fuzz,
    fuzz_environment,  # noqa: F401 (a fixture)
    last,
    posts,
    request_level_tests,
    rolled_back,
    send,
)
from tests.security.hostile import hostile_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fuzz_environment")]

KNOWN = "known@example.org"


@pytest.fixture
def conf():
    workshop = WorkshopFactory(slug="fuzz")
    conf = RegistrationSettingsFactory(
        workshop=workshop,
        capacity=100,
        ask_affiliation="required",
        ask_career_stage="optional",
        ask_dietary="optional",
        ask_list_consent=True,
        participant_list_public=True,
    )
    Question.objects.create(workshop=workshop, label="Topic of your poster", required=True)
    Question.objects.create(workshop=workshop, label="Dinner", kind="choice", choices="Yes\nNo")
    Question.objects.create(workshop=workshop, label="Need a visa letter", kind="checkbox")
    RegistrationFactory(workshop=workshop, email=KNOWN, first_name="Known", last_name="Person")
    return conf


def questions(conf) -> list[Question]:
    return list(Question.objects.filter(workshop=conf.workshop).order_by("pk"))


def valid_registration(conf, email: str = "new@example.org") -> dict:
    text, choice, checkbox = questions(conf)
    return {
        "first_name": "Émilie",
        "last_name": "du Châtelet",
        "email": email,
        "affiliation": "Académie des sciences",
        "career_stage": "postdoc",
        "dietary_needs": "vegetarian",
        "list_consent": "on",
        text.field_name: "Low-rank adapters",
        choice.field_name: "Yes",
        checkbox.field_name: "on",
    }


def registration_posts(conf):
    emails = st.sampled_from(["new@example.org", KNOWN, KNOWN.upper(), "ÜNI@exämple.org"])
    return emails.flatmap(lambda email: posts(valid_registration(conf, email), extra=("website",)))


@fuzz(50)
@given(data=st.data())
def test_registration_form_refuses_or_saves_exactly_one_registration(conf, data):
    post = data.draw(registration_posts(conf))
    url = reverse("registration:register", args=[conf.workshop.slug])
    with rolled_back():
        before = database_state()
        response = send(Client(), url, post)
        after = database_state()
        delta = changes(before, after)
        if response.status_code != 302:
            assert_refused(response, before, after, post)
            return
        if response.url == reverse("registration:thanks", args=[conf.workshop.slug]):
            if last(post, "website"):  # the honeypot: nothing at all happens
                assert delta == {}
            else:  # already registered: the link goes out again, to the address on file
                assert_only(delta, OutgoingMail={"added": 1})
                (mail,) = added(delta, after, "outbox.OutgoingMail")
                assert mail["to"] == KNOWN
            return
        assert_only(delta, Registration={"added": 1}, OutgoingMail={"added": 1})
        (pk,) = delta["registration.Registration"]["added"]
        saved = after["registration.Registration"][pk]
        assert response.url == Registration.objects.get(pk=pk).get_absolute_url()
        for name in ("first_name", "last_name", "affiliation", "dietary_needs"):
            assert saved[name] == (last(post, name) or "").strip()
        assert saved["email"].lower() == last(post, "email").strip().lower()
        assert saved["email"].lower() != KNOWN


@pytest.fixture
def registration(conf):
    text, choice, _ = questions(conf)
    return RegistrationFactory(
        workshop=conf.workshop,
        email="emilie@example.org",
        answers={str(text.pk): "Adapters", str(choice.pk): "No"},
    )


def manage_posts(conf):
    valid = {**valid_registration(conf), "action": "update"}
    del valid["email"]
    return st.one_of(
        posts(valid, extra=("email", "website")),
        st.fixed_dictionaries(
            {"action": st.one_of(st.just("cancel"), hostile_text)},
            optional={"confirmed": st.one_of(st.just("1"), hostile_text)},
        ),
    )


@fuzz(50)
@given(data=st.data())
def test_self_service_edit_and_cancel_refuse_or_change_only_that_registration(
    conf, registration, data
):
    post = data.draw(manage_posts(conf))
    url = registration.get_absolute_url()
    with rolled_back():
        before = database_state()
        response = send(Client(), url, post)
        after = database_state()
        delta = changes(before, after)
        action = last(post, "action")
        if response.status_code == 400:  # the page again, with the form's errors if it had one
            assert delta == {}
            assert action not in ("update", "cancel") or response.context["form"].errors
            return
        if action == "cancel" and not last(post, "confirmed"):  # asked first, nothing done
            assert response.status_code == 200 and response.context["confirm_cancel"]
            assert delta == {}
            return
        assert response.status_code == 302 and response.url == url
        saved = after["registration.Registration"][registration.pk]
        if action == "cancel":
            assert saved["status"] == "cancelled"
            assert_only(delta, Registration={"changed": 1}, OutgoingMail={"added": 1})
            return
        assert action == "update"
        assert_only(delta, Registration={"changed": 1})
        assert saved["email"] == registration.email  # never changed through the form
        for name in ("first_name", "last_name", "affiliation", "dietary_needs"):
            assert saved[name] == (last(post, name) or "").strip()


@fuzz(25)
@given(token=hostile_text, pk=st.integers(min_value=-(2**70), max_value=2**70))
def test_forged_self_service_links_are_404(conf, registration, token, pk):
    url = f"/registrations/{pk}/{quote(token, safe='')}/"
    with rolled_back():
        before = database_state()
        response = send(Client(), url, {"action": "cancel"})
        assert response.status_code == 404
        assert changes(before, database_state()) == {}


@pytest.fixture
def desk(conf):
    organizer = OrganizerFactory()
    conf.workshop.organizers.add(organizer)
    client = Client()
    client.force_login(organizer)
    return client


@pytest.fixture
def real_codes(conf) -> list[str]:
    confirmed = RegistrationFactory(workshop=conf.workshop, email="arrives@example.org")
    cancelled = RegistrationFactory(
        workshop=conf.workshop, email="gone@example.org", status="cancelled"
    )
    return [confirmed.checkin_code, cancelled.checkin_code]


def checkin_codes(real: list[str]):
    spoilt = st.sampled_from(real).flatmap(
        lambda code: st.sampled_from(
            [code.lower(), f"  {code}  ", " ".join(code), code + "\x00", code[:-1]]
        )
    )
    return st.one_of(st.sampled_from(real), spoilt, hostile_text)


@fuzz(40)
@given(data=st.data())
def test_checkin_desk_marks_one_arrival_or_says_why_not(conf, desk, real_codes, data):
    code = data.draw(checkin_codes(real_codes))
    post = data.draw(posts({"code": code}))
    url = reverse("registration:checkin", args=[conf.workshop.slug])
    with rolled_back():
        before = database_state()
        response = send(desk, url, post)
        after = database_state()
        arrived = response.context["arrived"] if response.status_code == 200 else None
        if arrived is None:
            assert_refused(response, before, after, post)
            return
        assert_only(changes(before, after), Registration={"changed": 1})
        saved = after["registration.Registration"][arrived.pk]
        assert saved["checked_in_at"] is not None and saved["status"] == "confirmed"
        assert saved["checkin_code"] == "".join(last(post, "code").split()).upper()


@pytest.fixture
def endpoints(conf, registration, desk, real_codes) -> dict[str, Endpoint]:
    manage = registration.get_absolute_url()
    edit = {**valid_registration(conf), "action": "update"}
    del edit["email"]
    return {
        "register": Endpoint(
            reverse("registration:register", args=[conf.workshop.slug]), valid_registration(conf)
        ),
        "edit": Endpoint(manage, edit),
        "cancel": Endpoint(manage, {"action": "cancel", "confirmed": "1"}),
        "check-in": Endpoint(
            reverse("registration:checkin", args=[conf.workshop.slug]),
            {"code": real_codes[0]},
            user=conf.workshop.organizers.get(),
        ),
    }


NAMES = ["register", "edit", "cancel", "check-in"]


(
    test_forged_or_missing_csrf_token_is_403_and_saves_nothing,
    test_the_genuine_csrf_token_is_accepted,
    test_garbled_bodies_are_refused_cleanly,
) = request_level_tests(NAMES)


PAGES = [
    "/",
    "/workshops/fuzz/",
    "/workshops/fuzz/speakers/",
    "/workshops/fuzz/schedule/",
    "/workshops/fuzz/schedule/changes/",
    "/workshops/fuzz/schedule/1/",
    "/workshops/fuzz/schedule.ics",
    "/workshops/fuzz/schedule.csv",
    "/workshops/fuzz/register/thanks/",
    "/workshops/fuzz/participants/",
    "/series/none/",
    "/submissions/",
    "/reviews/",
]


@fuzz(25)
@given(url=st.sampled_from(PAGES), post=posts({"q": "x"}, extra=("action", "pk")))
def test_pages_without_a_form_ignore_posts(conf, url, post):
    with rolled_back():
        before = database_state()
        response = send(Client(), url, post)
        assert response.status_code in (200, 302, 404, 405)
        assert changes(before, database_state()) == {}
