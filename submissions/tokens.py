"""Signed links for accepted authors to confirm or decline, without logging in."""

from workshops.tokens import SecretLinkToken


class ConfirmationToken(SecretLinkToken):
    """The token of a submission's confirm/decline link."""

    key_salt = "submissions.tokens.ConfirmationToken"


confirmation_token = ConfirmationToken()


class InvitationToken(SecretLinkToken):
    """The token of a committee seat's invitation link. It signs the account's password hash,
    so it sets a password once: after that the link only leads to the login; and the
    address it was mailed to, which the link then counts as verified (a changed address
    needs a new link)."""

    key_salt = "submissions.tokens.InvitationToken"

    def value(self, member) -> str:
        user = member.user
        return f"{member.pk}:{user.pk}:{user.password}:{user.email}"


invitation_token = InvitationToken()
