"""The reviewer's form: input validation only; whether it may still change is the service's."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from submissions.models import Review
from submissions.services import ReviewData

SCORES = [
    (3, "+3 strong accept"),
    (2, "+2 accept"),
    (1, "+1 weak accept"),
    (0, "0 borderline"),
    (-1, "−1 weak reject"),
    (-2, "−2 reject"),
    (-3, "−3 strong reject"),
]
CONFIDENCES = [
    (5, "5 expert"),
    (4, "4 high"),
    (3, "3 medium"),
    (2, "2 low"),
    (1, "1 none: an educated guess"),
]


class ReviewForm(forms.Form):
    score = forms.TypedChoiceField(choices=[("", "—"), *SCORES], coerce=int)
    confidence = forms.TypedChoiceField(choices=[("", "—"), *CONFIDENCES], coerce=int)
    comments_to_authors = forms.CharField(
        label="Comments to the authors",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Sent to the authors with the decision, without your name.",
    )
    confidential_comments = forms.CharField(
        label="Confidential comments to the committee",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only the organizers and the committee read these.",
    )

    def __init__(self, *args, read_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if read_only:
            for field in self.fields.values():
                field.disabled = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    @staticmethod
    def initial_from(review: Review | None) -> dict:
        if review is None:
            return {}
        return {
            "score": review.score,
            "confidence": review.confidence,
            "comments_to_authors": review.comments_to_authors,
            "confidential_comments": review.confidential_comments,
        }

    def to_data(self) -> ReviewData:
        return ReviewData(**self.cleaned_data)
