"""The speaker's profile form: input validation only."""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from accounts import services
from workshops.models import SpeakerProfile
from workshops.photos import MAX_BYTES, MAX_SIDE, PhotoRejected, checked_photo

ORCID_PREFIXES = ("https://orcid.org/", "http://orcid.org/", "orcid.org/")


class ProfileForm(forms.ModelForm):
    # Room for the https://orcid.org/… form people paste; the model checks what is left.
    orcid = forms.CharField(
        label="ORCID iD",
        max_length=60,
        required=False,
        help_text="For example 0000-0002-1825-0097.",
    )
    # A plain file field: the photo is judged by workshops.photos, with its own messages.
    photo = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=(
            f"JPEG, PNG or WebP; at most {MAX_BYTES // 1024 // 1024} MB and "
            f"{MAX_SIDE}×{MAX_SIDE} pixels."
        ),
    )

    class Meta:
        model = SpeakerProfile
        fields = ("name", "affiliation", "homepage", "orcid", "bio", "photo")
        help_texts = {"bio": "A few sentences; Markdown is allowed."}
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("save", "Save profile"))

    def clean_orcid(self) -> str:
        value = self.cleaned_data["orcid"].strip()
        for prefix in ORCID_PREFIXES:
            if value.lower().startswith(prefix):
                value = value[len(prefix) :]
        return value.upper()

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "content_type"):
            return photo  # unchanged (the stored file) or cleared (False)
        try:
            return checked_photo(photo)
        except PhotoRejected as exc:
            raise forms.ValidationError(str(exc)) from exc


def new_address(email: str, *, user=None) -> str:
    """Return the address, or raise the form error if it looks like another account's."""
    try:
        services.check_new_address(email, user=user)
    except services.AddressLooksTaken as exc:
        raise forms.ValidationError(str(exc)) from exc
    return email


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up, refusing an address that looks like another account's."""

    def clean_email(self) -> str:
        return new_address(super().clean_email())


class AddEmailForm(allauth_forms.AddEmailForm):
    """allauth's "add an address", with the same refusal as the sign-up."""

    def clean_email(self) -> str:
        return new_address(super().clean_email(), user=self.user)
