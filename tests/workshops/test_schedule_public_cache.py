"""Whole cached responses for visitors without a session: the same bytes for all of them, never
someone's menu, messages or CSRF token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import (
    OrganizerFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    SpeakerProfileFactory,
    UserFactory,
    WorkshopFactory,
    release_schedule,
)

pytestmark = pytest.mark.django_db

PAGES = ["schedule", "speakers", "schedule_changes", "schedule_item"]


@pytest.fixture
def workshop():
    workshop = WorkshopFactory(
        slug="cached", schedule_status="final",
        start_date=dt.date(2031, 3, 4), end_date=dt.date(2031, 3, 4),
    )  # fmt: skip
    ada = SpeakerProfileFactory(name="Ada Lovelace")
    SpeakerAppearanceFactory(workshop=workshop, speaker=ada)
    ScheduleItemFactory(
        workshop=workshop, title="Tensor trains", speakers=[ada],
        start=dt.datetime(2031, 3, 4, 9, tzinfo=dt.UTC),
        end=dt.datetime(2031, 3, 4, 10, tzinfo=dt.UTC),
    )  # fmt: skip
    release_schedule(workshop)
    return workshop


def url(workshop, name: str) -> str:
    if name == "schedule_item":
        item = workshop.schedule_items.get()
        return reverse("schedule:schedule_item", args=[workshop.slug, item.pk])
    return reverse(f"schedule:{name}", args=[workshop.slug])


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_get_the_first_ones_response(
    client, workshop, name, django_assert_num_queries
):
    page_url = url(workshop, name)
    first = client.get(page_url)
    assert first.status_code == 200
    if name == "speakers":  # live: rendered by the first request
        assert first.templates
    else:  # the release's: rendered when it was published, stored
        assert first.templates == []

    with django_assert_num_queries(0):
        again = client.get(page_url)

    assert again.status_code == 200
    assert again.templates == []  # sent as it was kept, nothing rendered
    assert again.content == first.content
    assert ">Log in</a>" in again.content.decode()
    assert again["Content-Type"] == "text/html; charset=utf-8"
    assert {"Cookie", "Accept-Encoding"} <= {v.strip() for v in again["Vary"].split(",")}
    assert not again.cookies


@pytest.mark.parametrize("name", PAGES)
def test_logged_in_visitors_see_their_own_menu(client, workshop, name):
    client.get(url(workshop, name))  # kept for anonymous visitors
    client.force_login(UserFactory())

    html = client.get(url(workshop, name)).content.decode()
    assert ">Log out</a>" in html
    assert ">Log in</a>" not in html

    client.logout()
    client.cookies.clear()
    html = client.get(url(workshop, name)).content.decode()
    assert ">Log in</a>" in html
    assert ">Log out</a>" not in html


def test_a_logged_in_visit_first_is_not_what_anonymous_visitors_get(client, workshop):
    client.force_login(UserFactory())
    assert ">Log out</a>" in client.get(url(workshop, "schedule")).content.decode()

    client.logout()
    client.cookies.clear()
    html = client.get(url(workshop, "schedule")).content.decode()
    assert ">Log in</a>" in html
    assert ">Log out</a>" not in html


def messages_cookie(text: str) -> str:
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    return response.cookies[CookieStorage.cookie_name].value


@pytest.mark.parametrize("cached_first", [False, True])
def test_messages_are_shown_to_their_visitor_only(client, workshop, cached_first):
    if cached_first:
        client.get(url(workshop, "schedule"))
    client.cookies[CookieStorage.cookie_name] = messages_cookie("You are registered.")

    response = client.get(url(workshop, "schedule"))
    assert "You are registered." in response.content.decode()
    assert response.cookies[CookieStorage.cookie_name].value == ""  # shown, so deleted

    client.cookies.clear()
    assert "You are registered." not in client.get(url(workshop, "schedule")).content.decode()


def test_an_organizers_preview_is_not_kept_for_anonymous_visitors(client):
    owner = OrganizerFactory()
    workshop = WorkshopFactory(published=False, schedule_status="final", organizers=[owner])
    ScheduleItemFactory(workshop=workshop)
    release_schedule(workshop)
    client.force_login(owner)
    assert client.get(url(workshop, "schedule")).status_code == 200

    client.logout()
    client.cookies.clear()
    assert client.get(url(workshop, "schedule")).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_a_kept_page_holds_no_token_of_anyone(client, workshop, name):
    client.get(url(workshop, name))
    html = client.get(url(workshop, name)).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert "sessionid" not in html


def test_a_kept_page_is_not_served_by_a_deploy_with_other_static_files(
    client, workshop, monkeypatch
):
    client.get(url(workshop, "schedule"))
    assert client.get(url(workshop, "schedule")).templates == []  # kept

    # A deploy: the hashed names of the static files that the page links change.
    monkeypatch.setattr(staticfiles_storage, "manifest_hash", "next-deploy", raising=False)
    assert client.get(url(workshop, "schedule")).templates  # rendered again
