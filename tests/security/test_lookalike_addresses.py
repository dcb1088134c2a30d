"""Look-alike addresses: one stored form for every address, exact matches, no look-alike sign-up.

On PostgreSQL ``UPPER('ı')`` is ``'I'``, so ``email__iexact`` made ``organızer@example.org``
(dotless ı) the same person as ``organizer@example.org``: the real organizer's logins answered
500 (two accounts for one login), a pre-registered look-alike took a reviewer's committee seat,
and each spelling got its own lockout counter while logging into the one victim account. The
suite runs on PostgreSQL in CI, where each of these was reproduced.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from config.addresses import normalize_email, skeleton
from outbox.models import OutgoingMail
from registration.models import Registration
from submissions.services import review as review_services
from tests.factories import OrganizerFactory, RegistrationFactory, UserFactory, WorkshopFactory
from tests.submissions.factories import (
    CallForAbstractsFactory,
    CommitteeMemberFactory,
    ReviewAssignmentFactory,
    SubmissionFactory,
)

PASSWORD = "pw-secret-123"  # tests.factories.UserFactory's
REAL = "organizer@example.org"
LOOKALIKE = "organızer@example.org"  # U+0131 LATIN SMALL LETTER DOTLESS I


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ada@Example.ORG", "ada@example.org"),
        ("  ada@example.org ", "ada@example.org"),
        ("ａｄａ@ｅｘａｍｐｌｅ.org", "ada@example.org"),  # fullwidth forms (NFKC)
        ("Straße@example.org", "strasse@example.org"),  # case folding, not lower()
        ("ada@Bücher.Example", "ada@bücher.example"),
        ("ada@xn--bcher-kva.example", "ada@bücher.example"),  # one form per domain
        (LOOKALIKE, LOOKALIKE),  # a different letter stays a different letter
    ],
)
def test_addresses_have_one_stored_form(typed, stored):
    assert normalize_email(typed) == stored


def test_look_alike_addresses_share_a_skeleton():
    assert skeleton(LOOKALIKE) == skeleton(REAL)
    assert skeleton("\u0440\u0430ypal@example.org") == skeleton("paypal@example.org")  # Cyrillic
    assert skeleton("grace@example.org") != skeleton(REAL)


@pytest.mark.django_db
def test_every_stored_address_is_normalized_and_found_whatever_was_typed():
    user = UserFactory(email="Ada@Example.ORG")
    registration = RegistrationFactory(email="ＡＤＡ@example.org")
    assert (user.email, registration.email) == ("ada@example.org", "ada@example.org")
    assert User.objects.get(email="ADA@EXAMPLE.org") == user
    assert User.objects.get_by_natural_key("ａｄａ@example.org") == user
    assert list(Registration.objects.with_email("Ada@example.org")) == [registration]


@pytest.mark.django_db
@pytest.mark.postgres
def test_postgres_upper_makes_the_dotless_i_an_i():
    """The premise: why no look-up of an address may use ``iexact`` on PostgreSQL."""
    real, lookalike = UserFactory(email=REAL), UserFactory(email=LOOKALIKE)
    assert set(User.objects.filter(email__iexact=REAL)) == {real, lookalike}
    assert list(User.objects.filter(email=REAL)) == [real]


def sign_up(client, email: str):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


@pytest.mark.django_db
def test_a_look_alike_sign_up_is_refused_with_a_message(client):
    OrganizerFactory(email=REAL)
    response = sign_up(client, LOOKALIKE)
    assert response.status_code == 200
    assert "looks too much like one that already has an account" in response.content.decode()
    assert not User.objects.filter(email=LOOKALIKE).exists()
    assert not OutgoingMail.objects.exists()


@pytest.mark.django_db
def test_a_cyrillic_look_alike_sign_up_is_refused(client):
    UserFactory(email="paypal@example.org")
    sign_up(client, "\u0440\u0430ypal@example.org")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_an_unrelated_address_signs_up(client):
    OrganizerFactory(email=REAL)
    assert sign_up(client, "grace@example.org").status_code == 302
    assert User.objects.filter(email="grace@example.org").exists()


@pytest.fixture
def lookalike_pair(db):
    """The real organizer, and a look-alike account made before sign-ups were checked."""
    real = OrganizerFactory(email=REAL)
    EmailAddress.objects.create(user=real, email=REAL, verified=True, primary=True)
    lookalike = UserFactory(email=LOOKALIKE)
    EmailAddress.objects.create(user=lookalike, email=LOOKALIKE, verified=True, primary=True)
    return real, lookalike


def test_the_real_organizer_logs_in_beside_a_look_alike(client, lookalike_pair):
    real, _ = lookalike_pair
    response = client.post(
        reverse("admin:login"), {"username": REAL, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(real.pk)
    client.logout()
    response = client.post(reverse("account_login"), {"login": REAL, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(real.pk)


@pytest.mark.django_db
def test_a_look_alike_spelling_does_not_get_around_the_lockout(client, settings):
    real = OrganizerFactory(email=REAL)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": REAL, "password": "wrong"})
    for spelling in (LOOKALIKE, "ORGANİZER@example.org", "organizer@EXAMPLE.org"):
        response = client.post(reverse("admin:login"), {"username": spelling, "password": PASSWORD})
        assert response.status_code in (200, 429), spelling
        assert client.session.get("_auth_user_id") != str(real.pk), spelling


@pytest.mark.django_db
def test_a_pre_registered_look_alike_does_not_take_a_committee_seat(client):
    workshop = WorkshopFactory()
    CallForAbstractsFactory(workshop=workshop, blind_review=True)
    lookalike = UserFactory(email="revıewer@example.org")

    seat = review_services.committee_user(email="reviewer@example.org", full_name="Emmy Noether")

    assert seat != lookalike
    assert seat.email == "reviewer@example.org"
    member = CommitteeMemberFactory(workshop=workshop, user=seat)
    submission = SubmissionFactory(workshop=workshop, title="Blind tensor trains")
    ReviewAssignmentFactory(submission=submission, reviewer=member)
    client.force_login(lookalike)
    assert "Blind tensor trains" not in client.get(reverse("reviews:list")).content.decode()
