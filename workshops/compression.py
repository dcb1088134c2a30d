"""Gzip for cached schedule responses, the big pages included, at almost no cost per request.

The exports are cached gzipped and sent as they are. A page is rendered per request (the nav
knows who is logged in, the messages are theirs) around a large cached fragment (the 300-talk
schedule is 160 kB); compressing the whole page again on every request would cost more than
the rest of a cached request. So the fragment is cached as a compressed deflate segment that
ends on a byte boundary (a sync flush), and each response compresses only the few kB of page
around it and splices the three segments into one gzip member. The CRC-32 that gzip needs is
combined from the parts (CRC-32 is affine in its start value, see ``_crc32_combine``).
"""

from __future__ import annotations

import gzip
import re
import struct
import zlib
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Level 1: most of level 9's gain at a fifth of the time; paid again after every change.
LEVEL = 1
# ID1 ID2, deflate, no flags, no mtime, no extra flags, unknown OS (RFC 1952).
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))


def gzip_bytes(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


def gzip_response(request: HttpRequest, compressed: bytes, content_type: str) -> HttpResponse:
    """Send gzipped bytes as they are to clients that accept gzip, decompressed to others."""
    if accepts_gzip(request):
        response = HttpResponse(compressed, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed), content_type=content_type)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@dataclass(frozen=True, slots=True)
class Fragment:
    """A block of a page, kept compressed: a deflate segment that other segments can follow."""

    deflated: bytes
    crc: int  # CRC-32 of the UTF-8 text
    size: int  # length of the UTF-8 text
    zeros_crc: int  # CRC-32 of ``size`` zero bytes

    @classmethod
    def of(cls, text: str) -> Fragment:
        data = text.encode()
        return cls(
            deflated=_deflate(data, zlib.Z_SYNC_FLUSH),
            crc=zlib.crc32(data),
            size=len(data),
            zeros_crc=zlib.crc32(bytes(len(data))),
        )

    def decompressed(self) -> bytes:
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(self.deflated)


# Stands for the fragment in the rendered page; a comment, so that it could never be visible.
MARKER = "<!--cached-fragment-->"


def respond_around(request: HttpRequest, response: HttpResponse, fragment: Fragment):
    """Put ``fragment`` where the rendered ``response`` has MARKER; gzip it if accepted."""
    head, tail = response.content.split(MARKER.encode(), 1)
    if accepts_gzip(request):
        response.content = gzip_around(head, fragment, tail)
        response["Content-Encoding"] = "gzip"
    else:
        response.content = head + fragment.decompressed() + tail
    response["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def gzip_around(head: bytes, fragment: Fragment, tail: bytes) -> bytes:
    """Return one gzip member holding head + fragment + tail."""
    crc = _crc32_combine(zlib.crc32(head), fragment)
    crc = zlib.crc32(tail, crc)
    size = len(head) + fragment.size + len(tail)
    return b"".join(
        (
            GZIP_HEADER,
            _deflate(head, zlib.Z_SYNC_FLUSH),
            fragment.deflated,
            _deflate(tail, zlib.Z_FINISH),
            struct.pack("<II", crc, size & 0xFFFFFFFF),
        )
    )


def _deflate(data: bytes, flush: int) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(flush)


def _crc32_combine(before: int, fragment: Fragment) -> int:
    """Return crc32(A + B) from crc32(A) and the fragment B's own CRC.

    crc32(B, start) is affine in ``start``: with Z the zero bytes as long as B,
    crc32(B, start) = crc32(B) ^ crc32(Z, start) ^ crc32(Z).
    """
    return fragment.crc ^ zlib.crc32(bytes(fragment.size), before) ^ fragment.zeros_crc
