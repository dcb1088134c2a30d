"""/healthz: 200 and what each dependency said when all answer, 503 naming what failed."""

import time

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: a connection there is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_healthy(client, django_assert_max_num_queries):
    # SELECT 1, and on PostgreSQL a savepoint and its time limit around it.
    with django_assert_max_num_queries(4):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "cache"}
    assert all(said.startswith("ok") for said in body["checks"].values())
    assert "failed" not in body


def test_needs_no_login_nor_an_allowed_host_nor_https(client, settings):
    settings.ALLOWED_HOSTS = ["workshops.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz/", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    # Anything else from that host is still refused.
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_a_dead_broker_is_503_and_named(client):
    with override_settings(CELERY_BROKER_URL=DEAD_REDIS):
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"].startswith("failed")
    assert body["checks"]["database"] == "ok"
    assert elapsed < 5


def test_a_dead_cache_is_503_and_named(client):
    dead = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    dead["default"]["LOCATION"] = DEAD_REDIS
    with override_settings(CACHES=dead):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_a_dead_database_is_503_and_named(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise OSError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


def test_only_reads(client):
    assert client.post("/healthz").status_code == 405
