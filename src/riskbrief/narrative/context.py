"""The context section in words: findings, key judgments, headline numbers and methods,
all computed from the indicator rows (:mod:`riskbrief.indicators`)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from riskbrief.indicators import BENCHMARKS, CHINA, FLAGGED_EVIDENCE, US, context_figures, currency

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


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


#: The assumptions (docs/assumptions.md) the context figures rest on.
RESTS_ON = ["A11"]


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
            "assumptions": RESTS_ON,
            "evidence": "sourced figures",
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
            "assumptions": RESTS_ON,
            "evidence": "sourced figures",
        },
    ]


def context_headline(ind: pd.DataFrame) -> dict[str, float]:
    """Headline numbers for the results JSON (rounded, plain floats)."""
    return {k: round(v, 4) for k, v in context_figures(ind).items()}


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
        "Figures and sources": (
            f"{len(ind)} figures from {len(set(ind['source']))} sources, each kept with its "
            "source, page locator and the project's facts-table id; primary figures are "
            "preferred." + note
        ),
        "Comparisons": (
            "Ratios and medians in the text are computed from these rows; nothing is rounded "
            "before it is compared."
        ),
    }


def currency_sentence(ind: pd.DataFrame, as_of: dt.date) -> str:
    """How dated the figures are at the briefing's date, said plainly (18 months is the line)."""
    c = currency(ind, as_of)
    newest = dt.date.fromisoformat(c["newest"]).strftime("%B %Y")
    months = c["stale_after_days"] * 12 // 365
    if c["n_stale"] == 0:
        return f"Every figure is less than {months} months old at this briefing's date; the newest is from {newest}."
    if c["n_stale"] == c["n"]:
        return (
            f"**Dated figures.** All {c['n']} figures are more than {months} months old at this "
            f"briefing's date ({as_of.isoformat()}): the newest is from {newest}. Read them as the "
            "state of the race when the AI Index last measured it, not as it stands now."
        )
    return (
        f"**Dated figures.** {c['n_stale']} of the {c['n']} figures are more than {months} "
        f"months old at this briefing's date ({as_of.isoformat()}); the newest is from {newest}."
    )


def editions_note(rows: pd.DataFrame) -> str:
    """'The figures mix the 2024 and 2025 editions of the AI Index.' when a chart's rows come
    from more than one edition of a source; empty otherwise."""
    editions = sorted(set(rows["source"]))
    if len(editions) < 2:
        return ""
    years = sorted({y for s in editions for y in re.findall(r"Report (\d{4})", s)})
    if len(years) > 1:
        return (
            f"The figures mix the {' and '.join(years)} editions of the AI Index, each year as "
            "its own edition reports it."
        )
    return f"The figures come from {len(editions)} sources."
