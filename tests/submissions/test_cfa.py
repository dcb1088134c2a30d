"""The call for abstracts: its admin (deadline typed in its own zone, AoE included, scoped to the
organizer's workshops) and the key dates it gives the workshop page."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from submissions.cfa_admin import CallForAbstractsAdmin, SubmissionTypeAdmin
from submissions.models import CallForAbstracts, SubmissionType
from tests.factories import (
    KeyDateFactory,
    OrganizerFactory,
    ScheduleItemFactory,
    WorkshopFactory,
)
from tests.submissions.factories import CallForAbstractsFactory, SubmissionTypeFactory
from workshops.timezones import AOE

pytestmark = pytest.mark.django_db

ADD_URL = "admin:submissions_callforabstracts_add"


@pytest.fixture
def alice(client):
    user = OrganizerFactory(email="alice@example.org")
    client.force_login(user)
    return user


@pytest.fixture
def workshop(alice):
    return WorkshopFactory(title="Alice's Workshop", slug="alices", organizers=[alice])


def cfa_form(workshop, **changes) -> dict:
    data = {
        "workshop": workshop.pk,
        "deadline_zone": AOE,
        "opens_at_0": "2031-01-10",
        "opens_at_1": "09:00:00",
        "deadline_0": "2031-03-15",
        "deadline_1": "23:59:59",
        "notification_date": "2031-05-01",
        "word_limit": 300,
        "pdf_upload": "optional",
        "pdf_max_mb": 5,
        "multiple_submissions": "on",
        "reviewers_per_submission": 3,
    }
    data.update(changes)
    return data


def change_url(cfa) -> str:
    return reverse("admin:submissions_callforabstracts_change", args=[cfa.pk])


def test_our_admins_are_the_registered_ones():
    assert isinstance(admin.site.get_model_admin(CallForAbstracts), CallForAbstractsAdmin)
    assert isinstance(admin.site.get_model_admin(SubmissionType), SubmissionTypeAdmin)


def test_deadline_typed_in_aoe_is_stored_as_that_instant(client, workshop):
    response = client.post(reverse(ADD_URL), cfa_form(workshop))
    assert response.status_code == 302, response.content.decode()[:3000]
    cfa = CallForAbstracts.objects.get(workshop=workshop)
    assert cfa.deadline == dt.datetime(2031, 3, 16, 11, 59, 59, tzinfo=dt.UTC)
    assert cfa.opens_at == dt.datetime(2031, 1, 10, 21, 0, tzinfo=dt.UTC)
    assert cfa.notification_date == dt.date(2031, 5, 1)
    # The page shows it back as typed, in AoE.
    page = client.get(change_url(cfa)).content.decode()
    assert "Types: Talk, Poster, Spotlight, Lightning talk" in page
    assert re.search(r'name="deadline_0" value="2031-03-15"', page)
    assert re.search(r'name="deadline_1" value="23:59:59"', page)
    listing = client.get(reverse("admin:submissions_callforabstracts_changelist"))
    assert "15 March 2031, 23:59 AoE" in listing.content.decode()


def test_deadline_typed_in_the_workshops_zone(client, workshop):
    client.post(reverse(ADD_URL), cfa_form(workshop, deadline_zone="Europe/Paris"))
    cfa = CallForAbstracts.objects.get(workshop=workshop)
    assert cfa.deadline == dt.datetime(2031, 3, 15, 22, 59, 59, tzinfo=dt.UTC)


def test_changing_the_zone_reads_the_times_in_the_new_zone(client, workshop):
    client.post(reverse(ADD_URL), cfa_form(workshop))
    cfa = CallForAbstracts.objects.get(workshop=workshop)
    data = cfa_form(workshop, deadline_zone="Europe/Paris")
    del data["workshop"]  # read-only once created
    response = client.post(change_url(cfa), data)
    assert response.status_code == 302
    cfa.refresh_from_db()
    assert cfa.deadline == dt.datetime(2031, 3, 15, 22, 59, 59, tzinfo=dt.UTC)
    page = client.get(change_url(cfa)).content.decode()
    assert re.search(r'name="deadline_1" value="23:59:59"', page)


def test_creating_a_call_gives_the_standard_submission_types(client, workshop):
    SubmissionTypeFactory(workshop=workshop, name="Talk")
    client.post(reverse(ADD_URL), cfa_form(workshop))
    names = list(SubmissionType.objects.filter(workshop=workshop).values_list("name", flat=True))
    assert names == ["Talk", "Poster", "Spotlight", "Lightning talk"]


def test_deadline_before_the_opening_is_a_form_error(client, workshop):
    response = client.post(reverse(ADD_URL), cfa_form(workshop, deadline_0="2031-01-01"))
    assert response.status_code == 200
    assert "The deadline must come after the opening." in response.content.decode()
    assert not CallForAbstracts.objects.exists()


def test_unknown_zone_is_a_form_error_not_a_500(client, workshop):
    response = client.post(reverse(ADD_URL), cfa_form(workshop, deadline_zone="Mars/Olympus"))
    assert response.status_code == 200
    assert not CallForAbstracts.objects.exists()


def test_organizers_manage_only_their_own_calls(client, alice, workshop):
    bobs = CallForAbstractsFactory(workshop=WorkshopFactory(title="Bob's Workshop"))
    own = CallForAbstractsFactory(workshop=workshop)
    listing = client.get(reverse("admin:submissions_callforabstracts_changelist"))
    assert list(listing.context["cl"].queryset) == [own]
    # The admin's answer for an object outside one's queryset: "doesn't exist", back home.
    assert client.get(change_url(bobs)).url == reverse("admin:index")
    response = client.post(reverse(ADD_URL), cfa_form(bobs.workshop))
    assert response.status_code == 200  # not a choice for Alice
    SubmissionTypeFactory(workshop=bobs.workshop, name="Bob-only type")
    SubmissionTypeFactory(workshop=workshop, name="Alice's type")
    types = client.get(reverse("admin:submissions_submissiontype_changelist")).content.decode()
    assert "Alice&#x27;s type" in types
    assert "Bob-only type" not in types


# --- the workshop page ----------------------------------------------------------------------


def _aoe_call(workshop, **fields):
    return CallForAbstractsFactory(
        workshop=workshop,
        deadline_zone=AOE,
        opens_at=dt.datetime(2031, 1, 10, 21, 0, tzinfo=dt.UTC),  # 09:00 AoE
        deadline=dt.datetime(2031, 3, 16, 11, 59, tzinfo=dt.UTC),  # 23:59 AoE on the 15th
        notification_date=dt.date(2031, 5, 1),
        **fields,
    )


def test_workshop_page_shows_the_calls_dates_in_aoe_with_local_time(client):
    workshop = WorkshopFactory()
    _aoe_call(workshop)
    KeyDateFactory(
        workshop=workshop, label="Abstract submission deadline", date=dt.date(2030, 1, 1)
    )
    KeyDateFactory(workshop=workshop, label="Registration closes", date=dt.date(2031, 6, 1))
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "Call for abstracts opens: 10 January 2031, 09:00 AoE" in html
    assert "Abstract submission deadline: 15 March 2031, 23:59 AoE" in html
    assert '<time datetime="2031-03-16T11:59:00+00:00" data-local-time>' in html
    assert "Notification of acceptance: 1 May 2031" in html
    # The call replaces the hand-written deadline; other key dates stay.
    assert "1 January 2030" not in html
    assert "Registration closes:" in html
    assert "/static/js/localtime.js" in html
    assert "<script>" not in html  # no inline scripts (a CSP comes later)


def test_deadline_in_the_workshops_zone_is_shown_there(client):
    workshop = WorkshopFactory(time_zone="Europe/Paris")
    CallForAbstractsFactory(
        workshop=workshop,
        deadline_zone="Europe/Paris",
        deadline=dt.datetime(2031, 3, 15, 22, 59, tzinfo=dt.UTC),
        notification_date=None,
    )
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "Abstract submission deadline: 15 March 2031, 23:59 Europe/Paris" in html


def test_without_a_call_the_key_dates_stay_as_they_are(client):
    workshop = WorkshopFactory()
    KeyDateFactory(
        workshop=workshop, label="Abstract submission deadline", date=dt.date(2031, 3, 1),
        time=dt.time(23, 59), time_zone=AOE,
    )  # fmt: skip
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "Abstract submission deadline:" in html
    assert "1 March 2031, 23:59 AoE" in html
    assert "Submit an abstract" not in html


def test_open_call_links_its_form_from_the_workshop_page(client):
    cfa = CallForAbstractsFactory()
    html = client.get(cfa.workshop.get_absolute_url()).content.decode()
    assert reverse("submissions:new", args=[cfa.workshop.slug]) in html


def test_the_call_costs_the_workshop_page_no_query(client):
    plain, with_call = WorkshopFactory(), WorkshopFactory()
    _aoe_call(with_call)
    counts = []
    for workshop in (plain, with_call):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(workshop.get_absolute_url()).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_once_the_deadline_passes_no_page_offers_submit_an_abstract(client, monkeypatch):
    """Stored and cached pages too: the deadline passes without a save, so without a new
    schedule version; their nav is keyed by whether the call still takes abstracts."""
    from schedule import services as schedule_services

    workshop = WorkshopFactory(schedule_status="tentative")
    deadline = timezone.now() + dt.timedelta(hours=1)
    CallForAbstractsFactory(workshop=workshop, deadline=deadline)
    ScheduleItemFactory(workshop=workshop, title="Opening")
    schedule_services.release_if_changed(workshop)
    pages = [
        workshop.get_absolute_url(),
        f"/workshops/{workshop.slug}/schedule/",
        f"/workshops/{workshop.slug}/speakers/",
    ]
    nav = ">Submit an abstract</a></li>"
    for path in pages:
        assert nav in client.get(path).content.decode(), path

    # The clock passes the deadline; nothing is saved.
    later = deadline + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    for path in pages:
        assert nav not in client.get(path).content.decode(), path
    workshop_page = client.get(workshop.get_absolute_url()).content.decode()
    assert f'href="/workshops/{workshop.slug}/submit/"' not in workshop_page
