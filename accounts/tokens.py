"""The signed link that lets a person tie a speaker profile made for them to their account."""

from workshops.tokens import SecretLinkToken


class ProfileClaimToken(SecretLinkToken):
    """The token of a profile's "this is me" link, mailed to the profile's address.

    It signs the address and the owner too: once the profile has an owner, or its address
    changed, the link no longer opens anything.
    """

    key_salt = "accounts.tokens.ProfileClaimToken"

    def value(self, obj) -> str:
        return f"{obj.pk}:{obj.email}:{obj.user_id}"


profile_claim_token = ProfileClaimToken()
