"""Organizers manage only their own workshops in the admin; superusers manage all."""

import pytest
from django.urls import reverse

from outbox.models import OutgoingMail
from tests.factories import (
    KeyDateFactory,
    OrganizerFactory,
    RoomFactory,
    ScheduleItemFactory,
    SpeakerAppearanceFactory,
    TeamMemberFactory,
    TopicFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import KeyDate, SpeakerProfile, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_workshops():
    alice, bob = (
        OrganizerFactory(email="alice@example.org"),
        OrganizerFactory(email="bob@example.org"),
    )
    a = WorkshopFactory(title="Alice's Workshop on Tensors", organizers=[alice])
    b = WorkshopFactory(title="Bob's Secret Workshop", organizers=[bob], published=False)
    children_b = {
        "keydate": KeyDateFactory(workshop=b, label="Bob-only deadline"),
        "topic": TopicFactory(workshop=b, name="Bob-only topic"),
        "teammember": TeamMemberFactory(workshop=b, name="Bob-only member"),
        "room": RoomFactory(workshop=b, name="Bob-only room"),
        "scheduleitem": ScheduleItemFactory(workshop=b, title="Bob-only talk"),
        "speakerappearance": SpeakerAppearanceFactory(workshop=b, speaker__name="Bob-only speaker"),
    }
    children_b["speakerprofile"] = children_b["speakerappearance"].speaker
    children_b["outgoingmail"] = OutgoingMail.objects.create(
        key="test:bob", workshop=b, template="t", from_email="x@example.org",
        to="someone@example.org", subject="Bob-only mail", body_text="hi",
    )  # fmt: skip
    return alice, bob, a, b, children_b


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_organizer_sees_only_own_workshop_in_list(client, two_workshops):
    alice, _, a, b, _ = two_workshops
    client.force_login(alice)
    response = client.get(changelist_url(Workshop))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [a]
    assert b.title not in response.content.decode()


def test_organizer_cannot_open_or_change_another_workshop(client, two_workshops):
    alice, _, _, b, _ = two_workshops
    client.force_login(alice)
    response = client.get(change_url(b))
    assert response.status_code == 302  # the admin's "doesn't exist" redirect
    assert b.title not in client.get(response.url).content.decode()
    response = client.post(change_url(b), {"title": "Hijacked", "slug": b.slug})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.title == "Bob's Secret Workshop"
    response = client.post(reverse("admin:workshops_workshop_delete", args=[b.pk]), {"post": "yes"})
    assert Workshop.objects.filter(pk=b.pk).exists()


@pytest.mark.parametrize(
    "name",
    ["keydate", "topic", "teammember", "room", "scheduleitem", "speakerappearance",
     "speakerprofile", "outgoingmail"],
)  # fmt: skip
def test_organizer_gets_nothing_of_another_workshops_children(client, two_workshops, name):
    alice, _, _, _, children_b = two_workshops
    obj = children_b[name]
    client.force_login(alice)
    listing = client.get(changelist_url(type(obj)))
    assert listing.status_code == 200
    assert obj.pk not in {row.pk for row in listing.context["cl"].queryset}
    assert str(obj) not in listing.content.decode()
    detail = client.get(change_url(obj))
    assert detail.status_code == 302
    history = client.get(change_url(obj).replace("/change/", "/history/"))
    # The admin's answer for an object outside one's queryset: "doesn't exist", back home.
    assert (history.status_code, history.url) == (302, reverse("admin:index"))


def test_superuser_sees_every_workshop(client, two_workshops):
    _, _, a, b, children_b = two_workshops
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(changelist_url(Workshop))
    assert set(response.context["cl"].queryset) == {a, b}
    assert client.get(change_url(children_b["keydate"])).status_code == 200


def test_organizer_cannot_attach_a_child_to_another_workshop(client, two_workshops):
    alice, _, _, b, _ = two_workshops
    client.force_login(alice)
    response = client.post(
        reverse("admin:workshops_keydate_add"),
        {"workshop": b.pk, "label": "Sneaky date", "order": 0},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "Select a valid choice" in response.content.decode()
    assert not KeyDate.objects.filter(label="Sneaky date").exists()


def test_organizer_edits_own_workshop_and_children(client, two_workshops):
    alice, _, a, _, _ = two_workshops
    client.force_login(alice)
    response = client.post(
        reverse("admin:workshops_keydate_add"),
        {"workshop": a.pk, "label": "Abstract deadline", "order": 0},
    )
    assert response.status_code == 302
    assert list(KeyDate.objects.filter(workshop=a).values_list("label", flat=True)) == [
        "Abstract deadline"
    ]


def test_workshop_created_by_organizer_is_theirs(client):
    carol = OrganizerFactory(email="carol@example.org")
    client.force_login(carol)
    data = {
        "title": "Carol's School", "short_title": "CS", "slug": "carols-school",
        "kind": "summer_school", "time_zone": "Europe/Paris", "schedule_status": "hidden",
    }  # fmt: skip
    for prefix in ("key_dates", "topics", "team", "appearances", "rooms"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    response = client.post(reverse("admin:workshops_workshop_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Workshop.objects.get(slug="carols-school").organizers.all()) == [carol]


def test_non_staff_user_gets_no_admin(client, two_workshops):
    _, _, a, _, _ = two_workshops
    speaker = UserFactory(email="speaker@example.org")
    a.organizers.add(speaker)  # listed, but without admin access
    client.force_login(speaker)
    response = client.get(change_url(a))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_speaker_picker_offers_public_and_own_profiles_only(client, two_workshops):
    alice = two_workshops[0]
    SpeakerAppearanceFactory(speaker__name="Public Speaker")
    client.force_login(alice)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "workshops", "model_name": "speakerappearance", "field_name": "speaker"},
    )
    names = {row["text"] for row in response.json()["results"]}
    assert any(n.startswith("Public Speaker") for n in names)
    assert not any(n.startswith("Bob-only speaker") for n in names)
    assert SpeakerProfile.objects.count() == 2


def test_no_admin_list_names_another_workshop_in_its_filters(client, rf, two_workshops):
    """Filters and choices list only the organizer's own workshops, rooms and speakers: a
    plain filter on "workshop" named every workshop of the site (and its id)."""
    from django.contrib import admin

    alice, _, _, b, children_b = two_workshops
    request = rf.get("/admin/")
    request.user = alice
    urls = [m["admin_url"] for app in admin.site.get_app_list(request) for m in app["models"]]
    assert len(urls) > 10
    client.force_login(alice)
    secrets = [b.title, children_b["room"].name, children_b["speakerprofile"].name]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in secrets:
            assert secret not in html, (url, secret)
