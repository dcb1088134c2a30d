"""Signed links that stand in for a login: one HMAC per object, keyed by SECRET_KEY."""

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac


class SecretLinkToken:
    """Make and check the token of an object's link from its id and its random ``secret``.

    The token cannot be guessed or moved to another object, and does not expire while the
    object exists. Subclasses give their own ``key_salt``, so one app's token never opens
    another app's page.
    """

    key_salt: str

    def make_token(self, obj) -> str:
        return salted_hmac(
            self.key_salt,
            f"{obj.pk}:{obj.secret}",
            secret=settings.SECRET_KEY,
            algorithm="sha256",
        ).hexdigest()[:40]

    def check_token(self, obj, token: str) -> bool:
        if not token or obj is None:
            return False
        return constant_time_compare(self.make_token(obj), token)
