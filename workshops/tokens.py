"""Signed links that stand in for a login: one HMAC per object, keyed by SECRET_KEY."""

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac


class SecretLinkToken:
    """Make and check the token of an object's link from its id and its random ``secret``.

    The token cannot be guessed or moved to another object, and does not expire while the
    object exists. Subclasses give their own ``key_salt``, so one app's token never opens
    another app's page, and may sign other state (``value``). Links made under a key in
    SECRET_KEY_FALLBACKS keep working after the key is rotated, as Django's own tokens do.
    """

    key_salt: str

    def value(self, obj) -> str:
        return f"{obj.pk}:{obj.secret}"

    def make_token(self, obj, *, secret: str | None = None) -> str:
        return salted_hmac(
            self.key_salt,
            self.value(obj),
            secret=secret or settings.SECRET_KEY,
            algorithm="sha256",
        ).hexdigest()[:40]

    def check_token(self, obj, token: str) -> bool:
        if not token or obj is None:
            return False
        return any(
            constant_time_compare(self.make_token(obj, secret=secret), token)
            for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        )
