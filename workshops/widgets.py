"""Form widgets the admin and the organizer's pages share: dates and times as the workshop's
people write them."""

from __future__ import annotations

from django import forms

# A text field, not type="time": browsers set to a 12-hour locale show that one with AM/PM,
# and 12:30 AM for 00:30 is a mistake waiting to happen. The workshop's programme is 24-hour.
TIME_WIDGET = forms.TimeInput(
    format="%H:%M",
    attrs={
        "inputmode": "numeric",
        "pattern": "[0-2]?[0-9][:.h]?[0-5][0-9]",
        "placeholder": "HH:MM",
        "size": 5,
        "autocomplete": "off",
    },
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
