"""Signed links for accepted authors to confirm or decline, without logging in."""

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac


class ConfirmationToken:
    """Make and check the token of a submission's confirm/decline link."""

    key_salt = "submissions.tokens.ConfirmationToken"

    def make_token(self, submission) -> str:
        return salted_hmac(
            self.key_salt,
            f"{submission.pk}:{submission.secret}",
            secret=settings.SECRET_KEY,
            algorithm="sha256",
        ).hexdigest()[:40]

    def check_token(self, submission, token: str) -> bool:
        return bool(token) and constant_time_compare(self.make_token(submission), token)


confirmation_token = ConfirmationToken()
