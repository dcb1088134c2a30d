"""Hostile values for the form fuzz tests: text no form expects, files no form wants."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st
from PIL import Image
from pypdf.generic import ArrayObject, NumberObject

from tests.submissions.pdfs import pdf_with

FRAGMENTS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'; DROP TABLE registration_registration; --",
    "' OR '1'='1",
    "1) OR pg_sleep(5)--",
    "{{ request.user }}{% debug %}",
    "%s%s%n%x",
    "{0.__class__}",
    "../../../../etc/passwd",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07\x08",
    "\x7f\x85\x9f",
    "\u202eevil\u202c",
    "\u200b\u200d\ufeff",
    "e\u0301\u0301\u0301\u20dd",
    "Z\u0364\u0354\u0367\u0311a\u0316\u036d",
    "\U0001f469\U0001f3fd\u200d\U0001f52c\U0001f3f3\ufe0f\u200d\U0001f308",
    "مرحبا بالعالم",
    "שלום עולם",
    "数学の研究会",
    "İstanbul ß ﬃ Ⅻ",
    "²",
    "١٢٣",
    "\r\n\r\nBcc: evil@example.org",
    "ada@example.org\nBcc: evil@example.org",
    " ",
    "\t\n",
    "",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "-9223372036854775809",
    "9" * 5000,  # past Python's limit on int() of a string
    "true",
    "null",
    "[]",
    "%00",
    "&#0;",
    "\\u0000",
    "2024-02-30",
    "0000-00-00T25:61",
    "x" * 5000,
    "ö" * 300,
    "\U0001f600" * 1000,
]

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)
control_text = st.text(
    st.characters(categories=("Cc", "Cf", "Zl", "Zp")),
    min_size=1,
    max_size=12,
)
# Digits of other scripts, superscripts, Roman numerals: str.isdigit() says yes to some that
# int() refuses.
NUMBERISH = ["²", "①", "¹²", "٣", "𝟙", "Ⅻ", "-1", "+1", " 1 ", "1_0", "0x1", "1e3", "9" * 5000]
numeric_text = st.one_of(
    st.sampled_from(NUMBERISH),
    st.text(st.characters(categories=("Nd", "No", "Nl")), min_size=1, max_size=4),
)
marks_text = st.text(st.characters(categories=("Mn", "Me", "Mc", "So")), min_size=1, max_size=30)
long_text = st.integers(min_value=101, max_value=70_000).map(lambda n: ("ab\u0301 " * n)[:n])
mixed_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), any_text, control_text), min_size=2, max_size=4
).map("".join)
hostile_text = st.one_of(
    st.sampled_from(FRAGMENTS),
    any_text,
    control_text,
    numeric_text,
    marks_text,
    mixed_text,
    long_text,
)


def image_bytes(kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (30, 120, 200)).save(buffer, format=kind)
    return buffer.getvalue()


PDF_LOOKALIKE = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


SHORT_IHDR_PNG = (
    b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", b"\x00\x00\x00\x01\x00\x00") + png_chunk(b"IEND", b"")
)
FILE_CONTENTS = [
    b"",
    b"%PDF-",  # too short
    b"%PDF-1.7\n" + b"\x00" * 4000,  # no end marker
    b"MZ\x90\x00" + b"\x00" * 100,  # an executable
    b"<html><script>alert(1)</script></html>",
    b"<?xml version='1.0'?><svg onload='alert(1)'/>",
    PDF_LOOKALIKE,
    b"GIF89a" + b"\x00" * 10,
    b"\x89PNG\r\n\x1a\n" + b"\xff" * 64,  # a PNG header, nothing after it
    SHORT_IHDR_PNG,  # Pillow: ValueError("Truncated IHDR chunk"), a 500 before
    pdf_with(Annots=ArrayObject([NumberObject(1)])),  # a page whose annotation is a number
    b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n",  # over every limit
]
FILE_NAMES = [
    "paper.pdf",
    "photo.png",
    "../../../etc/passwd",
    "x" * 300 + ".pdf",
    "évil\u202efdp.exe",
    "nul\x00.pdf",
    "shell.php.pdf",
    "noextension",
    ".pdf",
    "image.svg",
]
uploads = st.builds(
    SimpleUploadedFile,
    name=st.sampled_from(FILE_NAMES),
    content=st.one_of(
        st.sampled_from(FILE_CONTENTS),
        st.binary(max_size=3000),
        st.binary(max_size=500).map(lambda b: b"%PDF-1.5\n" + b + b"\n%%EOF"),
        st.sampled_from(["PNG", "JPEG", "GIF", "BMP"]).map(image_bytes),
    ),
    content_type=st.sampled_from(
        ["application/pdf", "image/png", "text/html", "application/octet-stream", "\x00/\x00"]
    ),
)
