"""CSV for spreadsheets, one way for every export: the csv module's writer, and one cell
sanitizer against CSV injection (a typed cell that a spreadsheet would run as a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # without it Excel reads accented names as Latin-1


def cell(value: Any) -> str | int:
    """Return a value as a CSV cell: text that people typed can never be a formula.

    ``None`` is empty, dates and times are ISO 8601, integers stay numbers (a score of -2 is
    not a formula); any other text starting with a formula character gets a leading quote,
    which spreadsheets show as text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Lines:
    """A file for csv.writer that hands back each line it is given."""

    def write(self, line: str) -> str:
        return line


def stream_rows(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield each row as a CSV line (the ``excel`` dialect), every cell through ``cell``."""
    writer = csv.writer(_Lines())
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def csv_bytes(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> bytes:
    """Return the rows as one CSV document in UTF-8 (with a BOM for Excel)."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue().encode()
