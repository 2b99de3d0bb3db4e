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
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.end].hex(" ")
        raise InputError(
            path,
            f"not valid UTF-8: byte {exc.start} (0x{bad}) cannot be decoded; "
            "save the file as 'CSV UTF-8'",
            row=row,
        ) from None
    stray = raw.find(codecs.BOM_UTF8)
    if stray >= 0:
        # invisible in an editor, and it would end up inside an id or a heading
        raise InputError(
            path,
            f"a byte-order mark (bytes ef bb bf) at byte {stray}, not at the start of the file; "
            "it is usually left by pasting two files together: delete it",
            row=raw.count(b"\n", 0, stray) + 1,
        )
    return text


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
            problems.add(
                f"must be a whole number from {lo} to {hi}, got {shown}", row=row, field=field
            )
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
    return pd.Series(out, dtype=object, name=field).reindex(frame.index)


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
    out.attrs["path"] = str(path)
    return out


# --- indicators: the findings the context section states ----------------------------------

US, CHINA, GAP = "United States", "China", "US vs China"
BENCHMARKS: tuple[str, ...] = ("MMLU", "HumanEval", "MATH", "MMMU")
GAP_YEARS: tuple[str, str] = ("end-2023", "end-2024")
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def indicator_rows(
    ind: pd.DataFrame, indicator: str, actor: str | None = None, year: str | None = None
) -> pd.DataFrame:
    """The rows of one indicator (optionally one actor and year); an error naming the file if
    there are none, since a chart or a sentence needs them."""
    mask = ind["indicator"] == indicator
    if actor is not None:
        mask &= ind["actor"] == actor
    if year is not None:
        mask &= ind["year"] == year
    rows = ind[mask]
    if rows.empty:
        what = ", ".join(f"{k} '{v}'" for k, v in (("actor", actor), ("year", year)) if v)
        raise InputError(
            ind.attrs.get("path"),
            f"no row for indicator '{indicator}'" + (f" with {what}" if what else ""),
            field="indicator",
        )
    return rows


def indicator_value(ind: pd.DataFrame, indicator: str, actor: str, year: str) -> float:
    return float(indicator_rows(ind, indicator, actor, year)["value"].iloc[0])


def benchmark_gaps(ind: pd.DataFrame) -> pd.DataFrame:
    """Gap between the top US and top Chinese model per benchmark: rows benchmarks, columns
    end-2023 and end-2024 (percentage points)."""
    return pd.DataFrame(
        {
            year: [indicator_value(ind, f"Benchmark gap: {b}", GAP, year) for b in BENCHMARKS]
            for year in GAP_YEARS
        },
        index=pd.Index(BENCHMARKS, name="benchmark"),
    )


def context_figures(ind: pd.DataFrame) -> dict[str, float]:
    """The numbers the context section states, each computed from indicator rows."""
    v = indicator_value
    f = {
        "models_2023_us": v(ind, "Notable AI models", US, "2023"),
        "models_2023_china": v(ind, "Notable AI models", CHINA, "2023"),
        "models_2024_us": v(ind, "Notable AI models", US, "2024"),
        "models_2024_china": v(ind, "Notable AI models", CHINA, "2024"),
        "investment_2023_us": v(ind, "Private AI investment", US, "2023"),
        "investment_2023_china": v(ind, "Private AI investment", CHINA, "2023"),
        "investment_2024_us": v(ind, "Private AI investment", US, "2024"),
        "investment_2024_china": v(ind, "Private AI investment", CHINA, "2024"),
        "investment_cumulative_us": v(ind, "Private AI investment, cumulative", US, "2013-2024"),
        "investment_cumulative_china": v(
            ind, "Private AI investment, cumulative", CHINA, "2013-2024"
        ),
        "publications_share_us": v(ind, "Share of world AI publications", US, "2023"),
        "publications_share_china": v(ind, "Share of world AI publications", CHINA, "2023"),
        "citations_share_us": v(ind, "Share of world AI publication citations", US, "2023"),
        "citations_share_china": v(ind, "Share of world AI publication citations", CHINA, "2023"),
        "patents_share_us": v(ind, "Share of granted AI patents", US, "2023"),
        "patents_share_china": v(ind, "Share of granted AI patents", CHINA, "2023"),
        "top100_cited_us": v(ind, "Top-100 most-cited AI publications", US, "2023"),
        "top100_cited_china": v(ind, "Top-100 most-cited AI publications", CHINA, "2023"),
        "arena_gap_2024_01": v(ind, "Chatbot Arena score gap", GAP, "2024-01"),
        "arena_gap_2025_02": v(ind, "Chatbot Arena score gap", GAP, "2025-02"),
    }
    f["models_ratio_2024"] = f["models_2024_us"] / f["models_2024_china"]
    f["models_ratio_2023"] = f["models_2023_us"] / f["models_2023_china"]
    f["investment_ratio_2024"] = f["investment_2024_us"] / f["investment_2024_china"]
    f["investment_ratio_cumulative"] = (
        f["investment_cumulative_us"] / f["investment_cumulative_china"]
    )
    gaps = benchmark_gaps(ind)
    for year in GAP_YEARS:
        key = year.replace("-", "_")
        f[f"benchmark_gap_median_{key}"] = float(gaps[year].median())
        f[f"benchmark_gap_min_{key}"] = float(gaps[year].min())
        f[f"benchmark_gap_max_{key}"] = float(gaps[year].max())
    f["benchmark_gap_median_fall"] = 1 - (
        f["benchmark_gap_median_end_2024"] / f["benchmark_gap_median_end_2023"]
    )
    return f


def _bn(x: float) -> str:
    return f"USD {x:,.1f} billion"


def _name(actor: str, start: bool = False) -> str:
    """'the United States' / 'China', capitalised at the start of a sentence."""
    name = f"the {actor}" if actor == US else actor
    return name[0].upper() + name[1:] if start else name


def _compare(f: dict[str, float], key: str, fmt: str) -> tuple[str, str, str, str]:
    """(leader, other, leader's value, other's value) for ``<key>_us`` / ``<key>_china``."""
    us, china = f[f"{key}_us"], f[f"{key}_china"]
    if us >= china:
        return US, CHINA, format(us, fmt), format(china, fmt)
    return CHINA, US, format(china, fmt), format(us, fmt)


def context_paragraph(ind: pd.DataFrame) -> str:
    """The section's findings in a few short sentences; who leads is computed from the data."""
    f = context_figures(ind)
    m_lead, m_other, m_a, m_b = _compare(f, "models_2024", ".0f")
    p_lead, p_other, p_a, p_b = _compare(f, "publications_share", ".1f")
    t_lead, t_other, t_a, t_b = _compare(f, "patents_share", ".1f")
    c_lead, _, c_a, c_b = _compare(f, "top100_cited", ".0f")
    dash = chr(0x2013)
    return " ".join(
        [
            f"{_name(m_lead, True)} produced more notable AI models in 2024: {m_a} to "
            f"{m_b} for {_name(m_other)}.",
            f"US private AI investment was {f['investment_ratio_2024']:.1f} times China's in "
            f"2024 ({_bn(f['investment_2024_us'])} against {_bn(f['investment_2024_china'])}) "
            f"and {f['investment_ratio_cumulative']:.1f} times over 2013{dash}2024.",
            f"{_name(p_lead, True)} published the larger share of world AI papers in 2023, "
            f"{p_a}% against {p_b}% for {_name(p_other)}.",
            f"{_name(t_lead, True)} was granted {t_a}% of AI patents in 2023, "
            f"{_name(t_other)} {t_b}%.",
            f"{_name(c_lead, True)} wrote more of the 100 most-cited AI papers: {c_a} to {c_b}.",
            _gap_sentence(f),
        ]
    )


def _gap_sentence(f: dict[str, float]) -> str:
    dash = chr(0x2013)
    fall = f["benchmark_gap_median_fall"]
    verb = "narrowed" if fall > 0 else "widened"
    return (
        f"The capability gap {verb}: across the {_WORDS[len(BENCHMARKS)]} benchmarks the median "
        "lead of the "
        f"top US model over the top Chinese one went from "
        f"{f['benchmark_gap_median_end_2023']:.1f} percentage points at end-2023 to "
        f"{f['benchmark_gap_median_end_2024']:.1f} at end-2024 "
        f"(range {f['benchmark_gap_min_end_2024']:.1f}{dash}"
        f"{f['benchmark_gap_max_end_2024']:.1f}), and on Chatbot Arena from "
        f"{f['arena_gap_2024_01']:.1f}% in January 2024 to {f['arena_gap_2025_02']:.1f}% in "
        "February 2025."
    )


def context_key_judgments(ind: pd.DataFrame, anchor: str = "context") -> list[dict]:
    """Key judgments from the indicators. These are sourced figures, not estimates: the
    benchmark judgment's ``interval`` is the range across benchmarks (``interval_kind``
    says so); the investment judgment has no interval (None)."""
    f = context_figures(ind)
    dash = chr(0x2013)
    fall = f["benchmark_gap_median_fall"]
    return [
        {
            "text": (
                f"The benchmark gap between the top US and top Chinese AI models "
                f"{'fell' if fall > 0 else 'rose'} by {abs(fall):.0%} in 2024: a median "
                f"{f['benchmark_gap_median_end_2024']:.1f} percentage points across "
                f"{_WORDS[len(BENCHMARKS)]} benchmarks at end-2024 (range "
                f"{f['benchmark_gap_min_end_2024']:.1f}{dash}"
                f"{f['benchmark_gap_max_end_2024']:.1f}), down from "
                f"{f['benchmark_gap_median_end_2023']:.1f} a year earlier."
            ),
            "anchor": anchor,
            "value": round(f["benchmark_gap_median_end_2024"], 2),
            "interval": [f["benchmark_gap_min_end_2024"], f["benchmark_gap_max_end_2024"]],
            "interval_kind": "range across benchmarks",
            "unit": "percentage points",
        },
        {
            "text": (
                f"US private AI investment was {f['investment_ratio_2024']:.1f} times China's "
                f"in 2024 ({_bn(f['investment_2024_us'])} against "
                f"{_bn(f['investment_2024_china'])})."
            ),
            "anchor": anchor,
            "value": round(f["investment_ratio_2024"], 2),
            "interval": None,
            "interval_kind": "sourced figure",
            "unit": "ratio",
        },
    ]


def context_headline(ind: pd.DataFrame) -> dict[str, float]:
    """Headline numbers for the results JSON (rounded, plain floats)."""
    return {k: round(v, 4) for k, v in context_figures(ind).items()}


def indicator_changes(ind: pd.DataFrame, previous: dict | None) -> dict[str, list[str]]:
    """Indicator ids whose value changed, were added or removed since the previous results
    JSON (its ``indicators`` mapping of id to value). Empty lists when there is no previous."""
    before = (previous or {}).get("indicators") or {}
    now = dict(zip(ind["id"], ind["value"], strict=True))
    if not previous:
        return {"changed": [], "added": [], "removed": []}
    return {
        "changed": [i for i, v in now.items() if i in before and before[i] != v],
        "added": [i for i in now if i not in before],
        "removed": sorted(i for i in before if i not in now),
    }


def indicators_methods(ind: pd.DataFrame) -> dict[str, str]:
    """How the context figures were chosen, for the methods appendix."""
    flagged = ind[ind["evidence"].isin(FLAGGED_EVIDENCE)]
    note = ""
    if len(flagged):
        ids = ", ".join(dict.fromkeys(flagged["fact_id"]))
        many = len(flagged) > 1
        note = (
            f" {len(flagged)} figure{'s' if many else ''} ({ids}) "
            f"{'come' if many else 'comes'} from a secondary source and "
            f"{'are' if many else 'is'} marked on the charts."
        )
    return {
        "indicators": (
            f"{len(ind)} figures from {len(set(ind['source']))} sources, each kept with its "
            "source, page locator and the project's facts-table id; primary figures are "
            "preferred." + note
        ),
        "comparisons": (
            "Ratios and medians in the text are computed from these rows; nothing is rounded "
            "before it is compared."
        ),
    }
