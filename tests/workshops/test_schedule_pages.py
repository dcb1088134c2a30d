"""The public schedule pages: what they show, who sees them, constant queries, invalidation."""

from __future__ import annotations

import datetime as dt
import gzip
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schedule.models import ReleaseArtifact, ScheduleItem, ScheduleRelease
from tests.factories import (
    OrganizerFactory,
    RegistrationSettingsFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
    release_schedule,
)
from workshops import schedule_cache
from workshops.models import Workshop
from workshops.schedule_cache import bump_schedule_version

pytestmark = pytest.mark.django_db

TENTATIVE, FINAL, HIDDEN = "tentative", "final", "hidden"
EXPORTS = ("schedule_ics", "schedule_xml", "schedule_json", "schedule_csv")


def at(workshop: Workshop, hhmm: str, day: int = 0) -> dt.datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return workshop.local_datetime(
        workshop.start_date + dt.timedelta(days=day), dt.time(hours, minutes)
    )


def slot(workshop, start: str, end: str, *, day: int = 0, speakers=(), **fields):
    item = ScheduleItemFactory(
        workshop=workshop, start=at(workshop, start, day), end=at(workshop, end, day), **fields
    )
    # One by one: add(a, b) inserts the links in the order of a set of their pks, and the
    # pages list speakers in the order of the links.
    for speaker in speakers:
        item.speakers.add(speaker)
    return item


@pytest.fixture
def workshop():
    return WorkshopFactory(
        slug="lowrank", time_zone="Europe/Paris", schedule_status=TENTATIVE,
        start_date=dt.date(2031, 3, 4), end_date=dt.date(2031, 3, 5),
    )  # fmt: skip


@pytest.fixture
def programme(workshop):
    amphi = RoomFactory(workshop=workshop, name="Amphi Gauss")
    ada = SpeakerProfileFactory(name="Ada Lovelace", affiliation="Analytical Engines Ltd")
    bob = SpeakerProfileFactory(name="Bob Noether", affiliation="")
    for speaker in (ada, bob):
        SpeakerAppearanceFactory(workshop=workshop, speaker=speaker)
    return {
        "room": amphi,
        "talk": slot(
            workshop,
            "09:00",
            "09:45",
            title="Tensor trains",
            room=amphi,
            speakers=[ada, bob],
            abstract="We *train* tensors.\n\n<script>alert(1)</script>",
        ),
        "coffee": slot(workshop, "09:45", "10:15", kind="break", title="Coffee break"),
        "keynote": slot(
            workshop, "10:00", "11:00", day=1, kind="keynote", title="", speakers=[ada]
        ),
        "unplaced": ScheduleItemFactory(workshop=workshop, start=None, end=None, title="Later"),
        "release": release_schedule(workshop, version="r1"),
    }


def page(client, workshop, name="schedule", *args) -> str:
    view = "workshops:detail" if name == "detail" else f"schedule:{name}"
    response = client.get(reverse(view, args=[workshop.slug, *args]))
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """The visible text, whitespace collapsed; inline time tags leave no gap."""
    html = re.sub(r"</?time[^>]*>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def rows(html: str) -> list[str]:
    return [text(row) for row in re.findall(r"<tr class=\"schedule-row[^>]*>(.*?)</tr>", html)]


def test_schedule_page_lists_each_day_with_times_speakers_and_rooms(client, workshop, programme):
    html = page(client, workshop)

    headings = re.findall(r'<h2 class="h4" id="(day-[\d-]+)-h">(.*?)</h2>', html)
    assert [(anchor, text(h)) for anchor, h in headings] == [
        ("day-2031-03-04", "Tue 4 Mar (Day 1)"),
        ("day-2031-03-05", "Wed 5 Mar (Day 2)"),
    ]
    assert '<a class="nav-link" href="#day-2031-03-04">Tue 4 Mar</a>' in html
    assert rows(html) == [
        "09:00–09:45 Tensor trains Ada Lovelace (Analytical Engines Ltd) , Bob Noether Amphi Gauss",
        "09:45–10:15 Coffee break All rooms",
        "10:00–11:00 Keynote Ada Lovelace (Analytical Engines Ltd) All rooms",
    ]
    assert '<time datetime="2031-03-04T09:00:00+01:00" data-time>09:00</time>' in html
    assert "Later" not in html
    talk = programme["talk"]
    assert f'href="/workshops/lowrank/schedule/{talk.pk}/">Tensor trains</a>' in html


def test_breaks_read_as_breaks(client, workshop, programme):
    html = page(client, workshop)

    [coffee] = re.findall(r'<tr class="([^"]*)"><td[^>]*>(?:(?!</tr>).)*Coffee break', html)
    assert coffee == "schedule-row schedule-row-break schedule-row-break"
    assert f"/schedule/{programme['coffee'].pk}/" not in html  # nothing to read about a break


def test_times_are_in_the_workshops_zone_with_a_visitor_zone_toggle(client):
    workshop = WorkshopFactory(
        time_zone="Asia/Dubai", schedule_status=FINAL,
        start_date=dt.date(2031, 1, 3), end_date=dt.date(2031, 1, 3),
    )  # fmt: skip
    ScheduleItemFactory(
        workshop=workshop, title="Morning talk",
        start=dt.datetime(2031, 1, 3, 5, 0, tzinfo=dt.UTC),
        end=dt.datetime(2031, 1, 3, 5, 45, tzinfo=dt.UTC),
    )  # fmt: skip
    release_schedule(workshop)

    html = page(client, workshop)

    assert "09:00–09:45 Morning talk" in text(html)
    assert '<time datetime="2031-01-03T09:00:00+04:00" data-time>09:00</time>' in html
    assert "Times are in Asia/Dubai." in html
    assert "data-localtime-toggle" in html
    assert re.search(r'<script src="/static/js/localtime\.js" defer></script>', html)
    # No inline script (a Content-Security-Policy without unsafe-inline is coming).
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert " onclick=" not in html


def test_tentative_banner_and_version(client, workshop, programme):
    html = page(client, workshop)
    assert 'data-testid="tentative-banner"' in html
    assert "<h1>Tentative schedule</h1>" in html
    assert "Version r1, published" in text(html)

    release = release_schedule(workshop, version="v2", status=FINAL)

    html = page(client, workshop)
    assert 'data-testid="tentative-banner"' not in html
    assert "<h1>Schedule</h1>" in html
    local = release.published_at.astimezone(workshop.tz)
    assert f"Version v2, published {local:%-d %B %Y, %H:%M}" in text(html)
    assert reverse("schedule:schedule_changes", args=[workshop.slug]) in html


def test_item_page_shows_abstract_speakers_time_room_and_calendar_link(client, workshop, programme):
    talk = programme["talk"]
    html = page(client, workshop, "schedule_item", talk.pk)

    assert "<h1>Tensor trains</h1>" in html
    assert "Tuesday 4 March 2031, 09:00–09:45" in text(html)
    assert "Amphi Gauss, IDMC" in text(html)
    assert "Ada Lovelace (Analytical Engines Ltd)" in text(html)
    assert "<em>train</em>" in html
    assert "<script>alert" not in html
    assert f'href="/workshops/lowrank/schedule/{talk.pk}.ics"' in html
    keynote = page(client, workshop, "schedule_item", programme["keynote"].pk)
    assert "<h1>Keynote by Ada Lovelace</h1>" in keynote


def test_unplaced_and_foreign_items_have_no_page(client, workshop, programme):
    other = ScheduleItemFactory(workshop=WorkshopFactory(schedule_status=FINAL))
    for item in (programme["unplaced"], other):
        for name in ("schedule_item", "schedule_item_ics"):
            url = reverse(f"schedule:{name}", args=[workshop.slug, item.pk])
            assert client.get(url).status_code == 404


def test_changelog_lists_releases_newest_first(client, workshop):
    first = ScheduleRelease.objects.create(
        workshop=workshop, version="v1", notes="First cut.",
        published_at=dt.datetime(2031, 1, 10, 9, tzinfo=dt.UTC),
        changes={"added": [], "removed": [], "moved": [], "retitled": []},
    )  # fmt: skip
    ScheduleRelease.objects.create(
        workshop=workshop, version="v2", notes="Ada **moved**.", status=FINAL,
        published_at=first.published_at + dt.timedelta(days=3),
        changes={
            "added": [], "removed": [], "retitled": [],
            "moved": [{
                "id": 1, "kind": "talk", "title": "Tensor trains",
                "speakers": [{"id": 1, "name": "Ada Lovelace"}],
                "from": {"start": "2031-03-04T08:00:00+00:00",
                         "end": "2031-03-04T08:45:00+00:00", "room": "Amphi Gauss"},
                "to": {"start": "2031-03-04T09:00:00+00:00",
                       "end": "2031-03-04T09:45:00+00:00", "room": None},
            }],
        },
    )  # fmt: skip

    html = page(client, workshop, "schedule_changes")

    assert re.findall(r'data-version="([^"]+)"', html) == ["v2", "v1"]
    assert "<strong>moved</strong>" in html
    assert "First cut." in html
    assert "Moved: “Tensor trains”" in html
    assert "13 January 2031, 10:00" in text(html)


@pytest.mark.parametrize("name", ["schedule", "schedule_changes", *EXPORTS])
def test_hidden_schedule_is_404_for_everyone(client, name):
    owner = OrganizerFactory()
    workshop = WorkshopFactory(schedule_status=HIDDEN, organizers=[owner])
    item = ScheduleItemFactory(workshop=workshop)
    url = reverse(f"schedule:{name}", args=[workshop.slug])
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 404
    item_url = reverse("schedule:schedule_item", args=[workshop.slug, item.pk])
    assert client.get(item_url).status_code == 404


@pytest.mark.parametrize("name", ["schedule", "schedule_changes", *EXPORTS])
def test_unpublished_workshop_schedule_is_for_its_organizers_only(client, name):
    owner, other = OrganizerFactory(), OrganizerFactory()
    workshop = WorkshopFactory(published=False, schedule_status=FINAL, organizers=[owner])
    ScheduleItemFactory(workshop=workshop)
    url = reverse(f"schedule:{name}", args=[workshop.slug])
    assert client.get(url).status_code == 404
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200


def test_unknown_workshop_is_404(client):
    assert client.get("/workshops/nope/schedule/").status_code == 404
    assert client.get("/workshops/nope/schedule.xml").status_code == 404


def test_nav_links_the_schedule_unless_hidden(client, workshop):
    schedule_url = reverse("schedule:schedule", args=[workshop.slug])
    assert f'href="{schedule_url}"' in page(client, workshop, "detail")
    workshop.schedule_status = HIDDEN
    workshop.save()
    assert f'href="{schedule_url}"' not in page(client, workshop, "detail")
    assert f'href="{schedule_url}"' not in page(client, workshop, "speakers")


def test_detail_page_links_the_schedule_page(client, workshop, programme):
    html = page(client, workshop, "detail")
    assert "Schedule by day, with each talk's page and calendar files" in html


def make_schedule(count: int, *, slug: str) -> Workshop:
    workshop = WorkshopFactory(
        slug=slug, schedule_status=FINAL,
        start_date=dt.date(2031, 3, 4), end_date=dt.date(2031, 3, 6),
    )  # fmt: skip
    rooms = [RoomFactory(workshop=workshop) for _ in range(3)]
    for n in range(count):
        speakers = [SpeakerProfileFactory() for _ in range(1 + n % 2)]
        for speaker in speakers:
            SpeakerAppearanceFactory(workshop=workshop, speaker=speaker)
        start = at(workshop, "08:00", day=n % 3) + dt.timedelta(minutes=30 * (n // 3))
        ScheduleItemFactory(
            workshop=workshop, room=rooms[n % 3], speakers=speakers,
            start=start, end=start + dt.timedelta(minutes=30),
        )  # fmt: skip
    RegistrationSettingsFactory(workshop=workshop)
    release_schedule(workshop)
    return workshop


URLS = ["schedule", "speakers", *EXPORTS]


# Cold (after any change): the workshop by slug (its pk known to this process since its first
# request), then the one stored artifact of the current release; the speakers page (live)
# reads the current release and the appearances with their speakers. Warm: none.
COLD_QUERIES = {"schedule": 2, "speakers": 3} | dict.fromkeys(EXPORTS, 2)


@pytest.mark.parametrize("name", URLS)
def test_queries_do_not_grow_with_the_schedule(client, name, django_assert_num_queries):
    small, large = make_schedule(10, slug="small-one"), make_schedule(100, slug="large-one")
    counts = {}
    for workshop in (small, large):
        url = reverse(f"schedule:{name}", args=[workshop.slug])
        assert client.get(url).status_code == 200  # this process learns the slug's workshop
        bump_schedule_version(workshop.pk)  # as any change does
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url).status_code == 200
        counts[workshop.slug] = len(cold.captured_queries)
    assert counts["small-one"] == counts["large-one"] == COLD_QUERIES[name]


@pytest.mark.parametrize("name", URLS)
def test_warm_requests_make_no_query(client, name, django_assert_num_queries):
    workshop = make_schedule(20, slug="warm-one")
    url = reverse(f"schedule:{name}", args=[workshop.slug])
    first = client.get(url).content
    with django_assert_num_queries(0):
        assert client.get(url).content == first


class CountingCache:
    """The cache, with a list of the methods called on it (each one a round trip)."""

    def __init__(self, real) -> None:
        self.real, self.calls = real, []

    def __getattr__(self, name: str):
        self.calls.append(name)
        return getattr(self.real, name)


@pytest.mark.parametrize("name", URLS)
def test_a_warm_request_is_one_cache_round_trip(client, name, monkeypatch):
    workshop = make_schedule(20, slug="one-trip")
    url = reverse(f"schedule:{name}", args=[workshop.slug])
    first = client.get(url).content  # and this process learns the slug's workshop
    counting = CountingCache(schedule_cache.cache)
    monkeypatch.setattr(schedule_cache, "cache", counting)
    assert client.get(url).content == first
    assert counting.calls == ["get_many"]


def test_a_wrong_guess_of_the_slugs_workshop_costs_a_round_trip_not_a_wrong_page(
    client, workshop, programme
):
    other = make_schedule(3, slug="someone-else")
    url = reverse("schedule:schedule_xml", args=[workshop.slug])
    first = client.get(url).content
    client.get(reverse("schedule:schedule_xml", args=[other.slug]))
    schedule_cache._pk_hints[workshop.slug] = other.pk  # as after the slug changed hands
    assert client.get(url).content == first
    assert schedule_cache._pk_hints[workshop.slug] == workshop.pk


def test_item_pages_are_cached_too(client, workshop, programme, django_assert_num_queries):
    url = reverse("schedule:schedule_item", args=[workshop.slug, programme["talk"].pk])
    client.get(url)
    with django_assert_num_queries(0):
        client.get(url)


def exports(client, workshop) -> dict[str, str]:
    names = ["schedule", "speakers", "schedule_changes", *EXPORTS]
    result = {n: page(client, workshop, n) for n in names}
    item_id = re.search(r"/schedule/(\d+)/", result["schedule"]).group(1)
    result["item"] = page(client, workshop, "schedule_item", item_id)
    result["item.ics"] = page(client, workshop, "schedule_item_ics", item_id)
    return result


def test_a_retitled_item_shows_everywhere_once_released_and_not_before(client, workshop, programme):
    talk = programme["talk"]
    exports(client, workshop)  # fill the cache

    talk.title = "Tensor trains, revisited"
    talk.save()
    for name, body in exports(client, workshop).items():
        assert "revisited" not in body, name  # an organizer's edit is not public yet

    release_schedule(workshop)
    for name, body in exports(client, workshop).items():
        # iCalendar escapes the comma
        needle = "Tensor trains\\, revisited" if "ics" in name else "Tensor trains, revisited"
        assert needle in body, name


@pytest.mark.parametrize("change", ["room", "speaker", "speakers", "delete"])
def test_schedule_changes_are_public_with_the_next_release(client, workshop, programme, change):
    talk, room = programme["talk"], programme["room"]
    before = exports(client, workshop)
    if change == "room":
        room.name = "Salle Noether"
        room.save()
        expected = {"schedule": "Salle Noether", "schedule_xml": "Salle Noether"}
    elif change == "speaker":
        ada = talk.speakers.get(name="Ada Lovelace")
        ada.affiliation = "Difference Engines plc"
        ada.save()
        expected = {"schedule": "Difference Engines plc", "schedule_ics": "Difference Engines"}
    elif change == "speakers":
        talk.speakers.add(SpeakerProfileFactory(name="Cy Newcomer"))
        expected = {"schedule": "Cy Newcomer", "schedule_json": "Cy Newcomer"}
    else:
        programme["coffee"].delete()
        expected = {"schedule": "Coffee break", "schedule_csv": "Coffee break"}
    unreleased = exports(client, workshop)
    if change == "speaker":  # the speakers page is live: profiles change between releases
        assert "Difference Engines plc" in unreleased.pop("speakers")
        before = {name: body for name, body in before.items() if name != "speakers"}
    assert unreleased == before
    release_schedule(workshop)
    for name, needle in expected.items():
        if change == "delete":
            assert needle in before[name]
            assert needle not in page(client, workshop, name), name
        else:
            assert needle not in before[name]
            assert needle in page(client, workshop, name), name


@pytest.mark.parametrize("change", ["release", "workshop", "registration"])
def test_what_frames_the_release_shows_once_the_worker_renders_it(
    client, workshop, programme, change, django_capture_on_commit_callbacks
):
    before = exports(client, workshop)
    with django_capture_on_commit_callbacks(execute=True):  # the commit starts the render
        if change == "release":
            ScheduleRelease.objects.create(workshop=workshop, version="v9")
            expected = {"schedule": "Version v9", "schedule_xml": "<version>v9</version>"}
        elif change == "workshop":
            workshop.title = "Renamed workshop"
            workshop.save()
            expected = {"schedule": "Renamed workshop", "schedule_json": "Renamed workshop"}
        else:
            RegistrationSettingsFactory(workshop=workshop)
            expected = {"schedule": "/register/"}
    for name, needle in expected.items():
        assert needle not in before[name]
        assert needle in page(client, workshop, name), name


def test_hiding_the_schedule_takes_effect_at_once(client, workshop, programme):
    assert client.get(reverse("schedule:schedule_xml", args=[workshop.slug])).status_code == 200
    workshop.schedule_status = HIDDEN
    workshop.save()
    assert client.get(reverse("schedule:schedule_xml", args=[workshop.slug])).status_code == 404


def test_a_renamed_slug_stops_serving_the_old_one(client, workshop, programme):
    old = reverse("schedule:schedule", args=[workshop.slug])
    assert client.get(old).status_code == 200
    workshop.slug = "lowrank-2031"
    workshop.save()
    assert client.get(old).status_code == 404
    assert client.get("/workshops/lowrank-2031/schedule/").status_code == 200


def test_speakers_page_hides_times_while_the_schedule_is_hidden(client, workshop, programme):
    assert "Tue 4 Mar 09:00–09:45" in text(page(client, workshop, "speakers"))
    workshop.schedule_status = HIDDEN
    workshop.save()
    html = text(page(client, workshop, "speakers"))
    assert "Tensor trains" in html
    assert "09:00" not in html


@pytest.mark.parametrize("name", URLS)
def test_gzip_for_clients_that_accept_it(client, workshop, programme, name):
    url = reverse(f"schedule:{name}", args=[workshop.slug])
    plain = client.get(url)
    for _ in range(2):  # cold, then from the cache
        compressed = client.get(url, headers={"Accept-Encoding": "br, gzip;q=0.9"})
        assert compressed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in compressed["Vary"]
        # gzip.decompress checks the CRC and length of the spliced member too.
        assert gzip.decompress(compressed.content) == plain.content
    assert "Content-Encoding" not in plain
    assert "Tensor trains" in plain.content.decode()


def test_a_slug_taken_by_a_new_workshop_serves_the_new_one(client):
    """Rows can vanish without a signal (a rollback, a restored database): the cache must
    not keep serving them under their slug once another workshop has it."""
    first = WorkshopFactory(slug="reused", title="First of the name", schedule_status=FINAL)
    ScheduleItemFactory(workshop=first, title="Old talk")
    release_schedule(first)
    assert "Old talk" in page(client, first)
    # Gone without a signal, as in a rolled-back test or a restored database.
    ReleaseArtifact.objects.filter(release__workshop=first)._raw_delete(using="default")
    ScheduleRelease.objects.filter(workshop=first)._raw_delete(using="default")
    ScheduleItem.objects.filter(workshop=first)._raw_delete(using="default")
    Workshop.objects.filter(pk=first.pk)._raw_delete(using="default")

    second = WorkshopFactory(slug="reused", title="Second of the name", schedule_status=FINAL)
    ScheduleItemFactory(workshop=second, title="New talk")
    release_schedule(second)

    html = page(client, second)
    assert "New talk" in html
    assert "Old talk" not in html
