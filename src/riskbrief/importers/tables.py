"""Finding a table in a downloaded file by what its columns mean, not where they are.

Publishers rename sheets, move a table down a few rows, add columns and respell headers
between releases ("Sub-domain", "Subdomain", "Risk Sub-Domain"). An importer therefore
describes the columns it needs by meaning — a key and the header names the column goes by —
and :func:`locate` searches every sheet of a workbook (or the one table of a CSV file) for the
header row that has them all. Headers are compared after :func:`normalise`: case, spacing,
punctuation, ``&`` for "and", plurals and a trailing "(unit)" do not matter.

A file that has no such table is the wrong file: the error names the file and the columns it
lacks, and shows the closest header it found.

Cells come back as read: strings from CSV files; strings, numbers, booleans or dates from
workbooks. :func:`text`, :func:`number`, :func:`year` and :func:`items` turn them into values.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from riskbrief.errors import InputError
from riskbrief.readers import ROW, decode

#: How far down a sheet a header row may sit (title rows, notes and banners come first).
HEADER_SCAN_ROWS = 30
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Column:
    """A column an importer needs, by meaning: its key and the headers it goes by, best first."""

    key: str
    names: tuple[str, ...]
    required: bool = True
    _norm: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_norm", tuple(normalise(n) for n in self.names))

    @property
    def label(self) -> str:
        """How a message names the column: its usual header."""
        return f"'{self.names[0]}'"

    def rank(self, header: object) -> tuple[int, int] | None:
        """How well ``header`` matches (lower is better), or None if it does not."""
        full, bare = header_keys(text(header))
        for i, name in enumerate(self._norm):
            if name == full:
                return (i, 0)
        for i, name in enumerate(self._norm):
            if bare and name == bare:
                return (i, 1)
        return None


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook (``name``), or the one table of a CSV file (``name`` None)."""

    name: str | None
    rows: list[list[object]]

    def where(self) -> str:
        return f"sheet '{self.name}'" if self.name is not None else "the file"


@dataclass
class Located:
    """A table found in a file: where it is, which header each key maps to, and its rows."""

    path: Path
    sheet: Sheet
    header_row: int  # as a spreadsheet shows it: the first row is 1
    index: dict[str, int]  # key -> column position
    headers: dict[str, str]  # key -> the header as written in the file
    frame: pd.DataFrame  # one column per key found, indexed by spreadsheet row number
    others: list[str] = field(default_factory=list)  # headers of columns no key uses

    @property
    def preamble(self) -> list[list[object]]:
        """Rows above the header: titles, dates, licence lines."""
        return self.sheet.rows[: self.header_row - 1]

    def describe(self) -> dict[str, object]:
        """Where the table was found, for the provenance sidecar."""
        out: dict[str, object] = {"header_row": self.header_row, "columns": dict(self.headers)}
        if self.sheet.name is not None:
            out["sheet"] = self.sheet.name
        return out


# --- normalising ------------------------------------------------------------------------------


def _token(t: str) -> str:
    """A word without its plural ending: countries/country, equivalents/equivalent."""
    if len(t) > 4 and t.endswith("ies"):
        return t[:-3] + "y"
    if len(t) > 3 and t.endswith("s") and not t.endswith("ss"):
        return t[:-1]
    return t


@functools.lru_cache(maxsize=8192)
def normalise(label: str) -> str:
    """A label reduced to what it says: ``'Sub-domain'``, ``'sub domain'`` and ``'SUBDOMAINS'``
    all become ``'subdomain'``; ``'Discrimination & Toxicity'`` equals
    ``'discrimination and toxicity'``."""
    s = unicodedata.normalize("NFKC", label).casefold().replace("&", " and ")
    return "".join(_token(t) for t in re.findall(r"[^\W_]+", s))


@functools.lru_cache(maxsize=8192)
def header_keys(header: str) -> tuple[str, str]:
    """A header normalised as written, and without any parenthesised part
    (``'Training compute (FLOP)'`` also answers to ``'training compute'``)."""
    s = header
    bare = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", s)
    return normalise(s), normalise(bare) if bare != s else ""


# --- reading files ------------------------------------------------------------------------------


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a workbook (xlsx, xlsm, xlsb, xls, ods), or a CSV file as one sheet."""
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror}") from None
    if path.suffix.lower() in WORKBOOK_SUFFIXES or head.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        return _read_workbook(path)
    return [Sheet(None, _read_csv(path))]


def _read_workbook(path: Path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        return [Sheet(n, book.get_sheet_by_name(n).to_python()) for n in book.sheet_names]
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise InputError(path, f"not a readable workbook: {exc}") from None


def _read_csv(path: Path) -> list[list[object]]:
    text = decode(path.read_bytes(), path, row_is_line=True)
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return [list(r) for r in reader]
    except csv.Error as exc:
        raise InputError(path, f"not a readable CSV file: {exc}", row=reader.line_num) from None


# --- locating a table ---------------------------------------------------------------------------


def _match(header: Sequence[object], columns: Sequence[Column]) -> dict[str, list[int]]:
    """For each key, the positions of the header cells that match it best."""
    best: dict[str, tuple[tuple[int, int], list[int]]] = {}
    for pos, cell in enumerate(header):
        if text(cell) == "":
            continue
        for col in columns:
            r = col.rank(cell)
            if r is None:
                continue
            if col.key not in best or r < best[col.key][0]:
                best[col.key] = (r, [pos])
            elif r == best[col.key][0]:
                best[col.key][1].append(pos)
    return {k: v[1] for k, v in best.items()}


def _filled(row: Sequence[object]) -> bool:
    return any(text(c) != "" for c in row)


def locate(path: Path, sheets: Sequence[Sheet], columns: Sequence[Column], what: str) -> Located:
    """The table in ``sheets`` whose header has every required column of ``columns``.

    Every sheet's first :data:`HEADER_SCAN_ROWS` rows are candidate headers; where several
    qualify (a workbook's explainer sheet may repeat the header above a few example rows), the
    one with the most rows under it wins. ``what`` names the table in messages ("the MIT AI
    Risk Repository's risk database").
    """
    required = [c for c in columns if c.required]
    found: list[tuple[int, int, int, dict[str, list[int]]]] = []
    closest: tuple[int, Sheet, int, list[object]] | None = None
    for s_no, sheet in enumerate(sheets):
        for r_no, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
            if not _filled(row):
                continue
            matched = _match(row, columns)
            hits = sum(c.key in matched for c in required)
            if closest is None or hits > closest[0]:
                closest = (hits, sheet, r_no + 1, row)
            if hits == len(required):
                below = sum(_filled(r) for r in sheet.rows[r_no + 1 :])
                found.append((below, -s_no, -r_no, matched))
    if not found:
        _missing(path, required, closest, what)
    below, s_neg, r_neg, matched = max(found, key=lambda f: f[:3])
    sheet, header_row = sheets[-s_neg], -r_neg + 1
    header = sheet.rows[header_row - 1]
    for key, positions in matched.items():
        if len(positions) > 1:
            names = " and ".join(f"'{text(header[p])}'" for p in positions)
            raise InputError(
                path,
                f"{what}: columns {names} ({sheet.where()}, row {header_row}) could both be "
                f"{next(c.label for c in columns if c.key == key)}; rename one",
            )
    index = {k: p[0] for k, p in matched.items()}
    if not below:
        raise InputError(
            path, f"{what}: the header ({sheet.where()}, row {header_row}) has no rows under it"
        )
    return Located(
        path=path,
        sheet=sheet,
        header_row=header_row,
        index=index,
        headers={k: text(header[p]) for k, p in index.items()},
        frame=_frame(sheet.rows, header_row, index),
        others=[text(c) for p, c in enumerate(header) if p not in index.values() and text(c)],
    )


def _missing(
    path: Path,
    required: Sequence[Column],
    closest: tuple[int, Sheet, int, list[object]] | None,
    what: str,
) -> None:
    if closest is None:
        raise InputError(path, f"the file is empty; expected {what}")
    _, sheet, row, header = closest
    matched = _match(header, required)
    lacking = [c.label for c in required if c.key not in matched]
    shown = [text(c) for c in header if text(c)]
    more = f", … ({len(shown)} in all)" if len(shown) > 12 else ""
    raise InputError(
        path,
        f"not {what}: no sheet has a header with "
        f"{', '.join(c.label for c in required)}; missing {', '.join(lacking)} "
        f"(closest header: {sheet.where()}, row {row}: "
        f"{', '.join(repr(s) for s in shown[:12])}{more})",
    )


def _frame(rows: list[list[object]], header_row: int, index: dict[str, int]) -> pd.DataFrame:
    numbers, records = [], []
    for r_no in range(header_row, len(rows)):
        row = rows[r_no]
        if not _filled(row):
            continue
        numbers.append(r_no + 1)
        records.append([row[p] if p < len(row) else "" for p in index.values()])
    return pd.DataFrame(
        records, columns=list(index), index=pd.Index(numbers, name=ROW, dtype="int64"), dtype=object
    )


# --- cell values --------------------------------------------------------------------------------


def text(value: object) -> str:
    """A cell as text: stripped, inner whitespace collapsed, ``1.0`` read from a workbook as ``1``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def number(value: object) -> float | None:
    """A finite number, or None for an empty cell; ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise ValueError(value)
        return float(value)
    s = text(value)
    if s == "" or s.lower() in {"nan", "n/a", "na"}:
        return None
    x = float(s)  # raises ValueError
    if not math.isfinite(x):
        raise ValueError(value)
    return x


_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?")
_SLASHED = re.compile(r"\d{1,2}[/.]\d{1,2}[/.](\d{4})")


def date(value: object) -> tuple[int, str] | None:
    """The year of a date cell and the date as ISO text (as precise as the cell), or None.

    Accepts workbook dates, ISO dates (``2015-05-19``, ``2015-05``, ``2015``, with or without a
    time) and day/month/year or month/day/year dates (only their year is read)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.year, text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1800 <= value <= 2200:
            return int(value), str(int(value))
        return None
    s = text(value)
    m = _ISO.fullmatch(s)
    if m and 1800 <= int(m[1]) <= 2200:
        parts = [m[1]] + [f"{int(p):02d}" for p in m.groups()[1:] if p]
        return int(m[1]), "-".join(parts)
    m = _SLASHED.fullmatch(s)
    if m and 1800 <= int(m[1]) <= 2200:
        return int(m[1]), m[1]
    return None


def items(value: object, sep: str | None = None) -> list[str]:
    """The values of a list cell: a JSON-like list (``["a","b"]``), ``sep``-joined text, or one
    value. Empty items are dropped; repeats are kept (callers decide)."""
    s = text(value)
    if s.startswith("[") and s.endswith("]"):
        try:
            parsed = json.loads(s)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return [t for t in (text(v) for v in parsed) if t]
    parts = s.split(sep) if sep else [s]
    return [t for t in (text(p) for p in parts) if t]


def canonical_labels(values: Iterable[str]) -> dict[str, str]:
    """Each label mapped to one spelling for all labels that :func:`normalise` equally: the
    most common one (then the first in sort order), so "china" and "China " group together."""
    counts = Counter(values)
    groups: dict[str, list[str]] = {}
    for v in counts:
        groups.setdefault(normalise(v), []).append(v)
    out = {}
    for spellings in groups.values():
        best = sorted(spellings, key=lambda v: (-counts[v], v))[0]
        out.update(dict.fromkeys(spellings, best))
    return out


def stated(sheets: Iterable[Sheet], pattern: re.Pattern[str]) -> tuple[str, str] | None:
    """The first cell (in sheet order) matching ``pattern``: its first group and the sheet."""
    for sheet in sheets:
        for row in sheet.rows:
            for cell in row:
                if isinstance(cell, str) and (m := pattern.search(cell)):
                    return m[1].strip(), sheet.name or "the file"
    return None
