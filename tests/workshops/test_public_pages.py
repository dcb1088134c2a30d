"""Public pages: visibility, sanitized Markdown, and query counts that do not grow."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    KeyDateFactory,
    OrganizerFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    TopicFactory,
    WorkshopFactory,
    release_schedule,
)

pytestmark = pytest.mark.django_db


def test_unpublished_workshop_is_404_to_the_public(client):
    workshop = WorkshopFactory(published=False)
    assert client.get(workshop.get_absolute_url()).status_code == 404
    assert client.get(reverse("schedule:speakers", args=[workshop.slug])).status_code == 404
    assert workshop.title not in client.get(reverse("workshops:home")).content.decode()


def test_unpublished_workshop_is_previewed_by_its_organizer_only(client):
    owner, other = OrganizerFactory(), OrganizerFactory()
    workshop = WorkshopFactory(published=False, organizers=[owner])
    client.force_login(other)
    assert client.get(workshop.get_absolute_url()).status_code == 404
    client.force_login(owner)
    response = client.get(workshop.get_absolute_url())
    assert response.status_code == 200
    assert "Preview: this workshop is not published" in response.content.decode()


def test_unknown_workshop_is_404(client):
    assert client.get("/workshops/no-such-thing/").status_code == 404


def test_description_is_sanitized(client):
    workshop = WorkshopFactory(
        description=(
            "Welcome **all**.\n\n<script>alert('x')</script>\n\n"
            '<img src="x" onerror="alert(1)">\n\n<a href="javascript:alert(2)">click</a>\n\n'
            '<p onclick="steal()">para</p>'
        )
    )
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "<strong>all</strong>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html


def test_speaker_bio_is_sanitized(client):
    appearance = SpeakerAppearanceFactory(
        speaker__bio='Hi <script>bad()</script><b onmouseover="x()">b</b>'
    )
    html = client.get(
        reverse("schedule:speakers", args=[appearance.workshop.slug])
    ).content.decode()
    assert "<script>bad" not in html
    assert "onmouseover" not in html


def test_only_confirmed_speakers_are_public(client):
    workshop = WorkshopFactory()
    SpeakerAppearanceFactory(workshop=workshop, speaker__name="Confirmed Person", confirmed=True)
    SpeakerAppearanceFactory(workshop=workshop, speaker__name="Unconfirmed Person", confirmed=False)
    for url in (workshop.get_absolute_url(), reverse("schedule:speakers", args=[workshop.slug])):
        html = client.get(url).content.decode()
        assert "Confirmed Person" in html
        assert "Unconfirmed Person" not in html


def test_key_dates_show_tba_and_aoe(client):
    workshop = WorkshopFactory()
    KeyDateFactory(workshop=workshop, label="Acceptance notification", date=None)
    KeyDateFactory(
        workshop=workshop, label="Abstract deadline", date=dt.date(2031, 3, 1),
        time=dt.time(23, 59), time_zone="Etc/GMT+12",
    )  # fmt: skip
    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "Acceptance notification:" in html
    assert "TBA" in html
    assert "1 March 2031, 23:59 AoE" in html


def test_schedule_times_are_shown_in_the_workshops_zone(client):
    workshop = WorkshopFactory(
        time_zone="Asia/Dubai", start_date=dt.date(2031, 1, 3), end_date=dt.date(2031, 1, 6),
        schedule_status="tentative",
    )  # fmt: skip
    # 05:00 UTC is 09:00 in Dubai.
    ScheduleItemFactory(
        workshop=workshop, title="Morning talk",
        start=dt.datetime(2031, 1, 3, 5, 0, tzinfo=dt.UTC),
        end=dt.datetime(2031, 1, 3, 5, 45, tzinfo=dt.UTC),
    )  # fmt: skip
    assert "Morning talk" not in client.get(workshop.get_absolute_url()).content.decode()
    release_schedule(workshop)  # the public sees releases only

    html = client.get(workshop.get_absolute_url()).content.decode()
    assert "09:00–09:45" in html
    assert "Fri 3 Jan (Day 1)" in html
    assert "Tentative schedule" in html


def test_hidden_schedule_is_not_shown(client):
    workshop = WorkshopFactory(schedule_status="hidden")
    ScheduleItemFactory(workshop=workshop, title="Secret slot", kind="break")
    assert "Secret slot" not in client.get(workshop.get_absolute_url()).content.decode()


def test_home_lists_upcoming_and_past(client):
    upcoming = WorkshopFactory(title="Future Workshop")
    past = WorkshopFactory(
        title="Old Workshop", start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 1, 2)
    )
    hidden = WorkshopFactory(title="Hidden Workshop", published=False)
    response = client.get(reverse("workshops:home"))
    html = response.content.decode()
    assert response.context["upcoming"] == [upcoming]
    assert response.context["past"] == [past]
    assert hidden.title not in html


def _populate(workshop, speakers: int) -> None:
    day_start = workshop.local_datetime(workshop.start_date, dt.time(8, 0))
    for i in range(speakers):
        appearance = SpeakerAppearanceFactory(workshop=workshop, order=i)
        start = day_start + dt.timedelta(minutes=30 * i)
        ScheduleItemFactory(
            workshop=workshop,
            speakers=[appearance.speaker],
            start=start,
            end=start + dt.timedelta(minutes=25),
        )
    for i in range(3):
        TopicFactory(workshop=workshop, parent=TopicFactory(workshop=workshop), name=f"Sub {i}")
        KeyDateFactory(workshop=workshop)


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["workshops:detail", "schedule:speakers"])
def test_query_count_does_not_grow_with_speakers(client, page, django_assert_max_num_queries):
    small, large = (
        WorkshopFactory(schedule_status="final"),
        WorkshopFactory(schedule_status="final"),
    )
    _populate(small, 5)
    _populate(large, 50)
    few = _count_queries(client, reverse(page, args=[small.slug]))
    many = _count_queries(client, reverse(page, args=[large.slug]))
    assert few == many
    with django_assert_max_num_queries(9):
        client.get(reverse(page, args=[large.slug]))
