"""The admin index opens on the organizer's own workshops, each with its desks: schedule,
grid, registrations, check-in; nobody else's workshop is listed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import OrganizerFactory, RegistrationSettingsFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def test_the_index_links_each_own_workshops_desks(client):
    mine = WorkshopFactory(short_title="Tensor Days", slug="td")
    RegistrationSettingsFactory(workshop=mine)
    WorkshopFactory(short_title="Someone else's")
    organizer = OrganizerFactory()
    mine.organizers.add(organizer)
    client.force_login(organizer)

    page = client.get(reverse("admin:index")).content.decode()
    desk = re.search(r'data-testid="workshop-desk">(.*?)</table>', page, re.S)[1]
    assert "Tensor Days" in desk and "Someone else" not in desk
    assert f'href="{reverse("registration:checkin", args=["td"])}"' in desk
    assert reverse("admin:workshops_workshop_schedule_grid", args=[mine.pk]) in desk
    assert f"?workshop__id__exact={mine.pk}" in desk
