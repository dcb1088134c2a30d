"""PDF files: is an upload really one (by its content, never its name), and a blind copy."""

import io
import re
from collections.abc import Iterable
from typing import BinaryIO

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    StreamObject,
    TextStringObject,
)

HEAD = b"%PDF-"
TAIL = b"%%EOF"


def pdf_problem(upload: UploadedFile, *, max_mb: int) -> str | None:
    """Return why the upload is not an acceptable PDF, or None."""
    if upload.size > max_mb * 1024 * 1024:
        return f"The PDF is {upload.size / 1024 / 1024:.1f} MB; the limit is {max_mb} MB."
    if upload.size < len(HEAD) + len(TAIL):
        return "This file is too small to be a PDF."
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(0, upload.size - 2048))
    tail = upload.read(2048)
    upload.seek(0)
    if HEAD not in head[:1024]:
        return "This file is not a PDF (its content does not start like one)."
    if TAIL not in tail:
        return "This PDF looks truncated (no end-of-file marker); please export it again."
    return None


class PdfUnreadable(Exception):
    """The stored file cannot be parsed, so its metadata cannot be removed."""


class BlindCopyNamesAuthors(Exception):
    """The copy still holds an author's name or address somewhere outside the page text."""

    def __init__(self, found: list[str]) -> None:
        super().__init__(f"The blind copy still names: {', '.join(found)}")
        self.found = found


# Keys that carry who made a file or what it does beyond showing pages, wherever they are:
# metadata streams (the document's, a page's, a figure's), pdfTeX's record of each included
# PDF (PTEX.InfoDict with the figure's /Author, PTEX.FileName with the author's home directory),
# application data, document information, actions and scripts, embedded files.
DROPPED_KEYS = frozenset({
    "/Metadata", "/PieceInfo", "/Info", "/LastModified", "/AA", "/OpenAction", "/JS",
    "/JavaScript", "/Names", "/EmbeddedFile", "/EmbeddedFiles", "/AF", "/SpiderInfo", "/URI",
})  # fmt: skip
DROPPED_PREFIXES = ("/PTEX.",)
# Streams whose bytes are the page itself (drawing, text, pictures, fonts): the authors' own
# business in a blind review, and not what the leak check reads.
PAGE_STREAMS = frozenset({"/Contents", "/FontFile", "/FontFile2", "/FontFile3"})


# What pypdf raises on a file it cannot parse (besides its own errors), and a graph too deep.
PARSE_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError)


def _strip(obj, seen: set[int]) -> None:
    """Remove DROPPED_KEYS (and every annotation) from everything reachable from ``obj``."""
    obj = obj.get_object()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, DictionaryObject):
        for key in list(obj.keys()):
            if key in DROPPED_KEYS or key.startswith(DROPPED_PREFIXES) or key == "/Annots":
                del obj[key]
        for value in obj.values():
            _strip(value, seen)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _strip(value, seen)


def without_metadata(data: bytes) -> bytes:
    """Return the PDF re-written page by page, without anything that names its authors.

    Only the pages are copied (not the document catalog with its names tree, outlines,
    scripts and attachments); from everything the pages reach, DROPPED_KEYS are removed and so
    are all annotations (their /T, /Subj, /Contents and /RC name and quote their authors). What
    the pages themselves show is the authors' business.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        seen: set[int] = set()
        for page in writer.pages:
            _strip(page, seen)
        writer.metadata = None  # pypdf would otherwise sign itself as /Producer
        out = io.BytesIO()
        writer.write(out)
    except PARSE_ERRORS as exc:
        raise PdfUnreadable(str(exc)) from exc
    return out.getvalue()


def metadata_texts(obj, seen: set[int], *, key: str = ""):
    """Yield every string and non-page stream's text reachable from ``obj`` (not the names:
    ``/Page`` or ``/Image`` are the format's words, not a person's)."""
    obj = obj.get_object()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, TextStringObject):
        yield str(obj)
    elif isinstance(obj, ByteStringObject):
        yield obj.decode("latin-1")
    elif isinstance(obj, DictionaryObject):
        if isinstance(obj, StreamObject) and key not in PAGE_STREAMS and not _is_picture(obj):
            yield obj.get_data().decode("utf-8", errors="replace")
        for name, value in obj.items():
            yield from metadata_texts(value, seen, key=name)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            yield from metadata_texts(value, seen, key=key)


def _is_picture(stream: StreamObject) -> bool:
    return stream.get("/Subtype") in ("/Image", "/Form") or stream.get("/Type") == "/XObject"


def names_left(data: bytes, identities: Iterable[str]) -> list[str]:
    """Return which of ``identities`` (names, words of names, addresses) the PDF still holds
    outside what its pages draw, compared case-insensitively as whole words."""
    patterns = {
        who: re.compile(rf"(?<!\w){re.escape(who.casefold())}(?!\w)")
        for who in identities
        if len(who.strip()) >= 3
    }
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(metadata_texts(reader.trailer, set())).casefold()
    return sorted(who for who, pattern in patterns.items() if pattern.search(text))


def blind_copy(data: bytes, *, identities: Iterable[str]) -> bytes:
    """Return the PDF without metadata, checked to name none of ``identities``; raise
    BlindCopyNamesAuthors if it still does, PdfUnreadable if it cannot be parsed."""
    copy = without_metadata(data)
    try:
        found = names_left(copy, identities)
    except PARSE_ERRORS as exc:
        raise PdfUnreadable(str(exc)) from exc
    if found:
        raise BlindCopyNamesAuthors(found)
    return copy


# Whatever a PDF holds, it never runs as a page of our origin: no scripts, no plugins, no
# requests, a unique origin (sandbox) even if a browser ignored the attachment disposition.
SANDBOX_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def attachment_response(content: BinaryIO, *, filename: str) -> FileResponse:
    """Return the PDF as a private download that no browser treats as a page of this site."""
    response = FileResponse(
        content, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP  # django-csp keeps a header already set
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
