"""The exports' fast text checks say what the slow, obvious ones say, and their slugs what
slugify says, for every character that matters in short and long, ASCII and other text."""

from __future__ import annotations

import csv
import io
import re

from django.utils.text import slugify

from workshops.exports import csv as csv_export
from workshops.exports import frab, ical

# Every ASCII character and a few beyond (Latin-1, the BMP, XML's non-characters, an emoji).
SPECIAL = [chr(c) for c in range(128)] + ["é", "\u2028", "\ufffe", "\uffff", "🙂"]


# Each alone, at the start, middle and end of short and long text.
TEXTS = [
    text
    for char in SPECIAL
    for text in (
        char,
        f"{char}short",
        f"short{char}",
        f"{'long text ' * 8}{char}{'and more ' * 8}",
        f"{'long text ' * 8}{char}",
        f"{char}{'long text ' * 8}",
    )
]


def test_xml_escaping_is_translate():
    for text in TEXTS:
        assert frab._x(text) == text.translate(frab.XML_TEXT), repr(text)


def test_ical_text_escaping_drops_every_control_character():
    for text in TEXTS:
        escaped = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
        assert ical._text(text) == re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", escaped), repr(text)


def test_csv_fields_are_what_the_csv_module_writes():
    for text in TEXTS:
        out = io.StringIO()
        csv.writer(out).writerow([text, text])
        field = csv_export._field(text)
        assert f"{field},{field}\r\n" == out.getvalue(), repr(text)


def test_ascii_slugs_are_slugify():
    for text in TEXTS:
        assert frab.ascii_slugify(text) == slugify(text), repr(text)
