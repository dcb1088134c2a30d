"""Signed self-service links: whoever holds the link manages that registration, nobody else."""

from workshops.tokens import SecretLinkToken


class ManageLinkToken(SecretLinkToken):
    """The token in a registration's self-service link (attendees open it from old mails
    during the workshop, so it never expires while the registration exists)."""

    key_salt = "registration.tokens.ManageLinkToken"


manage_link_token = ManageLinkToken()


class AddressConfirmationToken(SecretLinkToken):
    """The token of the link that confirms a registration's address. Only the mail to that
    address carries it: the self-service link, which the registration form leads to, does
    not confirm anything."""

    key_salt = "registration.tokens.AddressConfirmationToken"

    def value(self, obj) -> str:
        return f"{obj.pk}:{obj.secret}:{obj.email}"


address_confirmation_token = AddressConfirmationToken()
