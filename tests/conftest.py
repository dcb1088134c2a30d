"""Shared fixtures. Tests that need PostgreSQL, Redis or Chromium skip on the embedded default
with a reason, and fail instead of skipping when CI=true (CI must run them all)."""

import os
import shutil
import uuid

import pytest
import redis
from django.conf import settings

from config.celery_app import app as celery_app

# SMTP sink and real Celery worker fixtures (smtp_sink, celery_worker).
pytest_plugins = ["tests.fixtures_celery"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def has_broker() -> bool:
    return not settings.CELERY_BROKER_URL.startswith("memory://")


def pytest_collection_modifyitems(config, items):
    reasons = {}
    if not uses_postgres():
        reasons["postgres"] = "needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)"
    if not has_broker():
        reasons["broker"] = (
            "needs Redis and a Celery worker: set CELERY_BROKER_URL=redis://… (CI does)"
        )
    if not shutil.which(CHROMIUM):
        reasons["e2e"] = f"needs Debian's chromium at {CHROMIUM} (apt-get install -y chromium)"
    if IN_CI and "e2e" in reasons:
        raise pytest.UsageError(f"CI must run the browser tests: {reasons['e2e']}")
    for item in items:
        for marker, reason in reasons.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash a password per user: Argon2 (about 0.7 s here) would dominate the run.
    The test of the production hashers sets them back (tests/security/test_headers.py)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery_and_own_cache(settings):
    """Run tasks in-process unless a test asks for the real worker (fixture celery_worker),
    and give each test a cache of its own: rate limits and cached pages must not leak from
    one test to the next, and a shared Redis is never flushed (only our own keys go)."""
    from django.core.cache import cache

    on_redis = "redis" in settings.CACHES["default"]["BACKEND"].lower()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    if on_redis:
        settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
    if on_redis:
        location = settings.CACHES["default"]["LOCATION"]
        with redis.Redis.from_url(location if isinstance(location, str) else location[0]) as client:
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _broker_not_resting():
    """A broker failure in one test must not make the next one skip publishing."""
    from outbox import dispatch

    dispatch._broker_down_until = 0.0
    yield
    dispatch._broker_down_until = 0.0


@pytest.fixture(autouse=True)
def _own_private_media(settings, tmp_path):
    """Keep submitted PDFs written by a test in that test's own directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def organizer(django_user_model):
    return django_user_model.objects.create_user(
        email="organizer@example.org", password="pw-organizer-1", is_staff=True
    )
