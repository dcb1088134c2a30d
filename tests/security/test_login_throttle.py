"""Login throttling: django-axes on the admin's and the speakers' login, allauth's own limits
on password-reset mail."""

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from outbox.models import OutgoingMail
from tests.factories import OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-secret-123"  # tests.factories.UserFactory's
ATTACKER = "203.0.113.9"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def admin_login(client, email, password, ip=ATTACKER):
    return client.post(
        reverse("admin:login"),
        {"username": email, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def speaker_login(client, email, password, ip=ATTACKER):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def speaker():
    user = UserFactory(email="ada@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_admin_login_locks_out_after_the_limit(client, limit):
    organizer = OrganizerFactory(email="org@example.org")

    answers = [admin_login(client, organizer.email, "wrong").status_code for _ in range(limit)]

    assert answers == [200] * (limit - 1) + [429]
    locked = admin_login(client, organizer.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    [attempt] = AccessAttempt.objects.all()
    assert (attempt.username, attempt.ip_address) == ("org@example.org", ATTACKER)
    assert attempt.failures_since_start == limit + 1  # trying while locked out counts too


def test_the_lockout_is_for_that_address_from_that_ip_only(client, limit):
    organizer = OrganizerFactory(email="org@example.org")
    other = OrganizerFactory(email="other@example.org")
    for _ in range(limit):
        admin_login(client, organizer.email, "wrong")

    # Case does not get around it.
    assert admin_login(client, "ORG@example.org", PASSWORD).status_code == 429
    # The organizer from their own address, and someone else from the attacker's, still get in.
    assert admin_login(client, organizer.email, PASSWORD, ip=ELSEWHERE).status_code == 302
    client.logout()
    assert admin_login(client, other.email, PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, limit):
    organizer = OrganizerFactory(email="org@example.org")
    for _ in range(limit - 1):
        admin_login(client, organizer.email, "wrong")
    assert admin_login(client, organizer.email, PASSWORD).status_code == 302
    client.logout()

    answers = [admin_login(client, organizer.email, "wrong").status_code for _ in range(limit)]
    assert answers == [200] * (limit - 1) + [429]


def test_speaker_login_locks_out_after_the_limit(client, speaker, limit):
    answers = [speaker_login(client, speaker.email, "wrong").status_code for _ in range(limit)]

    assert answers == [200] * (limit - 1) + [429]
    locked = speaker_login(client, "Ada@Example.org", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    [attempt] = AccessAttempt.objects.all()
    assert (attempt.username, attempt.failures_since_start) == ("ada@example.org", limit + 1)

    response = speaker_login(client, speaker.email, PASSWORD, ip=ELSEWHERE)
    assert response.status_code == 302
    assert response.url == reverse("submissions:after_login")


def test_failures_on_one_login_page_count_on_the_other(client, speaker, limit):
    speaker.is_staff = True
    speaker.save()
    for _ in range(limit - 1):
        speaker_login(client, speaker.email, "wrong")

    assert admin_login(client, speaker.email, "wrong").status_code == 429
    assert speaker_login(client, speaker.email, PASSWORD).status_code == 429


def test_password_reset_mail_is_limited_per_address(client, settings, speaker):
    per_address = int(settings.ACCOUNT_RATE_LIMITS["reset_password"].split(",")[1].split("/")[0])
    url = reverse("account_reset_password")

    answers = [
        client.post(url, {"email": speaker.email}).status_code for _ in range(per_address + 2)
    ]

    assert answers == [302] * per_address + [429, 429]
    refused = client.post(url, {"email": speaker.email})
    assert "Too many requests" in refused.content.decode()
    assert OutgoingMail.objects.filter(to=speaker.email).count() == per_address
    # Another person's reset still goes through.
    other = UserFactory(email="grace@example.org")
    assert client.post(url, {"email": other.email}).status_code == 302


def test_admin_login_attempts_per_ip_are_limited_before_any_hashing(client, settings):
    settings.ADMIN_LOGIN_POSTS_PER_MINUTE = 3
    hashed = []
    settings.PASSWORD_HASHERS = ["tests.security.test_login_throttle.CountingHasher"]
    CountingHasher.calls = hashed
    answers = [admin_login(client, f"nobody{n}@example.org", "guess").status_code for n in range(3)]
    assert answers == [200, 200, 200]
    hashed_by_three = len(hashed)
    assert hashed_by_three >= 3
    refused = [admin_login(client, f"more{n}@example.org", "guess") for n in range(2)]
    assert [r.status_code for r in refused] == [429, 429]
    assert "Too many attempts" in refused[0].content.decode()
    assert len(hashed) == hashed_by_three  # the refused attempts hashed nothing
    # Another address is not held back.
    assert admin_login(client, "nobody@example.org", "guess", ip=ELSEWHERE).status_code == 200


class CountingHasher(MD5PasswordHasher):
    """MD5, counting each password it hashes (a login for an unknown user hashes once)."""

    calls: list = []

    def encode(self, password, salt):
        self.calls.append(password)
        return super().encode(password, salt)
