"""The admin lists, the CSV exports and the public pages cost the same number of queries for a
small event and one ten times larger (no N+1), and the CSV exports stream in flat memory."""

from __future__ import annotations

import io
import tracemalloc
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from demo.management.commands.generate_scale_data import Sizes, generate
from registration.models import Registration
from schedule import rendering
from submissions.models import Review
from tests.factories import OrganizerFactory
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

SMALL, LARGE = 0.004, 0.04  # 20 and 200 registrations, 4 and 40 submissions (×3 reviews)

ADMIN_LISTS = {
    "registrations": "admin:registration_registration_changelist",
    "submissions": "admin:submissions_submission_changelist",
    "reviews": "admin:submissions_review_changelist",
    "outbox": "admin:outbox_outgoingmail_changelist",
    "schedule items": "admin:schedule_scheduleitem_changelist",
    "workshops": "admin:workshops_workshop_changelist",
}
# Queries per page at any size, organizer logged in (session and user included), cold cache.
PINNED = {
    "registrations": 10,
    "submissions": 9,
    "reviews": 9,
    "outbox": 11,
    "schedule items": 11,
    "workshops": 10,
    "registrations.csv": 8,
    "reviews.csv": 10,
    # The public schedule, a first visit: the workshop's pk by slug, its row, then the release's
    # stored bytes (one query); pages add the session and the user, who gets their own menu
    # (one more: whether they sit on a committee, for its “Reviews” entry).
    "schedule.csv": 3,
    "workshop page": 12,  # and the stored schedule block of the current release
    "schedule page": 6,
    "speakers page": 7,
}


@dataclass
class Event:
    factor: float
    workshop: Workshop
    organizer: User


def events(*factors: float) -> list[Event]:
    """Generate one event per factor, each managed by an organizer of its own."""
    made = []
    for n, factor in enumerate(factors):
        workshop = generate(slug=f"scale-{n}", factor=factor)
        rendering.render_current_release(workshop.pk)  # as the worker does after the commit
        organizer = OrganizerFactory(email=f"organizer@scale-{n}.example.org")
        workshop.organizers.add(organizer)
        made.append(Event(factor, workshop, organizer))
    return made


def export_request(client, changelist: str, action: str):
    """Run an admin action on every row of a changelist ("select all N")."""
    return client.post(
        reverse(changelist),
        {"action": action, "select_across": "1", "index": "0", "_selected_action": ["0"]},
    )


def fetch(client, name: str, workshop: Workshop):
    """Request the page or export ``name`` and read its body into ``response.body`` (a
    streamed one runs its queries while it is read)."""
    response = request(client, name, workshop)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def request(client, name: str, workshop: Workshop):
    if name in ADMIN_LISTS:
        response = client.get(reverse(ADMIN_LISTS[name]))
    elif name == "registrations.csv":
        response = export_request(
            client, "admin:registration_registration_changelist", "export_csv"
        )
    elif name == "reviews.csv":
        response = export_request(
            client, "admin:submissions_submission_changelist", "export_reviews_csv"
        )
    elif name == "schedule.csv":
        response = client.get(reverse("schedule:schedule_csv", args=[workshop.slug]))
    else:
        page = {
            "workshop page": "workshops:detail",
            "schedule page": "schedule:schedule",
            "speakers page": "schedule:speakers",
        }
        response = client.get(reverse(page[name], args=[workshop.slug]))
    assert response.status_code == 200, (name, response.status_code)
    return response


def rows_shown(name: str, response, factor: float) -> None:
    """Check that the page really listed the event (a page of nothing costs little)."""
    sizes = Sizes.at(factor)
    expected = {
        "registrations": sizes.registrations,
        "submissions": sizes.submissions,
        "reviews": sizes.submissions * sizes.reviews_per_submission,
        "schedule items": sizes.schedule_items,
        "workshops": 1,
        "registrations.csv": sizes.registrations,
        "reviews.csv": sizes.submissions * sizes.reviews_per_submission,
        "schedule.csv": sizes.schedule_items,
    }
    if name == "outbox":  # a mail per registration, and one per decided submission
        assert response.context["cl"].result_count >= sizes.registrations
    elif name in ADMIN_LISTS:
        assert response.context["cl"].result_count == expected[name]
    elif name in expected:
        lines = response.body.decode("utf-8-sig").count("\r\n")
        assert lines == expected[name] + 1  # and the header
    elif name == "schedule page":
        assert f"Talk {sizes.schedule_items - 1}: low-rank" in response.body.decode()


@pytest.mark.parametrize("name", list(PINNED))
def test_queries_do_not_grow_with_the_event(name, client, django_assert_max_num_queries):
    counts = []
    for event in events(SMALL, LARGE):
        client.force_login(event.organizer)
        with django_assert_max_num_queries(PINNED[name]) as captured:
            response = fetch(client, name, event.workshop)
        rows_shown(name, response, event.factor)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries at 1x, {counts[1]} at 10x"
    assert counts[1] == PINNED[name], f"{name}: {counts[1]} queries; pin it in PINNED"


def test_generate_is_deterministic_and_to_size():
    first, second = events(LARGE, LARGE)
    sizes = Sizes.at(LARGE)
    assert (sizes.registrations, sizes.submissions, sizes.schedule_items) == (200, 40, 12)
    for event in (first, second):
        workshop = event.workshop
        assert workshop.registrations.count() == sizes.registrations
        assert workshop.submissions.count() == sizes.submissions
        assert Review.objects.filter(assignment__submission__workshop=workshop).count() == 120
        assert workshop.schedule_items.count() == sizes.schedule_items

    def content(workshop: Workshop) -> tuple[list, list]:
        registrations = Registration.objects.filter(workshop=workshop).order_by("pk")
        reviews = Review.objects.filter(assignment__submission__workshop=workshop).order_by("pk")
        return (
            list(registrations.values_list("last_name", "status", "career_stage", "created_at")),
            list(reviews.values_list("score", "confidence")),
        )

    # Another slug draws other names and scores; the same slug again, the same rows.
    before = content(first.workshop)
    assert content(second.workshop) != before
    again = generate(slug=first.workshop.slug, factor=LARGE, replace=True)
    assert content(again) == before


def test_generate_scale_data_command():
    out = io.StringIO()
    call_command("generate_scale_data", factor=0.01, slug="cli-event", stdout=out)
    assert "50 registrations, 10 submissions × 3 reviews (3 reviewers), 3 schedule items" in (
        out.getvalue()
    )
    with pytest.raises(CommandError, match="pass --replace"):
        call_command("generate_scale_data", factor=0.01, slug="cli-event")
    with pytest.raises(CommandError, match="--factor"):
        call_command("generate_scale_data", factor=0, slug="other")
    call_command("generate_scale_data", factor=0.02, slug="cli-event", replace=True, stdout=out)
    assert Registration.objects.filter(workshop__slug="cli-event").count() == 100


def peak_memory(client, name: str, workshop: Workshop) -> tuple[int, int]:
    """Return (peak bytes allocated while streaming the export, body size in bytes)."""
    fetch(client, name, workshop)  # first, untraced: what a first request loads is not the export
    tracemalloc.start()
    try:
        response = request(client, name, workshop)
        assert response.streaming
        size = sum(len(chunk) for chunk in response.streaming_content)  # read, then dropped
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, size


def test_csv_exports_stream_in_flat_memory(client):
    # 500 and 5,000 registrations, 300 and 3,000 reviews: each more than one chunk (250 rows).
    figures = {}
    for event in events(0.1, 1.0):
        client.force_login(event.organizer)
        for name in ("registrations.csv", "reviews.csv"):
            figures[name, event.factor] = peak_memory(client, name, event.workshop)
    for name in ("registrations.csv", "reviews.csv"):
        (small_peak, small_size), (large_peak, large_size) = (
            figures[name, 0.1],
            figures[name, 1.0],
        )
        print(
            f"{name}: 1x {small_size:,} B of CSV, peak {small_peak:,} B; "
            f"10x {large_size:,} B, peak {large_peak:,} B"
        )
        assert large_size > 9 * small_size
        assert large_peak < 2 * small_peak, name
