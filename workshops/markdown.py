"""Markdown to safe HTML, once, when the text is saved: whatever organizers or speakers type,
no script survives and no text can stall the site.

Three bounds stand between a text and the CPU:

- every Markdown field has a maximum length (``MarkdownField``), checked by its forms;
- the renderer is markdown-it-py, a CommonMark parser whose time is linear in the input (the
  CommonMark suite's pathological cases included). Python-Markdown, used before, took time
  growing with the square of some inputs: 12,000 ``[`` took more than 30 s;
- a run of one punctuation mark longer than ``MAX_RUN`` is text, never markup: it is escaped
  before parsing, and the parser checks a deadline as it goes. A render that passes
  ``RENDER_BUDGET`` seconds stops and the text is shown as escaped plain text instead.

The HTML is stored beside the source (``RenderedMarkdownField``) when the row is saved, and
pages read it as it is: no request renders Markdown.
"""

from __future__ import annotations

import logging
import re
import time
from functools import lru_cache

import nh3
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "hr",
    "h2", "h3", "h4", "h5", "h6", "i", "img", "li", "ol", "p", "pre", "s", "section", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# CPU seconds (of the rendering thread: a busy machine must not turn a fine text into plain
# text) one text may take to render before it is shown as plain text. Real texts at the
# longest any field allows take 0.01 s (prose) to 0.1 s (60,000 characters of links and
# lists); the worst inputs known stop here, and finish within 0.15 s more.
RENDER_BUDGET = 0.25
# Longer runs of one of these marks are escaped: no Markdown needs 17 "[" or "*" in a row.
MAX_RUN = 16
LONG_RUN = re.compile(rf"([\[\]!*_^`<>~|\\])\1{{{MAX_RUN},}}")


class RenderTooSlow(Exception):
    """The render passed its deadline."""


def _deadline_block(state, start_line: int, end_line: int, silent: bool) -> bool:
    if time.thread_time() > state.env["deadline"]:
        raise RenderTooSlow
    return False


def _deadline_inline(state, silent: bool) -> bool:
    if time.thread_time() > state.env["deadline"]:
        raise RenderTooSlow
    return False


def _renderer() -> MarkdownIt:
    """CommonMark with tables, strikethrough, footnotes and definition lists, raw HTML allowed
    (nh3 cleans it); the two deadline rules run before every block and inline rule."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin)
    md.block.ruler.before(md.block.ruler.get_all_rules()[0], "deadline", _deadline_block)
    md.inline.ruler.before(md.inline.ruler.get_all_rules()[0], "deadline", _deadline_inline)
    return md


RENDERER = _renderer()


def _escape_run(match: re.Match) -> str:
    return "".join("\\" + char for char in match[0])


def plain_html(text: str) -> str:
    """Return the text as escaped paragraphs: what a text that cannot be rendered shows."""
    return linebreaks(text, autoescape=True) if text.strip() else ""


def render_markdown(text: str, *, budget: float = RENDER_BUDGET) -> str:
    """Return sanitized HTML for Markdown text, within ``budget`` seconds or as plain text.

    Raw HTML is cleaned, not trusted.
    """
    if not text or not text.strip():
        return ""
    try:
        return _render(text, budget)
    except RenderTooSlow:
        logger.warning("Markdown of %s characters took over %s s; shown as text", len(text), budget)
        return plain_html(text)


# A pure function of its arguments, remembered: saving an unchanged text again costs a look-up.
# A render that ran out of time raises, and so is not remembered: the next save tries again.
@lru_cache(maxsize=1024)
def _render(text: str, budget: float) -> str:
    source = LONG_RUN.sub(_escape_run, text)
    html = RENDERER.render(source, {"deadline": time.thread_time() + budget})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


class MarkdownField(models.TextField):
    """A Markdown source text with a maximum length (checked by forms and ``full_clean``)."""

    def __init__(self, *args, max_length: int, **kwargs) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))


class RenderedMarkdownField(models.TextField):
    """The sanitized HTML of another field of the model, rendered when the row is saved.

    ``pre_save`` renders it on ``save()`` and ``bulk_create()`` alike; ``QuerySet.update()``
    and ``bulk_update()`` skip it, so a write that changes the source that way must set this
    field too (``render_markdown(text)``). Read back as ``SafeString``: the field holds nothing
    but what nh3 let through, so templates print it as it is.
    """

    def __init__(self, source: str, *args, **kwargs) -> None:
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add: bool) -> str:
        html = render_markdown(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, mark_safe(html))
        return html

    def from_db_value(self, value, expression, connection) -> SafeString | None:
        return None if value is None else mark_safe(value)


def render_stored_html(model, source: str, target: str) -> None:
    """Store the HTML of every row's ``source`` text in ``target`` (a data migration's step)."""
    rows = []
    for row in model.objects.only("pk", source).iterator(chunk_size=500):
        setattr(row, target, render_markdown(getattr(row, source)))
        rows.append(row)
    model.objects.bulk_update(rows, [target], batch_size=500)
