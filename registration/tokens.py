"""Signed self-service links: whoever holds the link manages that registration, nobody else."""

from workshops.tokens import SecretLinkToken


class ManageLinkToken(SecretLinkToken):
    """The token in a registration's self-service link (attendees open it from old mails
    during the workshop, so it never expires while the registration exists)."""

    key_salt = "registration.tokens.ManageLinkToken"


manage_link_token = ManageLinkToken()
