"""Registration forms: input validation only; the rules live in services."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.utils.html import escape

from registration.mailtexts import PLACEHOLDERS, check_placeholders
from registration.models import Question, Registration, RegistrationSettings
from registration.services import RegistrationData

Ask = RegistrationSettings.Ask

MAX_ANSWER_LENGTH = 1000


def _no_control_characters(value: str) -> None:
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise forms.ValidationError("Please remove control characters.")


class RegistrationForm(forms.Form):
    first_name = forms.CharField(max_length=100, validators=[_no_control_characters])
    last_name = forms.CharField(max_length=100, validators=[_no_control_characters])
    email = forms.EmailField(max_length=254)
    affiliation = forms.CharField(max_length=250, validators=[_no_control_characters])
    career_stage = forms.ChoiceField(choices=[("", "—"), *Registration.CareerStage.choices])
    dietary_needs = forms.CharField(
        label="Dietary needs", max_length=250, validators=[_no_control_characters]
    )
    list_consent = forms.BooleanField(
        label="Show my name and affiliation in the public participant list", required=False
    )
    # A field no human sees or fills; bots fill every field they find.
    website = forms.CharField(
        required=False,
        label="Spam check: leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self,
        *args,
        conf: RegistrationSettings,
        questions: list[Question],
        editing: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self._apply_settings(conf)
        if editing:
            del self.fields["email"]
            del self.fields["website"]
        for question in questions:
            self.fields[question.field_name] = self._question_field(question)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The honeypot is moved off screen but keeps its label, so that anyone who reaches it
        # with a screen reader is told to leave it empty.
        self.helper.layout = Layout(
            *(Field(n, wrapper_class="hp-field") if n == "website" else n for n in self.fields)
        )
        self.helper.add_input(Submit("submit", "Save changes" if editing else "Register"))

    def _apply_settings(self, conf: RegistrationSettings) -> None:
        for name, ask in (
            ("affiliation", conf.ask_affiliation),
            ("career_stage", conf.ask_career_stage),
            ("dietary_needs", conf.ask_dietary),
        ):
            if ask == Ask.OFF:
                del self.fields[name]
            else:
                self.fields[name].required = ask == Ask.REQUIRED
        if not conf.ask_list_consent or not conf.participant_list_public:
            del self.fields["list_consent"]

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        common = {"label": question.label, "required": question.required}
        # Django prints a field's help text as HTML; the organizer's is text (a
        # <meta http-equiv=refresh> in it redirected every attendee).
        common["help_text"] = escape(question.help_text)
        if question.kind == Question.Kind.CHOICE:
            options = [("", "—"), *((o, o) for o in question.options)]
            return forms.ChoiceField(choices=options, **common)
        if question.kind == Question.Kind.CHECKBOX:
            return forms.BooleanField(**common)
        return forms.CharField(
            max_length=MAX_ANSWER_LENGTH,
            widget=forms.Textarea(attrs={"rows": 2}),
            validators=[_no_control_characters],
            **common,
        )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def answers(self) -> dict[str, Any]:
        return {
            str(q.pk): self.cleaned_data.get(q.field_name)
            for q in self.questions
            if self.cleaned_data.get(q.field_name) not in (None, "")
        }

    def _value(self, name: str, default: Any) -> Any:
        if name in self.fields:
            return self.cleaned_data.get(name, default)
        # A question the form no longer asks keeps the earlier answer (initial when editing).
        return self.initial.get(name, default)

    def to_data(self, *, email: str = "") -> RegistrationData:
        data = self.cleaned_data
        return RegistrationData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=email or data["email"],
            affiliation=self._value("affiliation", ""),
            career_stage=self._value("career_stage", ""),
            dietary_needs=self._value("dietary_needs", ""),
            list_consent=self._value("list_consent", False),
            answers=self.answers(),
        )

    @classmethod
    def initial_from(cls, registration: Registration, questions: list[Question]) -> dict:
        initial = {
            name: getattr(registration, name)
            for name in (
                "first_name",
                "last_name",
                "affiliation",
                "career_stage",
                "dietary_needs",
                "list_consent",
            )
        }
        for q in questions:
            initial[q.field_name] = registration.answers.get(str(q.pk))
        return initial


class CheckInForm(forms.Form):
    code = forms.CharField(
        max_length=40,
        label="Check-in code",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class EmailAttendeesForm(forms.Form):
    subject = forms.CharField(max_length=200, validators=[check_placeholders])
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        max_length=20000,
        validators=[check_placeholders],
        help_text="Placeholders: " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS) + ".",
    )
