"""What the form fuzz tests share: the Hypothesis profile, the posts, and the checks.

Every fuzz test posts a form's valid data with a few fields swapped for hostile values, dropped
or sent twice (or only some of the fields at all), and then asks two questions: did the site
answer with a form error, a redirect or a 403, never a 500; and did the database change exactly
as the answer says (nothing on a refusal, the expected rows on a success)? Each example runs in
a savepoint that is rolled back, so that every example starts from the same data.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils.html import escape
from hypothesis import (
    HealthCheck,
    currently_in_test_context,
    event,
    given,
    settings as hypothesis_settings,
    strategies as st,
)

from accounts.models import User
from outbox.models import OutgoingMail
from registration.models import Registration
from submissions.models import Author, Review, Submission
from tests.security.hostile import hostile_text, uploads
from workshops.models import SpeakerAppearance, SpeakerProfile

# Reproducible in CI (the same examples on every run), fresh examples on a developer's machine.
hypothesis_settings.register_profile(
    "fuzz",
    deadline=None,
    max_examples=30,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # fixtures hold data that every example rolls back
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
hypothesis_settings.register_profile(
    "fuzz-ci", parent=hypothesis_settings.get_profile("fuzz"), derandomize=True, database=None
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PROFILE = hypothesis_settings.get_profile("fuzz-ci" if IN_CI else "fuzz")
# FUZZ_SCALE=20 pytest tests/security/test_fuzz_*.py: a long hunt, examples times twenty.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def fuzz(examples: int = 30) -> hypothesis_settings:
    """Return the fuzz profile with this many examples (for one form)."""
    return hypothesis_settings(PROFILE, max_examples=max(1, round(examples * SCALE)))


@pytest.fixture
def fuzz_environment(settings, tmp_path):
    """Limits that would trip under hundreds of posts from one address are lifted (the rate
    limits have their own tests), passwords hash fast, and uploads stay in the test's dir."""
    settings.REGISTRATION_POSTS_PER_MINUTE = 10**9
    settings.REGISTRATION_POSTS_PER_ADDRESS_PER_HOUR = 10**9
    settings.REGISTRATION_POSTS_PER_ADDRESS_AND_IP_PER_MINUTE = 10**9
    settings.ADMIN_LOGIN_POSTS_PER_MINUTE = 10**9
    settings.COAUTHOR_NOTICES_PER_DAY = 10**9
    settings.ACCOUNT_RATE_LIMITS = False
    settings.AXES_FAILURE_LIMIT = 10**6
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


# --- posts -----------------------------------------------------------------------------------


@st.composite
def mutated(draw, valid: dict, extra: tuple[str, ...] = ()) -> dict:
    """The valid post with up to three fields hostile, missing, duplicated or a file."""
    data = dict(valid)
    keys = sorted(set(valid) | set(extra))
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        how = draw(st.sampled_from(["hostile", "hostile", "hostile", "drop", "twice", "file"]))
        if how == "drop":
            data.pop(key, None)
        elif how == "twice":
            pair = [data.get(key, ""), draw(hostile_text)]
            data[key] = draw(st.permutations(pair))
        elif how == "file":
            data[key] = draw(uploads)
        else:
            data[key] = draw(hostile_text)
    return data


def posts(valid: dict, extra: tuple[str, ...] = ()) -> st.SearchStrategy[dict]:
    """Mostly the valid post with a few fields spoilt; sometimes any subset of the fields."""
    sparse = st.fixed_dictionaries(
        {}, optional={key: st.one_of(st.just(value), hostile_text) for key, value in valid.items()}
    )
    return st.one_of(mutated(valid, extra), mutated(valid, extra), sparse)


def last(data: dict, key: str, default=None):
    """Return what ``request.POST`` reads for ``key``: the last value of a repeated field;
    a file goes to ``request.FILES`` instead."""
    value = data.get(key, default)
    value = value[-1] if isinstance(value, list | tuple) else value
    return default if isinstance(value, SimpleUploadedFile) else value


# --- the database, before and after -----------------------------------------------------------

WATCHED = (
    User,
    EmailAddress,
    SpeakerProfile,
    SpeakerAppearance,
    Registration,
    Submission,
    Author,
    Review,
    OutgoingMail,
)


def database_state() -> dict[str, dict]:
    return {
        model._meta.label: {row["id"]: row for row in model._base_manager.values()}
        for model in WATCHED
    }


def changes(before: dict, after: dict) -> dict[str, dict[str, set]]:
    """Return, per table that changed, the primary keys added, removed and changed."""
    out = {}
    for label, old in before.items():
        new = after[label]
        delta = {
            "added": new.keys() - old.keys(),
            "removed": old.keys() - new.keys(),
            "changed": {pk for pk in new.keys() & old.keys() if new[pk] != old[pk]},
        }
        if any(delta.values()):
            out[label] = delta
    return out


def added(delta: dict, after: dict, label: str) -> list[dict]:
    """Return the rows of table ``label`` that the change added."""
    pks = delta.get(label, {}).get("added", set())
    return [after[label][pk] for pk in sorted(pks)]


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is always undone."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- the request and what the answer shows ---------------------------------------------


def send(client, url: str, data: dict):
    """Post ``data`` (multipart, as a browser sends a form); count the answers by status."""
    response = client.post(url, data)
    if currently_in_test_context():
        event(f"HTTP {response.status_code}")
    return response


def csrf_pair() -> tuple[str, str]:
    """Return a fresh CSRF cookie and the token a form of that session would carry."""
    request = RequestFactory().get("/")
    token = get_token(request)
    return request.META["CSRF_COOKIE"], token


# What an attacker's page can send: no token, a guess, or a token of some other session.
forgeries = st.one_of(
    st.sampled_from(["no token", "no cookie", "another session's token", "truncated"]),
    hostile_text,
)


@dataclass
class Endpoint:
    """A form as a browser posts it: where, what, and as whom."""

    url: str
    data: dict
    user: object = None

    def client(self, *, enforce_csrf_checks: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        if self.user is not None:
            client.force_login(self.user)
        return client


def post_with_csrf(client: Client, url: str, data: dict, forgery: str | None):
    """Post with the CSRF token spoilt as ``forgery`` says (None: the genuine token)."""
    secret, token = csrf_pair()
    client.cookies[django_settings.CSRF_COOKIE_NAME] = secret
    if forgery == "no cookie":
        del client.cookies[django_settings.CSRF_COOKIE_NAME]
    elif forgery == "no token":
        token = None
    elif forgery == "another session's token":
        token = csrf_pair()[1]
    elif forgery == "truncated":
        token = token[:-1]
    elif forgery is not None:
        token = forgery
    return send(client, url, data if token is None else {**data, "csrfmiddlewaretoken": token})


def assert_csrf_refused(endpoint: Endpoint, forgery: str) -> None:
    """A forged or missing token: 403 and nothing saved, whatever the form said."""
    client = endpoint.client(enforce_csrf_checks=True)
    with rolled_back():
        before = database_state()
        response = post_with_csrf(client, endpoint.url, endpoint.data, forgery)
        assert response.status_code == 403
        assert changes(before, database_state()) == {}


def assert_csrf_accepted(endpoint: Endpoint) -> None:
    """The genuine token gets through (so that the 403s above are the token's doing)."""
    client = endpoint.client(enforce_csrf_checks=True)
    with rolled_back():
        response = post_with_csrf(client, endpoint.url, endpoint.data, None)
        assert response.status_code in (200, 302), response.status_code


# Bodies no browser sends: garbage, a broken multipart, far too many fields.
garbled_bodies = st.tuples(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "application/json",
            "text/plain; charset=nonsense",
            "application/x-www-form-urlencoded; charset=utf-16",
        ]
    ),
    st.one_of(
        st.binary(max_size=2000),
        st.sampled_from(
            [
                b'--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nunterminated',
                b'--xyz\r\nContent-Disposition: form-data; name="pdf"; filename="a.pdf"\r\n',
                b"&".join([b"a=1"] * 1500),
                b"title=%FF%FE%00&email=%C0%AF&first_name=%ED%A0%80",
                b"%%%%%",
            ]
        ),
    ),
)


def assert_garbled_body_refused(endpoint: Endpoint, content_type: str, body: bytes) -> None:
    client = endpoint.client()
    with rolled_back():
        before = database_state()
        response = client.generic("POST", endpoint.url, body, content_type=content_type)
        event(f"HTTP {response.status_code}")
        assert response.status_code in (200, 302, 400, 404), response.status_code
        if endpoint.data:  # a button without fields (withdraw, log out) may do its job
            assert changes(before, database_state()) == {}


def shown_errors(response) -> list[str]:
    """Return the form errors and error messages the page was rendered with."""
    texts: list[str] = []
    context = response.context or {}
    for name in ("form", "authors"):
        value = context.get(name)
        forms = []
        if isinstance(value, BaseFormSet):
            texts += value.non_form_errors()
            forms = value.forms
        elif isinstance(value, BaseForm):
            forms = [value]
        for form in forms:
            texts += [message for errors in form.errors.values() for message in errors]
    messages = context.get("messages") or []
    texts += [str(m) for m in messages if "error" in m.tags or "warning" in m.tags]
    return texts


def assert_refused(response, before: dict, after: dict, post: dict | None = None) -> None:
    """A refusal: the form again with an error the person can read, and nothing saved.

    A post without any text field (browsers always send at least the CSRF token) may get the
    blank form back.
    """
    assert response.status_code in (200, 400), response.status_code
    assert changes(before, after) == {}
    if post is not None and all(last(post, key) is None for key in post):
        return
    errors = shown_errors(response)
    assert errors, "refused without saying why"
    page = response.content.decode()
    assert any(escape(text) in page for text in errors), errors


def assert_only(delta: dict, **expected: dict[str, int]) -> None:
    """Check that exactly these tables changed, by this many rows added/changed/removed."""
    event("saved")
    counted = {
        label.split(".")[1]: {kind: len(pks) for kind, pks in d.items() if pks}
        for label, d in delta.items()
    }
    assert counted == expected, counted


def request_level_tests(names: list[str]):
    """The three tests every fuzz module runs on its endpoints (a fixture ``endpoints`` maps
    each name to an Endpoint): a forged or missing CSRF token is refused and saves nothing,
    the genuine token gets through, and garbled bodies are refused cleanly."""

    @fuzz(25)
    @given(name=st.sampled_from(names), forgery=forgeries)
    def test_forged_or_missing_csrf_token_is_403_and_saves_nothing(endpoints, name, forgery):
        assert_csrf_refused(endpoints[name], forgery)

    @pytest.mark.parametrize("name", names)
    def test_the_genuine_csrf_token_is_accepted(endpoints, name):
        assert_csrf_accepted(endpoints[name])

    @fuzz(25)
    @given(name=st.sampled_from(names), body=garbled_bodies)
    def test_garbled_bodies_are_refused_cleanly(endpoints, name, body):
        assert_garbled_body_refused(endpoints[name], *body)

    return (
        test_forged_or_missing_csrf_token_is_403_and_saves_nothing,
        test_the_genuine_csrf_token_is_accepted,
        test_garbled_bodies_are_refused_cleanly,
    )
