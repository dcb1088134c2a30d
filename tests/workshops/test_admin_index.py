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


def test_no_admin_page_links_an_organizer_to_an_account_page(client):
    """Accounts are the superusers' to open: a submission's submitter, an assignment's
    author, a release's publisher are named with their address instead."""
    from schedule import services as schedule_services
    from submissions.models import Submission
    from tests.factories import ScheduleItemFactory
    from tests.submissions.factories import (
        CommitteeMemberFactory,
        ReviewAssignmentFactory,
        SubmissionFactory,
    )

    workshop = WorkshopFactory(schedule_status="tentative")
    organizer = OrganizerFactory()
    workshop.organizers.add(organizer)
    submission = SubmissionFactory(workshop=workshop, status=Submission.Status.SUBMITTED)
    assignment = ReviewAssignmentFactory(
        submission=submission,
        reviewer=CommitteeMemberFactory(workshop=workshop),
        assigned_by=organizer,
    )
    ScheduleItemFactory(workshop=workshop, title="Opening")
    release = schedule_services.publish_schedule(
        workshop=workshop, version="1", status="tentative", user=organizer, notify=False
    )
    client.force_login(organizer)
    for url in (
        reverse("admin:submissions_submission_change", args=[submission.pk]),
        reverse("admin:submissions_reviewassignment_change", args=[assignment.pk]),
        reverse("admin:schedule_schedulerelease_change", args=[release.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/admin/accounts/user/" not in response.content.decode(), url
    page = client.get(reverse("admin:submissions_submission_change", args=[submission.pk]))
    assert f'href="mailto:{submission.submitter.email}"' in page.content.decode()
