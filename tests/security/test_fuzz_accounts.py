"""Hostile posts to the speakers' account pages: allauth's sign-up, login, password reset (by
mail and by key), address and password management, logout, and our profile form with its photo
upload."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given, strategies as st

from accounts import services
from accounts.models import User
from tests.factories import UserFactory
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
from tests.security.hostile import hostile_text, image_bytes, uploads

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fuzz_environment")]

PASSWORD = "Vrai-mot-de-passe-2024"
NEW_PASSWORD = "Un-autre-mot-de-passe-9"


@pytest.fixture
def ada():
    user = UserFactory(email="ada@example.org", full_name="Ada Lovelace", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@fuzz(40)
@given(
    post=st.sampled_from(["grace@example.org", "ada@example.org", "ADA@example.org"]).flatmap(
        lambda email: posts({"email": email, "password1": PASSWORD, "password2": PASSWORD})
    )
)
def test_signup_refuses_or_creates_one_unverified_account(ada, post):
    with rolled_back():
        before = database_state()
        response = send(Client(), reverse("account_signup"), post)
        after = database_state()
        if response.status_code != 302:
            assert_refused(response, before, after, post)
            return
        assert response.url == reverse("account_email_verification_sent")
        delta = changes(before, after)
        email = last(post, "email").strip().lower()
        if email == ada.email:  # no enumeration: the owner is told by mail, nothing else
            assert_only(delta, OutgoingMail={"added": 1})
            return
        assert_only(delta, User={"added": 1}, EmailAddress={"added": 1}, OutgoingMail={"added": 1})
        (address,) = added(delta, after, "account.EmailAddress")
        assert (address["email"].lower(), address["verified"]) == (email, False)


@fuzz(40)
@given(
    post=st.sampled_from([PASSWORD, "wrong-password"]).flatmap(
        lambda password: posts(
            {"login": "ada@example.org", "password": password, "remember": "on"},
            extra=("next",),
        )
    )
)
def test_login_refuses_or_logs_in_the_right_person(ada, post):
    client = Client()
    with rolled_back():
        before = database_state()
        response = send(client, reverse("account_login"), post)
        after = database_state()
        if response.status_code != 302:
            assert_refused(response, before, after, post)
            assert "_auth_user_id" not in client.session
            return
        assert last(post, "password") == PASSWORD
        assert int(client.session["_auth_user_id"]) == ada.pk
        assert_only(changes(before, after), User={"changed": 1})  # last_login


@fuzz(30)
@given(post=posts({"email": "ada@example.org"}))
def test_password_reset_request_refuses_or_sends_one_mail(ada, post):
    with rolled_back():
        before = database_state()
        response = send(Client(), reverse("account_reset_password"), post)
        after = database_state()
        if response.status_code != 302:
            assert_refused(response, before, after, post)
            return
        assert response.url == reverse("account_reset_password_done")
        # Known or not, the address gets one mail (a link, or "no account here").
        assert_only(changes(before, after), OutgoingMail={"added": 1})


def reset_url(user, key: str | None = None) -> str:
    key = default_token_generator.make_token(user) if key is None else key
    return reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )


@fuzz(30)
@given(
    post=posts({"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}),
    forged=st.one_of(st.none(), hostile_text.filter(lambda t: "/" not in t and t)),
)
def test_password_reset_by_key_refuses_or_sets_the_new_password(ada, post, forged):
    client = Client()
    with rolled_back():
        before = database_state()
        # allauth moves the key from the link into the session, then shows the form.
        url = reset_url(ada) if forged is None else reset_url(ada, quote(forged, safe=""))
        opened = client.get(url)
        response = send(client, opened.url if opened.status_code == 302 else url, post)
        after = database_state()
        if response.status_code != 302:
            assert response.status_code in (200, 400)
            assert changes(before, after) == {}
            if forged is None:
                assert_refused(response, before, after, post)
            return
        assert forged is None
        assert User.objects.get(pk=ada.pk).check_password(last(post, "password1"))
        assert_only(changes(before, after), User={"changed": 1})


@fuzz(25)
@given(post=posts({"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}))
def test_password_change_refuses_or_changes_only_the_password(ada, post):
    client = logged_in(ada)
    with rolled_back():
        before = database_state()
        response = send(client, reverse("account_change_password"), post)
        after = database_state()
        if response.status_code != 302:
            assert_refused(response, before, after, post)
            return
        assert User.objects.get(pk=ada.pk).check_password(last(post, "password1"))
        assert_only(changes(before, after), User={"changed": 1})


EMAIL_ACTIONS = ["action_add", "action_send", "action_remove", "action_primary"]


@fuzz(30)
@given(
    action=st.one_of(st.sampled_from(EMAIL_ACTIONS), hostile_text),
    post=posts({"email": "ada.second@example.org"}),
)
def test_address_management_never_fails_and_keeps_a_primary_address(ada, action, post):
    client = logged_in(ada)
    with rolled_back():
        before = database_state()
        response = send(client, reverse("account_email"), {**post, action: ""})
        after = database_state()
        assert response.status_code in (200, 302, 400)
        delta = changes(before, after)
        if response.status_code != 302:
            assert delta == {}
        assert set(delta) <= {"account.EmailAddress", "outbox.OutgoingMail"}
        addresses = EmailAddress.objects.filter(user=ada)
        assert addresses.filter(primary=True, email=ada.email).count() == 1


@fuzz(15)
@given(post=posts({"next": "/submissions/"}, extra=("next",)))
def test_logout_only_logs_out(ada, post):
    client = logged_in(ada)
    with rolled_back():
        before = database_state()
        response = send(client, reverse("account_logout"), post)
        assert response.status_code == 302
        # Wherever ``next`` points, the redirect stays on this site.
        target = urlsplit(response.url)
        assert target.netloc in ("", "testserver") and target.scheme in ("", "http")
        assert "_auth_user_id" not in client.session
        assert changes(before, database_state()) == {}


PROFILE = {
    "name": "Ada King",
    "affiliation": "Analytical Engines Ltd",
    "homepage": "https://ada.example.org/",
    "orcid": "0000-0002-1825-0097",
    "bio": "Writes *programs*.",
}
photos = st.one_of(
    uploads,
    st.sampled_from(["PNG", "JPEG", "WEBP"]).map(
        lambda kind: SimpleUploadedFile(f"me.{kind.lower()}", image_bytes(kind), "image/png")
    ),
)


@fuzz(50)
@given(post=posts({**PROFILE}, extra=("photo", "photo-clear")), photo=st.none() | photos)
def test_profile_form_refuses_or_saves_the_speakers_own_profile(ada, post, photo):
    profile = services.profile_of(ada)
    client = logged_in(ada)
    if photo is not None:
        post = {**post, "photo": photo}
    with rolled_back():
        before = database_state()
        response = send(client, reverse("accounts:profile"), post)
        after = database_state()
        if response.status_code != 302:
            assert_refused(response, before, after, post)
            return
        delta = changes(before, after)
        assert set(delta) <= {"workshops.SpeakerProfile", "accounts.User"}
        saved = after["workshops.SpeakerProfile"][profile.pk]
        assert saved["name"] == last(post, "name").strip()
        assert saved["bio"] == (last(post, "bio") or "").strip()
        assert saved["user_id"] == ada.pk and saved["email"] == ada.email
        assert after["accounts.User"][ada.pk]["full_name"] == saved["name"]
        if saved["photo"]:
            assert saved["photo"].rsplit(".", 1)[-1] in ("jpg", "png", "webp")


@pytest.fixture
def endpoints(ada) -> dict[str, Endpoint]:
    services.profile_of(ada)
    new = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return {
        "signup": Endpoint(reverse("account_signup"), {"email": "grace@example.org", **new}),
        "login": Endpoint(reverse("account_login"), {"login": ada.email, "password": PASSWORD}),
        "reset": Endpoint(reverse("account_reset_password"), {"email": ada.email}),
        "change": Endpoint(
            reverse("account_change_password"), {"oldpassword": PASSWORD, **new}, user=ada
        ),
        "email": Endpoint(
            reverse("account_email"), {"email": "ada2@example.org", "action_add": ""}, user=ada
        ),
        "logout": Endpoint(reverse("account_logout"), {}, user=ada),
        "profile": Endpoint(reverse("accounts:profile"), PROFILE, user=ada),
    }


NAMES = ["signup", "login", "reset", "change", "email", "logout", "profile"]


(
    test_forged_or_missing_csrf_token_is_403_and_saves_nothing,
    test_the_genuine_csrf_token_is_accepted,
    test_garbled_bodies_are_refused_cleanly,
) = request_level_tests(NAMES)


@pytest.fixture
def unconfirmed() -> EmailAddress:
    user = UserFactory(email="grace@example.org")
    return EmailAddress.objects.create(user=user, email=user.email, primary=True)


@fuzz(25)
@given(forged=st.one_of(st.none(), hostile_text), post=posts({"action": "confirm"}))
def test_address_confirmation_link_confirms_only_with_the_genuine_key(unconfirmed, forged, post):
    address = unconfirmed
    key = EmailConfirmationHMAC(address).key if forged is None else quote(forged, safe="")
    with rolled_back():
        before = database_state()
        response = send(Client(), f"/accounts/confirm-email/{key}/", post)
        assert response.status_code in (200, 302, 404)
        delta = changes(before, database_state())
        if forged is not None:
            assert delta == {}
        else:
            assert response.status_code == 302
            assert_only(delta, EmailAddress={"changed": 1})
            assert EmailAddress.objects.get(pk=address.pk).verified
