"""Releases are rendered once, by the worker, and served as stored: what a publish stores,
how requests use it (304s, gzip, no render), the fallback, the preview, the migration."""

from __future__ import annotations

import datetime as dt
import gzip
import importlib
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from schedule import rendering, services
from schedule.models import ReleaseArtifact, ScheduleItem, ScheduleRelease
from tests.factories import (
    OrganizerFactory,
    RegistrationSettingsFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerProfileFactory,
    WorkshopFactory,
    release_schedule,
)
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop():
    workshop = WorkshopFactory(
        slug="rendered", time_zone="Europe/Paris", schedule_status="tentative",
        start_date=dt.date(2031, 3, 4), end_date=dt.date(2031, 3, 5),
    )  # fmt: skip
    room = RoomFactory(workshop=workshop, name="Amphi", capacity=80)
    start = workshop.local_datetime(dt.date(2031, 3, 4), dt.time(9))
    for n, title in enumerate(["Tensor trains", "Sketching"]):
        ScheduleItemFactory(
            workshop=workshop, room=room, title=title,
            start=start + dt.timedelta(hours=n), end=start + dt.timedelta(hours=n, minutes=45),
            speakers=[SpeakerProfileFactory(name=f"Speaker {n}")],
        )  # fmt: skip
    return workshop


def test_publishing_stores_every_page_and_export_once_committed(
    workshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        release = services.publish_schedule(
            workshop=workshop, version="v1", status="tentative", notify=False
        )
    items = list(ScheduleItem.objects.filter(workshop=workshop).values_list("pk", flat=True))
    stored = {a.name: a for a in ReleaseArtifact.objects.filter(release=release)}
    assert set(stored) == {
        "page", "changes", "block", "schedule.ics", "schedule.xml", "schedule.json",
        "schedule.csv", *(f"item:{pk}" for pk in items), *(f"item:{pk}.ics" for pk in items),
    }  # fmt: skip
    page = stored["page"]
    assert gzip.decompress(bytes(page.body_gzip)) == bytes(page.body)
    assert "Tensor trains" in bytes(page.body).decode()
    assert ">Log in</a>" in bytes(page.body).decode()  # as every anonymous visitor sees it
    assert "Tensor trains" in page.fragment and "<html" not in page.fragment
    rooms = json.loads(bytes(stored["schedule.json"].body))["schedule"]["conference"]["rooms"]
    assert {r["name"]: r["capacity"] for r in rooms} == {"Amphi": 80}  # kept by the snapshot


def test_requests_send_the_stored_bytes_and_answer_304(client, workshop):
    release_schedule(workshop)
    url = reverse("schedule:schedule_xml", args=[workshop.slug])
    for encoding in ("gzip", ""):
        response = client.get(url, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.templates == []
        etag, modified = response["ETag"], response["Last-Modified"]
        assert response["Cache-Control"] == "no-cache"
        again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": etag})
        assert again.status_code == 304
        assert again["ETag"] == etag
        since = client.get(
            url, headers={"Accept-Encoding": encoding, "If-Modified-Since": modified}
        )
        assert since.status_code == 304
    plain = client.get(url).content
    compressed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert compressed["ETag"] != client.get(url)["ETag"]  # two representations, two tags
    assert gzip.decompress(compressed.content) == plain


def test_a_new_release_changes_the_etag(client, workshop):
    release_schedule(workshop)
    url = reverse("schedule:schedule", args=[workshop.slug])
    etag = client.get(url)["ETag"]
    item = workshop.schedule_items.first()
    item.title = "Tensor trains, again"
    item.save()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304  # not released
    release_schedule(workshop)
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Tensor trains, again" in response.content.decode()


def test_a_release_not_rendered_yet_is_rendered_from_its_snapshot(client, workshop):
    release = release_schedule(workshop, render=False)
    assert not ReleaseArtifact.objects.filter(release=release).exists()
    item = workshop.schedule_items.get(title="Sketching")

    response = client.get(reverse("schedule:schedule_item", args=[workshop.slug, item.pk]))

    assert response.status_code == 200
    assert "<h1>Sketching</h1>" in response.content.decode()
    # and the worker was asked to render the rest (in-process here)
    assert ReleaseArtifact.objects.filter(release=release, name="page").exists()


def test_a_render_that_lost_the_race_to_a_newer_release_stores_nothing(workshop, monkeypatch):
    first = release_schedule(workshop, render=False)
    real = rendering.release_timetable

    def slow_render(release, workshop_read):  # while it renders, the organizer publishes again
        timetable = real(release, workshop_read)
        if release.pk == first.pk:
            services.publish_schedule(workshop=workshop, version="v2", status="final", notify=False)
        return timetable

    monkeypatch.setattr(rendering, "release_timetable", slow_render)
    assert rendering.render_current_release(workshop.pk) == 0
    assert not ReleaseArtifact.objects.exists()
    assert rendering.render_current_release(workshop.pk) > 0
    assert set(ReleaseArtifact.objects.values_list("release__version", flat=True)) == {"v2"}


def test_earlier_releases_artifacts_go_when_a_new_one_is_rendered(workshop):
    release_schedule(workshop)
    release_schedule(workshop)
    versions = set(ReleaseArtifact.objects.values_list("release__version", flat=True))
    assert versions == {"r2"}


def test_the_preview_shows_organizers_the_next_release_and_what_it_changes(client, workshop):
    owner, other = OrganizerFactory(), OrganizerFactory()
    workshop.organizers.add(owner)
    release_schedule(workshop)
    item = workshop.schedule_items.get(title="Sketching")
    item.title = "Sketching, revisited"
    item.save()
    url = reverse("schedule:preview", args=[workshop.slug])

    assert client.get(url).status_code == 404
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    html = client.get(url).content.decode()

    assert 'data-testid="preview-banner"' in html
    assert "Sketching, revisited" in html
    assert "Retitled: “Sketching” → “Sketching, revisited”" in html
    public = client.get(reverse("schedule:schedule", args=[workshop.slug])).content.decode()
    assert "revisited" not in public


def test_the_migration_publishes_public_schedules_that_had_no_release():
    shown = WorkshopFactory(schedule_status="final")
    hidden = WorkshopFactory(schedule_status="hidden")
    speaker = SpeakerProfileFactory(homepage="https://example.org/ada")
    for workshop in (shown, hidden):
        ScheduleItemFactory(workshop=workshop, title="Talk", speakers=[speaker])
        ScheduleItemFactory(workshop=workshop, start=None, end=None)  # not placed
    old = WorkshopFactory(schedule_status="tentative")
    kept = ScheduleItemFactory(workshop=old, title="Kept", abstract="*Hi*")
    ScheduleRelease.objects.create(
        workshop=old, version="v1",
        snapshot=[{"id": kept.pk, "kind": "talk", "title": "Kept", "start": "2031-01-01T09:00:00Z",
                   "end": "2031-01-01T10:00:00Z", "room_id": None, "room": "",
                   "speakers": [], "abstract": "*Hi*", "order": 0}],
    )  # fmt: skip
    items_before = ScheduleItem.objects.count()

    # Run with the models as they were then (the schedule's still in the workshops app).
    node = ("schedule", "0002_publish_existing_schedules")
    then = MigrationLoader(connection).project_state(node).apps
    migration = importlib.import_module(f"schedule.migrations.{node[1]}")
    migration.forwards(then, None)

    [release] = shown.releases.all()
    assert (release.version, release.status) == ("1", "final")
    [entry] = release.snapshot
    assert entry["speakers"][0]["homepage"] == "https://example.org/ada"
    assert [e["title"] for e in release.changes["added"]] == ["Talk"]
    assert not hidden.releases.exists()
    [completed] = old.releases.get().snapshot
    assert completed["abstract_html"] == str(kept.abstract_html)
    assert completed["revision"] == 0
    assert ScheduleItem.objects.count() == items_before
    assert Workshop.objects.count() == 3


def test_render_schedules_stores_every_current_release(workshop):
    release = release_schedule(workshop, render=False)
    out = io.StringIO()
    call_command("render_schedules", stdout=out)
    assert ReleaseArtifact.objects.filter(release=release, name="page").exists()
    assert "of 1 releases" in out.getvalue()


def test_a_workshop_change_is_not_served_from_bytes_rendered_before_it(client, workshop):
    release_schedule(workshop)
    workshop.slug = "renamed"
    workshop.save()  # its render waits for the commit (tests never commit)

    html = client.get("/workshops/renamed/schedule/").content.decode()

    assert "/workshops/renamed/schedule/" in html
    assert "/workshops/rendered/" not in html
    xml = client.get("/workshops/renamed/schedule.xml").content.decode()
    assert "/workshops/rendered/" not in xml


def test_a_render_that_missed_a_nav_change_stores_nothing(workshop, monkeypatch):
    release_schedule(workshop, render=False)
    real = rendering.release_timetable

    def render_while_registration_opens(release, workshop_read):
        timetable = real(release, workshop_read)
        RegistrationSettingsFactory(workshop=workshop)  # the nav gets "Register"
        return timetable

    monkeypatch.setattr(rendering, "release_timetable", render_while_registration_opens)
    assert rendering.render_current_release(workshop.pk) == 0
    monkeypatch.setattr(rendering, "release_timetable", real)
    assert rendering.render_current_release(workshop.pk) > 0
    page = ReleaseArtifact.objects.get(name="page")
    assert ">Register</a>" in bytes(page.body).decode()


def test_the_longest_titles_render(workshop):
    workshop.title = "W" * 250
    workshop.save()
    ScheduleItem.objects.filter(workshop=workshop).update(title="T" * 300)
    assert rendering.render_current_release(workshop.pk) == 0  # no release yet
    release = release_schedule(workshop)
    item = ReleaseArtifact.objects.filter(release=release, name__regex=r"^item:\d+$").first()
    assert len(item.title) > 400
