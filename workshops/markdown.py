"""Markdown to safe HTML: whatever organizers or speakers type, no script survives."""

import re
from functools import lru_cache

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# A paragraph with no Markdown or HTML in it: one line that starts with a letter (or a number
# that is not a list's "1." or "1)") and holds only letters, digits, spaces and punctuation
# that no Markdown rule reads (nor "_", checked apart: one class is much faster to match).
# Markdown and nh3 would return it as it is, between <p> tags, but take about 0.6 ms each
# (the 330 bios of the benchmark workshop: 200 ms).
PLAIN_PARAGRAPH = re.compile(
    r"(?:[^\W\d_]|\d+(?![\d.)]))"  # a letter, or a number that does not start a list
    r"[\w .,;:'’‘“”\"()?!%/@–—-]*(?<! )"  # and no trailing space (a line break)
)
PARAGRAPH_BREAK = re.compile(r"\n{2,}")


@lru_cache(maxsize=512)
def _render(text: str) -> str:
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str | None) -> SafeString:
    """Return sanitized HTML for Markdown text (raw HTML is cleaned, not trusted)."""
    return mark_safe(_html(text or ""))


def markdown_html(text: str) -> str:
    """``render_markdown`` as a plain str, for HTML built by hand (the speakers page's 330
    bios: mark_safe's wrapper costs more than the remembered look-up)."""
    return _html(text)


# A pure function of the text, remembered like _render: even the plain-paragraph check takes
# about 9 µs a bio, 3 ms for a speakers page of 330 (a look-up here is well under 1 µs). A
# changed text is another key; a few MB at most.
@lru_cache(maxsize=4096)
def _html(text: str) -> str:
    paragraphs = PARAGRAPH_BREAK.split(text.strip("\n")) if text and "_" not in text else []
    if paragraphs and all(PLAIN_PARAGRAPH.fullmatch(p) for p in paragraphs):
        return "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return _render(text)
