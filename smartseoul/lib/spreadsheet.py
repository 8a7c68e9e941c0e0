"""Cells that a spreadsheet will not run as formulas (CSV/formula injection).

A spreadsheet that opens a CSV file treats a cell starting with `=`, `+`, `-` or `@` as a formula
(and a leading tab or carriage return hides such a start from a quick look), so a complaint
whose text is `=HYPERLINK("https://evil.example", "click")` would become a live link, or worse, in
the spreadsheet of the official who downloads the export. Every CSV and XLSX the platform writes
goes through this module.

The rule, decided once for every export:

- Only text is guarded. Python numbers (`int`, `float`, `Decimal`), dates and booleans are written
  as they are, so the city's own numeric data stays numeric: a numeric column's `-3.5` is still a
  number in the download.
- A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with
  an apostrophe (`'`); spreadsheets show such a value as the text it is. Text is text even when
  it looks like a number: a text column's `-3.5` or `+82 2 120` gets the apostrophe too, which
  keeps it exactly as written.
- This applies to exports of what people wrote (the audit log, complaints, proposals, comments)
  and equally to the text columns of an open dataset's CSV download, since datasets are built from
  such exports too. Numeric, date and boolean columns of a dataset are never touched.
- XLSX cells are typed: a text value is stored as a string cell (never as a formula), so XLSX
  needs no apostrophe; `xlsx_value` returns the value and whether it must be forced to text.
- Machine formats that are not meant for spreadsheets (JSON, Parquet, Pabulib `.pb` files read by
  participatory-budgeting tools) are written unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def needs_guard(text: str) -> bool:
    """True if a spreadsheet could read this text as a formula."""
    return bool(text) and text[0] in FORMULA_STARTS


def cell(value: Any) -> Any:
    """The value for a CSV cell: text that could start a formula gets an apostrophe in front;
    anything that is not text (numbers, dates, None) comes back unchanged."""
    if isinstance(value, str) and needs_guard(value):
        return GUARD + value
    return value


def row(values: Iterable[Any]) -> list[Any]:
    """`cell` applied to each value of a CSV row."""
    return [cell(v) for v in values]


def xlsx_value(value: Any) -> tuple[Any, bool]:
    """(value, force_text) for an XLSX cell: text that a spreadsheet library would store as a
    formula (it starts with `=`) must be written as a string cell instead."""
    if isinstance(value, str):
        return value, value.startswith("=")
    if isinstance(value, (int, float, Decimal, date, datetime, time, bool)) or value is None:
        return value, False
    return str(value), str(value).startswith("=")


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Cells for `sheet.append` on an openpyxl write-only sheet: text starting with `=` is typed
    as a string, so it is stored and shown as text and never evaluated."""
    from openpyxl.cell import WriteOnlyCell

    out: list[Any] = []
    for v in values:
        value, force_text = xlsx_value(v)
        if force_text:
            c = WriteOnlyCell(sheet, value=value)
            c.data_type = "s"
            out.append(c)
        else:
            out.append(value)
    return out


def sql_guard(expr: str) -> str:
    """The same rule as a DuckDB SQL expression over a text column `expr` (already quoted), for
    files written with COPY … TO (FORMAT csv)."""
    return f"CASE WHEN regexp_matches({expr}, '^[=+\\-@\\t\\r]') THEN '{GUARD}{GUARD}' || {expr} ELSE {expr} END"
