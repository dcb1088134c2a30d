"""PDF files: is an upload really one (by its content, never its name), and a blind copy."""

import io
from typing import BinaryIO

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

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


def without_metadata(data: bytes) -> bytes:
    """Return the PDF re-written page by page, without anything that names its authors.

    Drops the document information dictionary (/Author, /Title, /Creator…), the XMP stream,
    per-page metadata and the author field of annotations. What the pages themselves say is
    the authors' business.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        writer = PdfWriter()
        for page in reader.pages:
            for key in ("/Metadata", "/PieceInfo", "/LastModified"):
                page.pop(key, None)
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                for key in ("/T", "/RC", "/M"):
                    annotation.pop(key, None)
            writer.add_page(page)
        writer.metadata = None  # pypdf would otherwise sign itself as /Producer
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise PdfUnreadable(str(exc)) from exc
    return out.getvalue()


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
