"""Event slugs: the fast path for ASCII titles says what Django's slugify says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils.text import slugify

from workshops.exports.frab import ascii_slugify

BENCH_DATA = Path(__file__).resolve().parents[3] / "shared" / "bench-data" / "lorainne25.json"


@pytest.mark.parametrize(
    "title",
    [
        "Tensor trains: a tutorial",
        "  --Leading and trailing__  ",
        "C++ & Rust, side by side (part 2/3)?",
        "snake_case and kebab-case -- mixed   spaces\ttabs\nnewlines",
        "Ünïcödé falls back: Łódź, naïve café",
        "100% of 3.5B parameters",
        "",
    ],
)
def test_ascii_slugify_is_slugify(title):
    assert ascii_slugify(title) == slugify(title)


def test_the_bench_titles_slug_as_slugify_does():
    if not BENCH_DATA.exists():
        pytest.skip(f"no benchmark data at {BENCH_DATA}")
    titles = [talk["title"] for talk in json.loads(BENCH_DATA.read_text())["talks"]]
    assert [ascii_slugify(t[:60]) for t in titles] == [slugify(t[:60]) for t in titles]
