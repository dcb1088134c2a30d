"""Public uploads: speaker photos only, each as the image type its suffix names, or nothing.

Submitted PDFs are not media at all (config/storage.py). What is left under MEDIA_ROOT is
served only when its suffix is one of a few image types, with that type stated, sniffing off
and a sandboxing policy: an upload that is not what its name says is never rendered as a page.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from django.views.static import serve

IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
}
MEDIA_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


@require_GET
def serve_public_media(request: HttpRequest, path: str) -> HttpResponse:
    """Serve one speaker photo from MEDIA_ROOT/speakers/."""
    clean = posixpath.normpath(path).lstrip("/")
    suffix = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    if not clean.startswith("speakers/") or suffix not in IMAGE_TYPES:
        raise Http404("No such photo.")
    response = serve(request, clean, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = IMAGE_TYPES[suffix]
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    response["Cache-Control"] = "public, max-age=86400"
    return response
