"""Signed self-service links: whoever holds the link manages that registration, nobody else."""

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac


class ManageLinkToken:
    """Make and check the token in a registration's self-service link.

    The token is an HMAC of the registration's id and its random secret, keyed by SECRET_KEY:
    it cannot be guessed or moved to another registration, and never expires while the
    registration exists (attendees open it from old mails during the workshop).
    """

    key_salt = "registration.tokens.ManageLinkToken"

    def make_token(self, registration) -> str:
        return salted_hmac(
            self.key_salt,
            f"{registration.pk}:{registration.secret}",
            secret=settings.SECRET_KEY,
            algorithm="sha256",
        ).hexdigest()[:40]

    def check_token(self, registration, token: str) -> bool:
        if not token or not registration:
            return False
        return constant_time_compare(self.make_token(registration), token)


manage_link_token = ManageLinkToken()
