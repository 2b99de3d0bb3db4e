"""The context section's data: sourced US and China AI indicators (``data/indicators.csv``).

Every row is one sourced figure from the project's researched facts table (``fact_id``);
``source`` and ``locator`` say where a reader can check it, ``evidence`` how solid it is.
:func:`context_figures` computes every number the section states from these rows; the words
are in :mod:`riskbrief.narrative.context`, the charts in :mod:`riskbrief.charts.context`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from riskbrief.errors import InputError, Problems
from riskbrief.readers import choices, matching, non_empty, numbers, read_table, unique

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


def load_indicators(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Load and validate an indicators file such as ``data/indicators.csv``.

    Every row is one sourced figure from the facts table (``fact_id``); ``source`` and
    ``locator`` say where a reader can check it, ``evidence`` how solid it is. Returns a frame
    with ``value`` as float, indexed by spreadsheet row.
    """
    path = Path(path)
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


US, CHINA, GAP = "United States", "China", "US vs China"
BENCHMARKS: tuple[str, ...] = ("MMLU", "HumanEval", "MATH", "MMMU")
GAP_YEARS: tuple[str, str] = ("end-2023", "end-2024")


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


# --- currency: how old each figure is at the briefing's date ------------------------------

#: A figure older than this, at the briefing's as-of date, is flagged as dated.
STALE_AFTER_DAYS = 548  # 18 months


def figure_date(year: str) -> dt.date:
    """The date a figure speaks for, from its ``year`` cell: the end of a year ('2024'), of a
    range of years ('2013-2024'), of 'end-2024', or of a month ('2025-02')."""
    text = str(year).strip().removeprefix("end-")
    if re.fullmatch(r"\d{4}-\d{2}", text):
        y, m = (int(x) for x in text.split("-"))
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    last = re.findall(r"\d{4}", text)
    if not last:
        raise ValueError(f"not a year: {year!r}")
    return dt.date(int(last[-1]), 12, 31)


def currency(ind: pd.DataFrame, as_of: dt.date) -> dict[str, Any]:
    """How current the figures are at ``as_of``: the newest figure's date, how many figures are
    older than 18 months, and the editions of each source the figures come from."""
    when = ind["year"].map(figure_date)
    age = when.map(lambda d: (as_of - d).days)
    return {
        "newest": max(when).isoformat(),
        "oldest": min(when).isoformat(),
        "n": len(ind),
        "n_stale": int((age > STALE_AFTER_DAYS).sum()),
        "stale_after_days": STALE_AFTER_DAYS,
    }
