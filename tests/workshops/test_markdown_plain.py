"""Plain text skips Markdown and nh3 (the speakers page renders hundreds of bios) and must come
out exactly as they would make it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workshops.markdown import _html, _render, render_markdown

BENCH_DATA = Path(__file__).resolve().parents[3] / "shared" / "bench-data" / "lorainne25.json"

SAMPLES = [
    "One paragraph.",
    "Para one.\n\nPara two, with 'quotes' – a dash, “curly” ones and (brackets)?",
    "Three\n\n\n\nparagraphs\n\napart.",
    "\n\nBlank lines around\n\n",
    "Trailing spaces  ",
    "Two  spaces inside",
    "Line one\nline two",
    "  leading spaces",
    "2 years at a lab",
    "8-bit optimizers",
    "2. second",
    "2) second",
    "12. twelfth",
    "recall@k and someone@example.org",
    "- a list",
    "1. ordered",
    "Heading\n===",
    "# Heading",
    "> quote",
    "Use *emphasis* and _this_ and `code`",
    "snake_case_name and x_y",
    "A [link](https://example.org)",
    "<script>alert(1)</script> x",
    "Tom & Jerry, 3 < 4 > 2",
    "Term\n: definition",
    "Footnote[^1]\n\n[^1]: note",
    "Escaped \\*star\\*",
    "Wide\u00a0space",
    "Tab\there",
    "Windows\r\nline",
    "Ends with colon:",
    "Visit https://example.org/path?x=1 now!",
    "",
    "\n\n",
]


def bench_texts() -> list[str]:
    if not BENCH_DATA.exists():
        return []
    data = json.loads(BENCH_DATA.read_text())
    return [s["biography"] for s in data["speakers"]] + [t["abstract"] for t in data["talks"]]


@pytest.mark.parametrize("text", SAMPLES)
def test_plain_or_not_the_html_is_what_markdown_and_nh3_make(text):
    assert str(render_markdown(text)) == _render(text)


def test_the_bench_bios_and_abstracts_skip_markdown_and_come_out_the_same():
    texts = bench_texts()
    if not texts:
        pytest.skip(f"no benchmark data at {BENCH_DATA}")
    _html.cache_clear()
    _render.cache_clear()
    fast = [str(render_markdown(text)) for text in texts]
    assert _render.cache_info().misses == 0  # Markdown never ran
    assert fast == [_render(text) for text in texts]
