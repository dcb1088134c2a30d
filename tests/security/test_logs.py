"""Structured logs: one JSON object per record, tagged with the request it belongs to."""

import json
import logging
import sys

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config.logs import JsonFormatter, PlainFormatter, RequestIdFilter, RequestIdMiddleware

pytestmark = pytest.mark.django_db


def formatted(record: logging.LogRecord) -> dict:
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def record(message="Mail %s sent", args=(42,), **extra) -> logging.LogRecord:
    made = logging.LogRecord("outbox.mail", logging.INFO, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_a_record_is_one_json_object_with_its_extra_fields():
    entry = formatted(record(mail_id=42, outbox_key="registration-confirmed:7"))

    assert entry["level"] == "INFO"
    assert entry["logger"] == "outbox.mail"
    assert entry["message"] == "Mail 42 sent"
    assert entry["mail_id"] == 42
    assert entry["outbox_key"] == "registration-confirmed:7"
    assert entry["time"].endswith("+00:00")
    assert "request_id" not in entry  # outside a request


def test_an_exception_is_kept_in_the_same_line():
    try:
        raise ValueError("boom")
    except ValueError:
        made = record(message="failed", args=())
        made.exc_info = sys.exc_info()
    line = JsonFormatter().format(made)

    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exc_info"]


def test_records_inside_a_request_carry_its_id_and_the_response_returns_it():
    seen = {}

    def view(request):
        seen["entry"] = formatted(record())
        return HttpResponse("ok")

    middleware = RequestIdMiddleware(view)
    given = RequestFactory().get("/", HTTP_X_REQUEST_ID="trace-0123456789")
    response = middleware(given)

    assert response["X-Request-ID"] == "trace-0123456789"
    assert seen["entry"]["request_id"] == "trace-0123456789"
    assert "request_id" not in formatted(record())  # and none after it


@pytest.mark.parametrize("forged", ["", "short", "x" * 65, "a\nFAKE LOG LINE", "<script>"])
def test_an_unusable_incoming_id_is_replaced(forged):
    response = RequestIdMiddleware(lambda request: HttpResponse())(
        RequestFactory().get("/", HTTP_X_REQUEST_ID=forged)
    )
    assert response["X-Request-ID"] != forged
    assert len(response["X-Request-ID"]) == 32


def test_a_django_request_error_after_the_middleware_still_has_the_id(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-404-abcdef")

    assert response.status_code == 404
    [logged] = [r for r in caplog.records if r.name == "django.request"]
    assert formatted(logged)["request_id"] == "trace-404-abcdef"


@pytest.mark.parametrize(
    "path",
    [
        "/registrations/12/0123456789abcdef0123456789abcdef01234567/",
        "/registrations/12/confirm/0123456789abcdef0123456789abcdef01234567/",
        "/submissions/5/confirm/0123456789abcdef0123456789abcdef01234567/",
        "/accounts/speaker/3/0123456789abcdef0123456789abcdef01234567/",
        "/accounts/confirm-email/MQ:1tLxyz:abcdefgh/",
        "/accounts/password/reset/key/1-c7x6rk-0123abcd/",
    ],
)
def test_the_secrets_of_signed_links_never_reach_a_log_line(path):
    secret = path.rstrip("/").rsplit("/", 1)[1]
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None
    )
    record.request = f"<WSGIRequest: GET '{path}'>"
    for formatter in (JsonFormatter(), PlainFormatter("%(message)s %(request)s")):
        line = formatter.format(record)
        assert secret not in line
        assert "[redacted]" in line
