"""Signed links survive a rotation of SECRET_KEY while the old key is a fallback."""

import pytest

from registration.tokens import manage_link_token
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_a_link_signed_with_a_fallback_key_still_opens(client, settings):
    registration = RegistrationFactory()
    settings.SECRET_KEY = "old-key-" + "x" * 50
    settings.SECRET_KEY_FALLBACKS = []
    url = registration.get_absolute_url()
    token = manage_link_token.make_token(registration)

    settings.SECRET_KEY = "new-key-" + "y" * 50
    assert not manage_link_token.check_token(registration, token)  # rotated, no fallback
    assert client.get(url).status_code == 404

    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    assert manage_link_token.check_token(registration, token)
    assert client.get(url).status_code == 200
    # New links are signed with the new key.
    assert manage_link_token.make_token(registration) != token
