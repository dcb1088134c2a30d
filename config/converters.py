"""URL converters shared by every app's URLs."""

from django.urls import converters, register_converter


class IdConverter(converters.IntConverter):
    """A row id: at most 18 digits, so every value fits a 64-bit column (a longer number made
    SQLite raise OverflowError, a 500, where a missing row is a 404)."""

    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")
