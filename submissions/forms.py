"""The author's submission form: input validation only; the call's rules live in services."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator

from submissions.models import CallForAbstracts, Submission, SubmissionType
from submissions.pdf import pdf_problem
from submissions.services import AuthorData, SubmissionData, word_count
from workshops.models import Topic

MAX_AUTHORS = 30
# Far beyond any word limit (5000 words at most); it only stops absurd posts.
MAX_ABSTRACT_CHARACTERS = Submission._meta.get_field("abstract").max_length
AUTHOR_FIELDS = ("name", "email", "affiliation", "is_presenter", "wants_mail")
CHECKBOXES = ("is_presenter", "wants_mail")


def no_control_characters(value: str) -> None:
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise forms.ValidationError("Please remove control characters.")


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.parent.name}: {obj.name}" if obj.parent_id else obj.name


class SubmissionForm(forms.Form):
    title = forms.CharField(max_length=250, validators=[no_control_characters])
    abstract = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        validators=[MaxLengthValidator(MAX_ABSTRACT_CHARACTERS)],
    )
    type = forms.ModelChoiceField(queryset=SubmissionType.objects.none(), empty_label=None)
    topic = TopicChoiceField(queryset=Topic.objects.none(), required=False, empty_label="—")
    pdf = forms.FileField(
        label="PDF",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    remove_pdf = forms.BooleanField(label="Remove the PDF", required=False)

    def __init__(
        self, *args, cfa: CallForAbstracts, submission: Submission | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cfa = cfa
        self.submission = submission
        self.fields["type"].queryset = SubmissionType.objects.filter(workshop_id=cfa.workshop_id)
        topics = Topic.objects.filter(workshop_id=cfa.workshop_id).select_related("parent")
        self.fields["topic"].queryset = topics.order_by("parent__order", "order", "pk")
        limit = cfa.word_limit
        self.fields["abstract"].help_text = f"Markdown (links, *emphasis*…). At most {limit} words."
        self.fields["abstract"].widget.attrs["data-word-limit"] = limit
        has_pdf = bool(submission and submission.pdf)
        if cfa.pdf_upload == CallForAbstracts.PdfUpload.OFF:
            del self.fields["pdf"]
        else:
            self.fields["pdf"].required = (
                cfa.pdf_upload == CallForAbstracts.PdfUpload.REQUIRED and not has_pdf
            )
            self.fields["pdf"].help_text = (
                f"{'Required' if cfa.pdf_upload == 'required' else 'Optional'}; "
                f"at most {cfa.pdf_max_mb} MB."
                + (" Uploading a new file replaces the current one." if has_pdf else "")
            )
        if not has_pdf or cfa.pdf_upload != CallForAbstracts.PdfUpload.OPTIONAL:
            del self.fields["remove_pdf"]

    def clean_abstract(self) -> str:
        abstract = self.cleaned_data["abstract"]
        words = word_count(abstract)
        if words > self.cfa.word_limit:
            raise forms.ValidationError(
                f"The abstract has {words} words; the limit is {self.cfa.word_limit}."
            )
        return abstract

    def clean_pdf(self):
        upload = self.cleaned_data.get("pdf")
        if upload and (problem := pdf_problem(upload, max_mb=self.cfa.pdf_max_mb)):
            raise forms.ValidationError(problem)
        return upload

    def to_data(self, authors: list[AuthorData]) -> SubmissionData:
        data = self.cleaned_data
        return SubmissionData(
            title=data["title"],
            abstract=data["abstract"],
            type=data["type"],
            topic=data.get("topic"),
            authors=authors,
            pdf=data.get("pdf") or None,
            remove_pdf=data.get("remove_pdf", False),
        )

    @classmethod
    def initial_from(cls, submission: Submission) -> dict:
        return {
            "title": submission.title,
            "abstract": submission.abstract,
            "type": submission.type_id,
            "topic": submission.topic_id,
        }


def _text_input(label: str, **attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", "aria-label": label, **attrs})


class AuthorForm(forms.Form):
    name = forms.CharField(
        max_length=200, validators=[no_control_characters], widget=_text_input("Name")
    )
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"class": "form-control", "aria-label": "Email"}),
    )
    affiliation = forms.CharField(
        max_length=250,
        required=False,
        validators=[no_control_characters],
        widget=_text_input("Affiliation"),
    )
    is_presenter = forms.BooleanField(
        label="Presenter",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "aria-label": "Presenter"}),
    )
    wants_mail = forms.BooleanField(
        label="Mail the decision",
        required=False,
        initial=True,
        widget=forms.CheckboxInput(
            attrs={"class": "form-check-input", "aria-label": "Mail this author the decision"}
        ),
    )

    def has_changed(self) -> bool:
        """A row is typed in when a text field is: ticks alone leave a blank row blank."""
        return any(name not in CHECKBOXES for name in self.changed_data)

    def to_data(self) -> AuthorData:
        data = self.cleaned_data
        return AuthorData(
            name=data["name"],
            email=data["email"],
            affiliation=data.get("affiliation", ""),
            is_presenter=data.get("is_presenter", False),
            wants_mail=data.get("wants_mail", False),
        )


class BaseAuthorFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        emails = [f.cleaned_data["email"].lower() for f in self.filled_forms()]
        if len(set(emails)) != len(emails):
            raise forms.ValidationError("Each author needs their own email address.")

    def filled_forms(self) -> list[AuthorForm]:
        """Return the rows in their order, without the blank ones."""
        return [f for f in self.forms if f.has_changed() or f.cleaned_data]

    def to_data(self) -> list[AuthorData]:
        return [f.to_data() for f in self.filled_forms()]


def without_blank_rows(data):
    """The posted form with the author rows left blank taken out and the rest renumbered:
    a blank row anywhere (moved to the top, say) is no author, not an incomplete one."""
    rows, _ = rearranged_author_rows(data, "")
    compact = data.copy()
    for key in [k for k in compact if k.startswith("authors-")]:
        del compact[key]
    compact.update(
        {
            "authors-TOTAL_FORMS": str(len(rows)),
            "authors-INITIAL_FORMS": "0",
            "authors-MIN_NUM_FORMS": "1",
            "authors-MAX_NUM_FORMS": str(MAX_AUTHORS),
        }
    )
    for i, row in enumerate(rows):
        for name, value in row.items():
            if name in CHECKBOXES:
                if value:
                    compact[f"authors-{i}-{name}"] = "on"
            else:
                compact[f"authors-{i}-{name}"] = value
    return compact


def author_formset(*, data=None, initial: list[dict] | None = None, extra: int = 0):
    """Return the authors formset; ``extra`` blank rows follow the given ones. Posted rows
    left blank are dropped first (``without_blank_rows``)."""
    if data is not None:
        data = without_blank_rows(data)
    formset_class = forms.formset_factory(
        AuthorForm,
        formset=BaseAuthorFormSet,
        extra=extra,
        min_num=1,
        validate_min=True,
        max_num=MAX_AUTHORS,
        validate_max=True,
        absolute_max=MAX_AUTHORS,
    )
    return formset_class(data=data, initial=initial, prefix="authors")


def rearranged_author_rows(data, action: str) -> tuple[list[dict], int]:
    """Apply a row button (add, up-N, down-N, remove-N) to the rows as typed.

    Return the rows, blank ones left out, and how many blank rows to add; this is what lets
    authors be added, removed and reordered without JavaScript.
    """
    try:
        total = min(max(int(data.get("authors-TOTAL_FORMS", 0)), 0), MAX_AUTHORS)
    except ValueError:
        total = 0
    rows = []
    for i in range(total):
        row = {name: data.get(f"authors-{i}-{name}", "").strip() for name in AUTHOR_FIELDS}
        for name in CHECKBOXES:
            row[name] = bool(row[name])
        rows.append(row)
    verb, _, number = action.partition("-")
    # isdigit() also says yes to "²" and to 5000 nines, which int() refuses.
    index = int(number) if number.isascii() and number.isdigit() and len(number) < 4 else -1
    if verb == "up" and 0 < index < len(rows):
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and 0 <= index < len(rows) - 1:
        rows[index], rows[index + 1] = rows[index + 1], rows[index]
    elif verb == "remove" and 0 <= index < len(rows):
        del rows[index]
    kept = [row for row in rows if any(row[n] for n in ("name", "email", "affiliation"))]
    return kept, int(verb == "add" and len(kept) < MAX_AUTHORS)


ROW_ACTIONS = ("add", "up", "down", "remove")


def is_row_action(action: str) -> bool:
    return action.partition("-")[0] in ROW_ACTIONS


def authors_initial(submission: Submission) -> list[dict]:
    return [
        {name: getattr(author, name) for name in AUTHOR_FIELDS}
        for author in submission.authors.all()
    ]
