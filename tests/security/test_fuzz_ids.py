"""Ids and numbers in URLs and query strings: a 404 or the page, never a 500.

Before: an item id past 64 bits was a 500 on SQLite (the schedule's plain SQL handed it to
sqlite3, which raised OverflowError), and ``?workshop=²`` on an admin add page was a 500
(``str.isdigit()`` says yes to "²", ``int()`` does not).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given, strategies as st

from tests.factories import OrganizerFactory, ScheduleItemFactory, WorkshopFactory
from tests.security.fuzzing import fuzz
from tests.security.hostile import NUMBERISH, numeric_text

pytestmark = pytest.mark.django_db

ids = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["9223372036854775807", "9223372036854775808", "1" * 19, "0"]),
    numeric_text,
)


@pytest.fixture
def item():
    workshop = WorkshopFactory(schedule_status="tentative")
    return ScheduleItemFactory(workshop=workshop)


@fuzz(40)
@given(item_id=ids)
def test_public_schedule_item_urls_answer_404_or_the_item(item, item_id):
    slug = item.workshop.slug
    for url in (
        f"/workshops/{slug}/schedule/{quote(item_id)}/",
        f"/workshops/{slug}/schedule/{quote(item_id)}.ics",
    ):
        response = Client().get(url)
        expected = 200 if item_id == str(item.pk) else 404
        assert response.status_code in (expected, 404), url


@fuzz(40)
@given(pk=ids)
def test_object_urls_answer_404_for_ids_that_name_no_row(pk):
    for url in (
        f"/submissions/{quote(pk)}/",
        f"/reviews/{quote(pk)}/",
        f"/registrations/{quote(pk)}/x/",
    ):
        response = Client().get(url)
        assert response.status_code in (302, 404), url  # the login first, where one is needed


@pytest.fixture
def organizer_client():
    organizer = OrganizerFactory()
    WorkshopFactory(organizers=[organizer])
    client = Client()
    client.force_login(organizer)
    return client


@fuzz(25)
@given(workshop=st.one_of(st.sampled_from(NUMBERISH), numeric_text, ids))
def test_admin_add_pages_take_any_workshop_parameter(organizer_client, workshop):
    for model in ("schedule/scheduleitem", "workshops/keydate"):
        response = organizer_client.get(f"/admin/{model}/add/", {"workshop": workshop})
        assert response.status_code == 200, (model, workshop)
