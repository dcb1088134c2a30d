"""Styled error pages: a 404 and a 403 in the site's frame, with a way on; a 500 that needs
nothing (no database, no request) and still says what happened."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import get_template
from django.test import RequestFactory
from django.views.defaults import permission_denied, server_error

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_sites_404(client):
    response = client.get("/workshops/no-such-workshop/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page and 'href="/"' in page
    assert "Log in</a>, if the page belongs to your account" in page


def test_a_refused_page_is_the_sites_403_naming_the_account(client, rf: RequestFactory):
    user = UserFactory(email="emmy@example.org")
    request = rf.get("/somewhere/")
    request.user = user
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "You are logged in as emmy@example.org" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_a_database(rf: RequestFactory):
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    # A plain file: no extends, no tags, nothing that could fail while the site is failing.
    assert "{%" not in get_template("500.html").template.source
