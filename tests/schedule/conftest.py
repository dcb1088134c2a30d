"""What most schedule tests start from: Alice, an organizer, and her two-day workshop in
Paris (4 and 5 March 2030). A test module that needs another workshop defines its own."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import OrganizerFactory, WorkshopFactory


@pytest.fixture
def alice():
    return OrganizerFactory(email="alice@example.org")


@pytest.fixture
def workshop(alice):
    return WorkshopFactory(
        time_zone="Europe/Paris",
        start_date=dt.date(2030, 3, 4),
        end_date=dt.date(2030, 3, 5),
        organizers=[alice],
    )
