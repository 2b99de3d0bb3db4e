"""Reading the analyst-maintained CSV files in ``data/``, and the context indicators.

Analysts keep these files in a spreadsheet or a text editor, so every error speaks in their
terms: the file, the row number as a spreadsheet shows it (the header is row 1, the first
data row is row 2) and the column name. Every problem is an
:class:`riskbrief.errors.InputError`; all problems found in one pass are raised together as
:class:`riskbrief.errors.InputErrors`, so a file can be fixed in one go.

Encoding: files must be UTF-8. A UTF-8 byte-order mark (what spreadsheet programs write when
saving "CSV UTF-8") is stripped silently: it is harmless, and rejecting it would only teach
analysts to fight their tools. Any other byte sequence that is not UTF-8 is rejected with the
row and the byte offset of the first bad byte.

Blank lines are skipped but still counted, so row numbers keep matching the spreadsheet.
Cells are stripped of surrounding spaces. Everything is read as text; the typed readers below
(:func:`integers`, :func:`numbers`, :func:`dates`, :func:`choices` …) parse columns and
record problems without stopping at the first one.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from riskbrief import paths
from riskbrief.errors import InputError, InputErrors

#: Name of the index of every frame returned by :func:`read_table`: the spreadsheet row number.
ROW = "row"


class Problems:
    """Collects the problems found in one file, then raises them together."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self.errors: list[InputError] = []

    def add(self, problem: str, *, row: int | None = None, field: str | None = None) -> None:
        self.errors.append(InputError(self.path, problem, row=row, field=field))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        """Raise the one problem found, or all of them as :class:`InputErrors`, sorted by row."""
        if not self.errors:
            return
        errors = sorted(self.errors, key=lambda e: (e.row or 0, e.field or ""))
        if len(errors) == 1:
            raise errors[0]
        raise InputErrors(errors)


def decode_utf8(raw: bytes, path: str | os.PathLike[str]) -> str:
    """UTF-8 bytes to text, a leading byte-order mark removed; else an error naming row and byte."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.end].hex(" ")
        raise InputError(
            path,
            f"not valid UTF-8: byte {exc.start} (0x{bad}) cannot be decoded; "
            "save the file as 'CSV UTF-8'",
            row=row,
        ) from None


def read_table(
    path: str | os.PathLike[str],
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a CSV file as a frame of stripped strings indexed by spreadsheet row number.

    ``required`` columns must all be present; ``optional`` ones may be; any other column is an
    error (a misspelt column is better caught than silently ignored). Column order is free.
    The file must hold at least one data row.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a CSV file") from None
    text = decode_utf8(raw, path)
    if not text.strip():
        raise InputError(path, f"the file is empty; expected a header row with: {', '.join(required)}")

    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise InputError(path, f"not a readable CSV file: {exc}") from None

    # Spreadsheet row numbers: record i (0-based) is row i + 1; blank records are skipped.
    numbered = [(i + 1, rec) for i, rec in enumerate(records) if any(c.strip() for c in rec)]
    if not numbered:
        raise InputError(path, f"the file is empty; expected a header row with: {', '.join(required)}")
    header_row, header = numbered[0]
    header = [c.strip() for c in header]
    problems = Problems(path)

    seen: set[str] = set()
    for name in header:
        if name == "":
            problems.add("a column has no name in the header", row=header_row)
        elif name in seen:
            problems.add(f"column '{name}' appears twice in the header", row=header_row, field=name)
        seen.add(name)
    missing = [c for c in required if c not in seen]
    if missing:
        problems.add(
            f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            row=header_row,
        )
    allowed = set(required) | set(optional)
    for name in header:
        if name and name not in allowed:
            problems.add(
                f"unexpected column '{name}'; allowed columns: {', '.join([*required, *optional])}",
                row=header_row,
                field=name,
            )
    problems.raise_if_any()

    rows: list[list[str]] = []
    index: list[int] = []
    for number, rec in numbered[1:]:
        if len(rec) != len(header):
            problems.add(f"expected {len(header)} fields, found {len(rec)}", row=number)
            continue
        rows.append([c.strip() for c in rec])
        index.append(number)
    problems.raise_if_any()
    if not rows:
        raise InputError(path, "the file has a header but no data rows")
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(index, name=ROW), dtype=object)
    for name in optional:
        if name not in frame.columns:
            frame[name] = ""
    return frame[[*required, *[c for c in optional if c in frame.columns]]]


# --- typed column readers -------------------------------------------------------------------
# Each takes the string frame from read_table, records a problem per bad cell (with its row and
# column) and returns the parsed column; bad cells come back as None.


def non_empty(frame: pd.DataFrame, field: str, problems: Problems) -> pd.Series:
    """The column, with an error for every empty cell."""
    for row, value in frame[field].items():
        if value == "":
            problems.add("must not be empty", row=row, field=field)
    return frame[field]


def integers(frame: pd.DataFrame, field: str, problems: Problems, lo: int, hi: int) -> pd.Series:
    """Whole numbers from ``lo`` to ``hi``. '3.0' and '3.5' are both errors: scales are whole."""
    out: dict[int, int | None] = {}
    for row, value in frame[field].items():
        if not re.fullmatch(r"[+-]?\d+", value):
            shown = "an empty cell" if value == "" else f"'{value}'"
            problems.add(f"must be a whole number from {lo} to {hi}, got {shown}", row=row, field=field)
            out[row] = None
        elif not lo <= int(value) <= hi:
            problems.add(f"must be from {lo} to {hi}, got {value}", row=row, field=field)
            out[row] = None
        else:
            out[row] = int(value)
    return pd.Series(out, dtype=object, name=field).reindex(frame.index)


def numbers(frame: pd.DataFrame, field: str, problems: Problems) -> pd.Series:
    """Finite decimal numbers (no thousands separators, no units, no '~' or '>')."""
    out: dict[int, float | None] = {}
    for row, value in frame[field].items():
        try:
            number = float(value)
        except ValueError:
            shown = "an empty cell" if value == "" else f"'{value}'"
            problems.add(f"must be a number, got {shown}", row=row, field=field)
            out[row] = None
            continue
        if number != number or number in (float("inf"), float("-inf")):
            problems.add(f"must be a finite number, got '{value}'", row=row, field=field)
            out[row] = None
        else:
            out[row] = number
    return pd.Series(out, dtype=object, name=field).reindex(frame.index)


def dates(frame: pd.DataFrame, field: str, problems: Problems) -> pd.Series:
    """ISO dates, YYYY-MM-DD."""
    out: dict[int, dt.date | None] = {}
    for row, value in frame[field].items():
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            out[row] = dt.date.fromisoformat(value)
        except ValueError:
            shown = "an empty cell" if value == "" else f"'{value}'"
            problems.add(f"must be a date written YYYY-MM-DD, got {shown}", row=row, field=field)
            out[row] = None
    return pd.Series(out, dtype=object, name=field).reindex(frame.index)


def choices(frame: pd.DataFrame, field: str, allowed: Iterable[str], problems: Problems) -> pd.Series:
    """One of ``allowed`` (exact spelling)."""
    allowed = list(allowed)
    for row, value in frame[field].items():
        if value not in allowed:
            shown = "an empty cell" if value == "" else f"'{value}'"
            problems.add(f"must be one of {', '.join(allowed)}; got {shown}", row=row, field=field)
    return frame[field].where(frame[field].isin(allowed), None)


def lists(
    frame: pd.DataFrame, field: str, allowed: Iterable[str], problems: Problems, sep: str = ";"
) -> pd.Series:
    """A ``sep``-separated list of values from ``allowed``: non-empty, no repeats. Returns tuples."""
    allowed = list(allowed)
    out: dict[int, tuple[str, ...] | None] = {}
    for row, value in frame[field].items():
        items = [v.strip() for v in value.split(sep)] if value else []
        bad = [v for v in items if v not in allowed]
        if not items or "" in items:
            problems.add(
                f"must list one or more of {', '.join(allowed)} separated by '{sep}', got '{value}'",
                row=row,
                field=field,
            )
            out[row] = None
        elif bad:
            problems.add(
                f"unknown value{'s' if len(bad) > 1 else ''} {', '.join(repr(b) for b in bad)}; "
                f"allowed: {', '.join(allowed)} (separated by '{sep}')",
                row=row,
                field=field,
            )
            out[row] = None
        elif len(set(items)) != len(items):
            problems.add(f"lists a value twice: '{value}'", row=row, field=field)
            out[row] = None
        else:
            out[row] = tuple(items)
    return pd.Series(out, dtype=object, name=field).reindex(frame.index)


def unique(frame: pd.DataFrame, field: str, problems: Problems) -> None:
    """Every non-empty value of ``field`` appears once; a repeat names the row it first appeared in."""
    first: dict[str, int] = {}
    for row, value in frame[field].items():
        if value == "":
            continue
        if value in first:
            problems.add(f"duplicate {field} '{value}' (first used in row {first[value]})", row=row, field=field)
        else:
            first[value] = row


def matching(frame: pd.DataFrame, field: str, pattern: str, describe: str, problems: Problems) -> None:
    """Every cell matches the regular expression ``pattern``; ``describe`` says what that means."""
    regex = re.compile(pattern)
    for row, value in frame[field].items():
        if not regex.fullmatch(value):
            shown = "an empty cell" if value == "" else f"'{value}'"
            problems.add(f"must be {describe}, got {shown}", row=row, field=field)


# --- indicators: the context section's US vs China figures ------------------------------------

INDICATOR_COLUMNS: tuple[str, ...] = (
    "id",
    "fact_id",
    "indicator",
    "actor",
    "year",
    "value",
    "unit",
    "source",
    "locator",
    "url",
    "evidence",
)
#: How each figure was obtained, as in the project's researched facts table:
#: ``primary-text`` stated in the source's text, ``chart-parsed`` read from a chart's data,
#: ``secondary`` reported by another source or not re-checked at the page, ``derived`` computed
#: by the researcher from a published data set.
EVIDENCE: tuple[str, ...] = ("primary-text", "chart-parsed", "secondary", "derived")
#: Evidence values a chart must flag next to the figure.
FLAGGED_EVIDENCE: frozenset[str] = frozenset({"secondary", "derived"})


def default_indicators_path() -> Path:
    return paths.DATA_DIR / "indicators.csv"


def load_indicators(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load and validate ``data/indicators.csv`` (or ``path``).

    Every row is one sourced figure from the facts table (``fact_id``); ``source`` and
    ``locator`` say where a reader can check it, ``evidence`` how solid it is. Returns a frame
    with ``value`` as float, indexed by spreadsheet row.
    """
    path = Path(path) if path is not None else default_indicators_path()
    frame = read_table(path, INDICATOR_COLUMNS)
    problems = Problems(path)
    matching(frame, "id", r"[a-z0-9][a-z0-9-]*", "lower-case letters, digits and '-'", problems)
    unique(frame, "id", problems)
    matching(frame, "fact_id", r"F\d{3}", "a facts-table id such as F001", problems)
    for field in ("indicator", "actor", "year", "unit", "source", "locator"):
        non_empty(frame, field, problems)
    matching(frame, "url", r"https?://\S+", "a web address starting http:// or https://", problems)
    values = numbers(frame, "value", problems)
    choices(frame, "evidence", EVIDENCE, problems)
    key = frame["indicator"] + "\x00" + frame["actor"] + "\x00" + frame["year"]
    first: dict[str, int] = {}
    for row, k in key.items():
        if k in first:
            problems.add(
                f"the same indicator, actor and year as row {first[k]}",
                row=row,
                field="indicator",
            )
        first.setdefault(k, row)
    problems.raise_if_any()
    out = frame.copy()
    out["value"] = values.astype(float)
    return out
