"""Security headers and cookies, and the production settings as `check --deploy` sees them."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from config import settings as project_settings
from tests.factories import OrganizerFactory

pytestmark = pytest.mark.django_db


def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("workshops:home"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response


def test_hsts_on_https_with_production_values(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    response = client.get(reverse("workshops:home"), secure=True)

    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_session_and_csrf_cookies_are_httponly(client):
    organizer = OrganizerFactory()
    page = client.get(reverse("admin:login"))
    assert page.cookies["csrftoken"]["httponly"] is True

    response = client.post(
        reverse("admin:login"),
        {"username": organizer.email, "password": "pw-secret-123", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"] is True
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_new_passwords_are_hashed_with_argon2(client, django_user_model, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the suite's are fast
    user = django_user_model.objects.create_user(email="new@example.org", password="pw-x-12345")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$")


def test_an_older_pbkdf2_hash_still_logs_in_and_is_upgraded_to_argon2(
    client, django_user_model, settings
):
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the suite's are fast
    user = django_user_model.objects.create_user(email="old@example.org", is_staff=True)
    user.password = make_password("pw-old-12345", hasher="pbkdf2_sha256")
    user.save()

    response = client.post(
        reverse("admin:login"),
        {"username": "old@example.org", "password": "pw-old-12345", "next": "/admin/"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"


PRODUCTION_PROBE = """
import json
import django
from django.conf import settings
from django.core.management import call_command
django.setup()
call_command("check", deploy=True, fail_level="WARNING")
print(json.dumps({
    "hsts": settings.SECURE_HSTS_SECONDS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "upgrade": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"],
    "log_format": settings.LOG_FORMAT,
    "hasher": settings.PASSWORD_HASHERS[0],
}))
"""


def test_production_settings_pass_check_deploy():
    # Only what CI's own `check --deploy` step has: nothing from this test run leaks in.
    values = run_probe(
        PRODUCTION_PROBE,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="workshops.example.org",
        SITE_URL="https://workshops.example.org",
    )
    assert values == {
        "hsts": 31536000,
        "ssl_redirect": True,
        "session_secure": True,
        "csrf_secure": True,
        "session_httponly": True,
        "upgrade": True,
        "log_format": "json",
        "hasher": "django.contrib.auth.hashers.Argon2PasswordHasher",
    }


def test_cache_url_options_reach_django():
    # django-environ keeps ?key_prefix= and ?timeout= in lower case; Django reads upper case.
    probe = (
        "import json, django; django.setup(); from django.conf import settings; "
        "c = settings.CACHES['default']; print(json.dumps([c.get('KEY_PREFIX'), c.get('TIMEOUT')]))"
    )
    cache_url = "redis://127.0.0.1:6379/14?key_prefix=wp-site&timeout=120"
    assert run_probe(probe, CACHE_URL=cache_url) == ["wp-site", 120]


def run_probe(code: str, **variables: str):
    """Run ``code`` in a fresh interpreter with only these variables (nothing from this test
    run leaks in); return its last line of output as JSON."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **variables,
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
