"""Reading the files analysts maintain: text, YAML and CSV tables, with errors in their terms.

Analysts keep these files in a spreadsheet or a text editor, so every error names the file,
the line or the spreadsheet row (the header is row 1, the first data row is row 2), the field
and what is wrong. All problems found in one pass are raised together (see
:class:`riskbrief.errors.Problems`), so a file can be fixed in one go.

Encoding: files must be UTF-8. A UTF-8 byte-order mark at the start (what spreadsheet programs
write when saving "CSV UTF-8") is stripped silently; any other byte sequence that is not UTF-8
is reported with its line and byte offset, and a byte-order mark in the middle of a file (left
by pasting two files together) is an error.

YAML: read with a safe loader that refuses duplicate keys (PyYAML would keep the last one
silently) and leaves dates as text, so that a bad date is a field error, not a parser crash.

CSV tables: blank lines are skipped but still counted, so row numbers keep matching the
spreadsheet. Cells are stripped of surrounding spaces. Everything is read as text; the typed
readers below (:func:`integers`, :func:`numbers`, :func:`dates`, :func:`choices` …) parse
columns and record problems without stopping at the first one.
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
from typing import TYPE_CHECKING, Any

import yaml

from riskbrief.errors import InputError, Problems

if TYPE_CHECKING:  # pandas is imported where a table is read: reading params needs none of it
    import pandas as pd


def read_bytes(path: str | os.PathLike[str], what: str = "file") -> bytes:
    """The file's bytes; a missing file or a folder is an InputError naming it."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, "file not found") from None
    except IsADirectoryError:
        raise InputError(p, f"is a folder, not a {what}") from None


def decode(raw: bytes, path: str | os.PathLike[str], *, row_is_line: bool = False) -> str:
    """UTF-8 bytes to text, a leading byte-order mark removed; anything else that is not UTF-8
    is an error naming the line and the byte (and the row, for tables: ``row_is_line``)."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.end].hex(" ")
        raise InputError(
            path,
            f"not UTF-8 text: line {line}, byte {exc.start} (0x{bad}) cannot be decoded; "
            "save the file as UTF-8 ('CSV UTF-8' in a spreadsheet)",
            row=line if row_is_line else None,
        ) from None
    stray = raw.find(codecs.BOM_UTF8)
    if stray >= 0:
        line = raw.count(b"\n", 0, stray) + 1
        raise InputError(
            path,
            f"a byte-order mark (bytes ef bb bf) at byte {stray} (line {line}), not at the start "
            "of the file; it is usually left by pasting two files together: delete it",
            row=line if row_is_line else None,
        )
    return text


def read_text(path: str | os.PathLike[str]) -> str:
    """A UTF-8 text file (see :func:`decode`)."""
    return decode(read_bytes(path), path)


#: libyaml's parser where PyYAML was built with it (about ten times faster), else PyYAML's own
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that refuses duplicate keys and leaves dates as text."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, path: str | os.PathLike[str]) -> Any:
    """Parse YAML text; a syntax error names the file, line and column."""
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, f"not valid YAML{where}: {problem}") from None


def read_yaml(path: str | os.PathLike[str]) -> Any:
    """A UTF-8 YAML file, parsed safely (unique keys, dates as text)."""
    return parse_yaml(read_text(path), path)


#: Name of the index of every frame returned by :func:`read_table`: the spreadsheet row number.
ROW = "row"


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
    text = decode(read_bytes(path, "CSV file"), path, row_is_line=True)
    if not text.strip():
        raise InputError(path, f"the file is empty; expected a header with: {', '.join(required)}")

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        # line_num counts physical lines read; for a broken quote it is where reading stopped
        raise InputError(path, f"not a readable CSV file: {exc}", row=reader.line_num) from None

    # Spreadsheet row numbers: record i (0-based) is row i + 1; blank records are skipped.
    numbered = [(i + 1, rec) for i, rec in enumerate(records) if any(c.strip() for c in rec)]
    if not numbered:
        raise InputError(path, f"the file is empty; expected a header with: {', '.join(required)}")
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
    import pandas as pd

    frame = pd.DataFrame(rows, columns=header, index=pd.Index(index, name=ROW), dtype=object)
    for name in optional:
        if name not in frame.columns:
            frame[name] = ""
    return frame[[*required, *[c for c in optional if c in frame.columns]]]


# --- typed column readers -------------------------------------------------------------------
# Each takes the string frame from read_table, records a problem per bad cell (with its row and
# column) and returns the parsed column; bad cells come back as None.


def _column(values: dict[int, Any], frame: pd.DataFrame, field: str) -> pd.Series:
    """Parsed values by row number, as the column ``field`` of ``frame``."""
    import pandas as pd

    return pd.Series(values, dtype=object, name=field).reindex(frame.index)


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
            problems.add(
                f"must be a whole number from {lo} to {hi}, got {shown}", row=row, field=field
            )
            out[row] = None
        elif not lo <= int(value) <= hi:
            problems.add(f"must be from {lo} to {hi}, got {value}", row=row, field=field)
            out[row] = None
        else:
            out[row] = int(value)
    return _column(out, frame, field)


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
    return _column(out, frame, field)


def date_problem(value: str) -> str | None:
    """What is wrong with ``value`` as an ISO date (YYYY-MM-DD), or None if it is one."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        shown = "an empty cell" if value == "" else f"'{value}'"
        return f"must be a date written YYYY-MM-DD, got {shown}"
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"'{value}' does not exist as a date (check the month and the day)"
    return None


def dates(frame: pd.DataFrame, field: str, problems: Problems) -> pd.Series:
    """ISO dates, YYYY-MM-DD."""
    out: dict[int, dt.date | None] = {}
    for row, value in frame[field].items():
        problem = date_problem(value)
        if problem:
            problems.add(problem, row=row, field=field)
            out[row] = None
        else:
            out[row] = dt.date.fromisoformat(value)
    return _column(out, frame, field)


def choices(
    frame: pd.DataFrame, field: str, allowed: Iterable[str], problems: Problems
) -> pd.Series:
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
    """A ``sep``-separated list of values from ``allowed``, non-empty, no repeats, as a tuple."""
    allowed = list(allowed)
    out: dict[int, tuple[str, ...] | None] = {}
    for row, value in frame[field].items():
        items = [v.strip() for v in value.split(sep)] if value else []
        bad = [v for v in items if v not in allowed]
        if not items or "" in items:
            problems.add(
                f"must list one or more of {', '.join(allowed)} separated by '{sep}', "
                f"got '{value}'",
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
    return _column(out, frame, field)


def unique(frame: pd.DataFrame, field: str, problems: Problems) -> None:
    """Every non-empty value of ``field`` appears once; a repeat names the row first using it."""
    first: dict[str, int] = {}
    for row, value in frame[field].items():
        if value == "":
            continue
        if value in first:
            problems.add(
                f"duplicate {field} '{value}' (first used in row {first[value]})",
                row=row,
                field=field,
            )
        else:
            first[value] = row


def matching(
    frame: pd.DataFrame, field: str, pattern: str, describe: str, problems: Problems
) -> None:
    """Every cell matches the regular expression ``pattern``; ``describe`` says what that means."""
    regex = re.compile(pattern)
    for row, value in frame[field].items():
        if not regex.fullmatch(value):
            shown = "an empty cell" if value == "" else f"'{value}'"
            problems.add(f"must be {describe}, got {shown}", row=row, field=field)
