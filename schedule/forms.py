"""Input validation for the organizer's schedule view: one row per item, and a release."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format

from schedule import services
from schedule.models import Room, ScheduleItem
from workshops.models import SpeakerProfile, Workshop, folded
from workshops.widgets import TIME_WIDGET


class ObjectChoiceField(forms.ChoiceField):
    """Pick one of objects loaded once for a whole formset: no query per row to show or check."""

    def __init__(self, objects: Iterable[Model], *, empty_label: str, **kwargs) -> None:
        self.objects = {str(obj.pk): obj for obj in objects}
        choices = [("", empty_label), *((pk, str(obj)) for pk, obj in self.objects.items())]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        return self.objects.get(super().clean(value) or "")


class ObjectMultipleChoiceField(forms.MultipleChoiceField):
    """Pick some of objects loaded once for a whole formset."""

    def __init__(self, objects: Iterable[Model], **kwargs) -> None:
        self.objects = {str(obj.pk): obj for obj in objects}
        super().__init__(choices=[(pk, str(obj)) for pk, obj in self.objects.items()], **kwargs)

    def clean(self, value):
        return [self.objects[pk] for pk in super().clean(value)]


class ScheduleRowForm(forms.ModelForm):
    """One item of the schedule: a day and wall-clock times in the workshop's time zone.

    An item that runs past midnight keeps its times as long as its row's day and times are
    left alone; edited here, an item starts and ends on one day (the item's own form does more).
    """

    day = forms.DateField(required=False)
    start = forms.TimeField(required=False, widget=TIME_WIDGET)
    end = forms.TimeField(required=False, widget=TIME_WIDGET)

    class Meta:
        model = ScheduleItem
        fields = ("kind", "title")
        widgets = {"title": forms.TextInput(attrs={"size": 30})}

    def __init__(
        self,
        *args,
        workshop: Workshop,
        rooms: list[Room],
        speakers: list[SpeakerProfile],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        item = self.instance
        if item.pk is None:
            item.workshop = workshop
        self.fields["room"] = ObjectChoiceField(rooms, empty_label="All rooms", required=False)
        self.fields["speakers"] = ObjectMultipleChoiceField(
            speakers,
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 3}),
        )
        days = workshop.days()
        if item.start is not None:
            start = timezone.localtime(item.start, workshop.tz)
            end = timezone.localtime(item.end, workshop.tz) if item.end else None
            self.initial.update(day=start.date(), start=start.time(), end=end and end.time())
            if start.date() not in days:
                days = sorted({*days, start.date()})
            self.ends_other_day = (
                end is not None and end.date() != start.date() and end.time() != dt.time(0)
            )
        else:
            self.ends_other_day = False
            if item.all_day:
                self.initial["day"] = item.day
                if item.day not in days:
                    days = sorted({*days, item.day})
        if days:
            self.fields["day"].widget = forms.Select(
                choices=[("", "— not placed —"), *((d, date_format(d, "D j M")) for d in days)]
            )
        else:
            self.fields["day"].widget = forms.DateInput(attrs={"type": "date"})
        if item.pk is not None:
            self.initial.update(
                room=item.room_id, speakers=[speaker.pk for speaker in item.speakers.all()]
            )

    def label_fields(self) -> None:
        """The table has one header per column and no <label> per cell: name each field for
        screen readers (“Start, row 3”)."""
        row = self.prefix.rsplit("-", 1)[-1] if self.prefix else ""
        for name, field in self.fields.items():
            label = field.label or name.replace("_", " ").capitalize()
            field.widget.attrs["aria-label"] = (
                f"{label}, row {int(row) + 1}" if row.isdigit() else label
            )

    def clean(self):
        data = super().clean()
        item = self.instance
        timing = {"day", "start", "end"}
        if item.pk is None or timing & set(self.changed_data):
            day, start, end = data.get("day"), data.get("start"), data.get("end")
            if self.errors:
                pass  # a time that did not parse: say that, not that it is missing
            elif start is None and end is not None:
                self.add_error("start", "Give a start for an item with an end.")
            elif day is None and start is not None:
                self.add_error("day", "Give the day of this start.")
            elif start is None:  # a day alone: all day on it; nothing: not placed
                if item.start is not None and item.end is not None:
                    item.duration = item.end - item.start  # keeps its planned length
                item.start, item.end, item.day = None, None, day
            else:
                # ScheduleItem.clean refuses an end before the start, on the "end" field.
                item.start, item.end = self.workshop.local_span(day, start, end)
                item.day = None
        if "room" in data:
            item.room = data["room"]
        return data

    def save(self, commit: bool = True) -> ScheduleItem:
        """Save the row, and its speakers (a field of this form, not of its Meta) with it; with
        ``commit`` off, the speakers go with ``save_m2m()``, as a ModelForm's would."""
        item = super().save(commit=commit)
        if commit:
            services.set_item_speakers(item, self.cleaned_data["speakers"])
        else:
            save_model_m2m = self.save_m2m

            def save_m2m() -> None:
                save_model_m2m()
                services.set_item_speakers(self.instance, self.cleaned_data["speakers"])

            self.save_m2m = save_m2m
        return item


BLANK_ROWS = 5
MAX_BLANK_ROWS = 100


class ScheduleRows(forms.BaseModelFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)  # the Delete box comes last: then label them all
        form.label_fields()


def schedule_formset(extra: int = BLANK_ROWS):
    """The schedule page's formset, with ``extra`` blank rows for new items."""
    return forms.modelformset_factory(
        ScheduleItem, form=ScheduleRowForm, formset=ScheduleRows, extra=extra, can_delete=True
    )


class PublishReleaseForm(forms.Form):
    version = forms.CharField(max_length=60, help_text="For example “v2” or “2025-03-01”.")
    status = forms.ChoiceField(
        choices=[
            (Workshop.ScheduleStatus.TENTATIVE, "Tentative (may still change)"),
            (Workshop.ScheduleStatus.FINAL, "Final"),
        ]
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown in the public changelog and in the speakers' mails.",
    )
    notify = forms.BooleanField(
        required=False, initial=True, label="Mail each speaker whose items changed"
    )
    accept_conflicts = forms.BooleanField(
        required=False, label="Publish although the schedule has conflicts"
    )

    def __init__(self, *args, conflicts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.conflicts = list(conflicts)
        if not self.conflicts:
            del self.fields["accept_conflicts"]

    def clean(self):
        data = super().clean()
        if self.conflicts and not data.get("accept_conflicts"):
            count = len(self.conflicts)
            listed = " ".join(c.message for c in self.conflicts[:5])
            more = f" (and {count - 5} more)" if count > 5 else ""
            self.add_error(
                "accept_conflicts",
                f"The schedule has {count} conflict{'s' if count > 1 else ''}: {listed}{more} "
                "Resolve them, or tick this box to publish it as it is.",
            )
        return data


class ItemDialogForm(ScheduleRowForm):
    """The grid's dialog: one item's kind, title, day, times, room and speakers, plus someone
    new to put on it by name (a profile this workshop manages is made for them on save)."""

    new_speaker = forms.CharField(
        required=False,
        max_length=200,
        label="New speaker",
        help_text="Not in the list? Their name; a profile is made for them.",
    )
    new_speaker_affiliation = forms.CharField(
        required=False, max_length=250, label="Their affiliation"
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["title"].widget.attrs["size"] = 40
        self.fields["speakers"].widget.attrs["size"] = 6
        self.fields["speakers"].help_text = "Hold Ctrl (⌘ on a Mac) to choose several."
        self.fields["room"].help_text = "All rooms: a plenary item or a break."
        self.order_fields(
            ["title", "kind", "day", "start", "end", "room", "speakers", "new_speaker"]
        )

    def clean_new_speaker(self) -> str:
        name = " ".join(self.cleaned_data["new_speaker"].split())
        choices = self.fields["speakers"].objects.values()
        known = [s for s in choices if folded(s.name) == folded(name)]
        if name and known:
            raise forms.ValidationError(f"{known[0]} is in the list already: choose them there.")
        return name

    def save(self, commit: bool = True) -> ScheduleItem:
        name = self.cleaned_data.get("new_speaker")
        if name:
            profile = services.new_speaker_profile(
                self.workshop,
                name=name,
                affiliation=self.cleaned_data.get("new_speaker_affiliation", ""),
                user=self.user,
            )
            self.cleaned_data["speakers"] = [*self.cleaned_data["speakers"], profile]
        return super().save(commit=commit)


class MoveItemForm(forms.Form):
    """Move one item on the grid without a mouse: which item, to which day, time and room;
    with an end, it takes that length (what dragging a block's edge does)."""

    day = forms.DateField(widget=forms.Select)
    start = forms.TimeField(
        widget=TIME_WIDGET, label="Start", required=False, help_text="Empty: all day."
    )
    end = forms.TimeField(
        widget=TIME_WIDGET, label="End", required=False, help_text="Empty: keep its length."
    )

    def __init__(self, *args, workshop: Workshop, items, rooms, days, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"] = ObjectChoiceField(items, empty_label="— choose an item —")
        self.fields["room"] = ObjectChoiceField(rooms, empty_label="All rooms", required=False)
        self.fields["day"].widget.choices = [(d.isoformat(), date_format(d, "D j M")) for d in days]
        self.order_fields(["item", "day", "start", "end", "room"])
        self.workshop = workshop
        self.days = set(days)

    def clean(self):
        data = super().clean()
        if data.get("item") is None and "item" not in self.errors:
            self.add_error("item", "Choose the item to move.")
        if data.get("day") and data["day"] not in self.days:
            self.add_error("day", "Choose one of the workshop's days.")
        if data.get("start") is None and data.get("end") is not None and "start" not in self.errors:
            self.add_error("start", "Give a start for an item with an end.")
        return data

    @property
    def start_at(self) -> dt.datetime | None:
        """When it starts; None: all day on the chosen day."""
        if self.cleaned_data["start"] is None:
            return None
        return self.workshop.local_datetime(self.cleaned_data["day"], self.cleaned_data["start"])

    @property
    def end_at(self) -> dt.datetime | None:
        """The end asked for (00:00: the midnight after the day), or None to keep the length."""
        data = self.cleaned_data
        if data.get("end") is None or data.get("start") is None:
            return None
        return self.workshop.local_span(data["day"], data["start"], data["end"])[1]
