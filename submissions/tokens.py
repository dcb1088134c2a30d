"""Signed links for accepted authors to confirm or decline, without logging in."""

from workshops.tokens import SecretLinkToken


class ConfirmationToken(SecretLinkToken):
    """The token of a submission's confirm/decline link."""

    key_salt = "submissions.tokens.ConfirmationToken"


confirmation_token = ConfirmationToken()
