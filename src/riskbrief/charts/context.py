"""Charts of the context section: the United States and China side by side.

Every chart takes the validated indicators frame (``riskbrief.indicators.load_indicators``) and
draws only rows of it; :func:`source_line` builds the chart's source line from the same rows,
so what a reader sees can be traced to a page. Figures whose evidence is ``secondary`` or
``derived`` are hatched and marked with a dagger, and the source line says so.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from riskbrief.charts import (
    ACTOR_COLOURS,
    MUTED_TEXT_COLOUR,
    TEXT_COLOUR,
    new_figure,
    state_finding,
)
from riskbrief.indicators import (
    BENCHMARKS,
    CHINA,
    FLAGGED_EVIDENCE,
    GAP,
    GAP_YEARS,
    US,
    benchmark_gaps,
    context_figures,
    indicator_rows,
)

DAGGER = "\u2020"
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
EN_DASH = "\u2013"
ACTORS: tuple[str, str] = (US, CHINA)

#: Which indicators each chart draws (and so which rows its source line names).
CHART_INDICATORS: dict[str, tuple[str, ...]] = {
    "models": ("Notable AI models",),
    "investment": ("Private AI investment", "Private AI investment, cumulative"),
    "research": (
        "Share of world AI publications",
        "Share of world AI publication citations",
        "Share of granted AI patents",
        "Top-100 most-cited AI publications",
    ),
    "benchmarks": (*(f"Benchmark gap: {b}" for b in BENCHMARKS), "Chatbot Arena score gap"),
}


def chart_rows(ind: pd.DataFrame, chart: str) -> pd.DataFrame:
    """The indicator rows one chart draws."""
    return pd.concat([indicator_rows(ind, name) for name in CHART_INDICATORS[chart]])


def source_line(rows: pd.DataFrame) -> str:
    """Sources of the rows: each source once, then its locators with the facts-table ids, then
    a note naming any figure that is secondary or derived."""
    parts = []
    for source, group in rows.groupby("source", sort=False):
        locs = []
        for locator, g in group.groupby("locator", sort=False):
            ids = ", ".join(dict.fromkeys(g["fact_id"]))
            locs.append(f"{locator} [{ids}]")
        parts.append(f"{source}: {'; '.join(locs)}.")
    flagged = rows[rows["evidence"].isin(FLAGGED_EVIDENCE)]
    if not flagged.empty:
        ids = ", ".join(dict.fromkeys(flagged["fact_id"]))
        kinds = " or ".join(sorted(set(flagged["evidence"])))
        parts.append(f"{DAGGER} {kinds.capitalize()} figure, not re-checked at the page: {ids}.")
    return " ".join(parts)


def source_refs(rows: pd.DataFrame) -> list[str]:
    """The reference keys of the sources the rows come from (``riskbrief.references``)."""
    from riskbrief.references import source_key

    return [source_key(s) for s in dict.fromkeys(rows["source"])]


def _flagged(rows: pd.DataFrame) -> bool:
    return bool(rows["evidence"].isin(FLAGGED_EVIDENCE).any())


def _grouped_bars(ax, ind: pd.DataFrame, groups: Iterable[tuple[str, str, str]], fmt) -> bool:
    """Bars for the US and China side by side per group (label, indicator, year); returns
    whether any bar is flagged. Values are written on the bars as ``fmt(value, unit)``."""
    width = 0.38
    any_flag = False
    groups = list(groups)
    for g, (_, indicator, year) in enumerate(groups):
        for k, actor in enumerate(ACTORS):
            row = indicator_rows(ind, indicator, actor, year)
            value = float(row["value"].iloc[0])
            flag = _flagged(row)
            any_flag |= flag
            x = g + (k - 0.5) * width
            ax.bar(
                x,
                value,
                width=width * 0.95,
                color=ACTOR_COLOURS[actor],
                hatch="///" if flag else None,
                edgecolor="white" if flag else ACTOR_COLOURS[actor],
                linewidth=0,
                label=actor if g == 0 else None,
                zorder=2,
            )
            ax.text(
                x,
                value,
                fmt(value, row["unit"].iloc[0]) + (DAGGER if flag else ""),
                ha="center",
                va="bottom",
                fontsize=7,
                color=TEXT_COLOUR,
            )
    ax.set_xticks(range(len(groups)), [label for label, _, _ in groups])
    ax.grid(axis="x", visible=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(y=0.15)
    return any_flag


def _flag_sentence(rows: pd.DataFrame) -> str:
    """For alt text: which figures are secondary or derived, or '' if none."""
    flagged = rows[rows["evidence"].isin(FLAGGED_EVIDENCE)]
    if flagged.empty:
        return ""
    what = ", ".join(f"{r.actor} {r.year}" for r in flagged.itertuples(index=False))
    return f"Figures from a secondary source, marked with a dagger: {what}."


def _name(actor: str, start: bool = False) -> str:
    """'the United States' / 'China' in a title, capitalised at its start."""
    name = f"the {actor}" if actor == US else actor
    return name[:1].upper() + name[1:] if start else name


def _lead(f: dict[str, float], key: str) -> tuple[str, str, float, float]:
    """(leader, other, leader's value, other's value) for ``<key>_us`` / ``<key>_china``."""
    us, china = f[f"{key}_us"], f[f"{key}_china"]
    return (US, CHINA, us, china) if us >= china else (CHINA, US, china, us)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _flag_note(fig, flagged: bool) -> None:
    if flagged:
        fig.text(
            0.01,
            -0.02,
            f"{DAGGER} hatched: secondary source, not re-checked at the page (see source line)",
            fontsize=7,
            color=MUTED_TEXT_COLOUR,
            ha="left",
            va="top",
        )


# --- notable models ----------------------------------------------------------------------


def models_chart(ind: pd.DataFrame):
    """Notable AI models produced by the United States and China, 2023 and 2024."""
    fig, ax = new_figure(6.0, 3.2)
    flagged = _grouped_bars(
        ax,
        ind,
        [(year, "Notable AI models", year) for year in ("2023", "2024")],
        lambda v, _: f"{v:.0f}",
    )
    ax.set_ylabel("Notable AI models")
    ax.legend(loc="upper right")
    _flag_note(fig, flagged)
    state_finding(fig, models_title(ind))
    return fig


def models_title(ind: pd.DataFrame) -> str:
    """Who produced more notable AI models in 2024, and how many each, as the text prints them."""
    lead, other, a, b = _lead(context_figures(ind), "models_2024")
    return (
        f"{_name(lead, True)} produced more notable AI models in 2024: {a:.0f} to {b:.0f} for "
        f"{_name(other)}"
    )


def models_alt(ind: pd.DataFrame) -> str:
    f = context_figures(ind)
    return (
        "Bar chart of notable AI models produced by the United States and China in 2023 and "
        f"2024. In 2024 the United States produced {f['models_2024_us']:.0f} and China "
        f"{f['models_2024_china']:.0f}, {f['models_ratio_2024']:.1f} times as many; in 2023 "
        f"{f['models_2023_us']:.0f} and {f['models_2023_china']:.0f} "
        f"({f['models_ratio_2023']:.1f} times)."
    )


# --- private investment ------------------------------------------------------------------


def investment_chart(ind: pd.DataFrame):
    """Private AI investment: 2023 and 2024 (left), cumulative 2013-2024 (right), USD billion."""
    fig, (left, right) = new_figure(6.7, 3.2, ncols=2, gridspec_kw={"width_ratios": [2, 1]})
    flagged = _grouped_bars(
        left,
        ind,
        [(year, "Private AI investment", year) for year in ("2023", "2024")],
        lambda v, _: f"${v:,.1f}bn",
    )
    flagged |= _grouped_bars(
        right,
        ind,
        [(f"2013{EN_DASH}2024", "Private AI investment, cumulative", "2013-2024")],
        lambda v, _: f"${v:,.0f}bn",
    )
    left.set_title("Per year")
    right.set_title("Cumulative")
    left.set_ylabel("Private AI investment (USD billion)")
    left.legend(loc="upper left")
    _flag_note(fig, flagged)
    state_finding(fig, investment_title(ind))
    return fig


def investment_title(ind: pd.DataFrame) -> str:
    """Whose private AI investment was larger in 2024 and over 2013-2024, and how many times."""
    f = context_figures(ind)
    lead, other, a, b = _lead(f, "investment_2024")
    owner = {US: "US", CHINA: "China's"}
    whose = {US: "the United States'", CHINA: "China's"}
    cum_lead, _, ca, cb = _lead(f, "investment_cumulative")
    cum = (
        f" and {ca / cb:.1f} times over 2013{EN_DASH}2024"
        if cum_lead == lead
        else f"; over 2013{EN_DASH}2024 {whose[cum_lead]} was {ca / cb:.1f} times larger"
    )
    return f"{owner[lead]} private AI investment was {a / b:.1f} times {whose[other]} in 2024{cum}"


def investment_alt(ind: pd.DataFrame) -> str:
    f = context_figures(ind)
    return (
        "Bar charts of private AI investment in the United States and China, per year for "
        "2023 and 2024 and cumulative for 2013 to 2024, in US dollars. In 2024 the United "
        f"States drew ${f['investment_2024_us']:.1f} billion and China "
        f"${f['investment_2024_china']:.1f} billion, {f['investment_ratio_2024']:.1f} times as "
        f"much; over 2013 to 2024, ${f['investment_cumulative_us']:.0f} billion against "
        f"${f['investment_cumulative_china']:.0f} billion "
        f"({f['investment_ratio_cumulative']:.1f} times). "
        + _flag_sentence(chart_rows(ind, "investment"))
    ).rstrip()


# --- research output ---------------------------------------------------------------------

_RESEARCH = (
    ("World AI\npublications", "Share of world AI publications"),
    ("World AI\ncitations", "Share of world AI publication citations"),
    ("Granted\nAI patents", "Share of granted AI patents"),
    ("100 most-cited\nAI publications", "Top-100 most-cited AI publications"),
)


def research_chart(ind: pd.DataFrame):
    """Publication, citation and patent shares, and the 100 most-cited publications, 2023.

    The last group is a count out of 100, so it reads on the same percent axis."""
    fig, ax = new_figure(6.7, 3.4)
    flagged = _grouped_bars(
        ax,
        ind,
        [(label, indicator, "2023") for label, indicator in _RESEARCH],
        lambda v, unit: f"{v:.1f}%" if unit == "percent" else f"{v:.0f} of 100",
    )
    ax.set_ylabel("Share of world total, 2023 (%)")
    ax.set_ylim(0, 100)
    ax.legend(loc="upper right")
    _flag_note(fig, flagged)
    state_finding(fig, research_title(ind))
    return fig


def research_title(ind: pd.DataFrame) -> str:
    """Who leads on AI papers and patents (shares) and on the most-cited papers (count), with
    the numbers the section's text prints."""
    f = context_figures(ind)
    shares: dict[str, list[str]] = {US: [], CHINA: []}
    counts: dict[str, list[str]] = {US: [], CHINA: []}
    for label, key in (("AI papers", "publications_share"), ("AI patents", "patents_share")):
        lead, _, a, b = _lead(f, key)
        shares[lead].append(f"{label} ({a:.1f}% to {b:.1f}%)")
    lead, _, a, b = _lead(f, "top100_cited")
    counts[lead].append(f"the 100 most-cited AI papers ({a:.0f} to {b:.0f})")
    clauses = []
    for actor in sorted((US, CHINA), key=lambda x: -len(shares[x])):
        parts = []
        if shares[actor]:
            parts.append(f"had the larger share of {_and(shares[actor])}")
        if counts[actor]:
            parts.append(f"wrote more of {counts[actor][0]}")
        if parts:
            clauses.append(f"{_name(actor)} {' and '.join(parts)}")
    return f"In 2023 {'; '.join(clauses)}"


def research_alt(ind: pd.DataFrame) -> str:
    f = context_figures(ind)
    return (
        "Bar chart comparing the United States and China on four research measures for 2023. "
        f"China had {f['publications_share_china']:.1f}% of world AI publications against "
        f"{f['publications_share_us']:.1f}% for the United States, "
        f"{f['citations_share_china']:.1f}% of citations against "
        f"{f['citations_share_us']:.1f}%, and {f['patents_share_china']:.1f}% of granted AI "
        f"patents against {f['patents_share_us']:.1f}%. Of the 100 most-cited AI publications "
        f"the United States wrote {f['top100_cited_us']:.0f} and China "
        f"{f['top100_cited_china']:.0f}."
    )


# --- capability gap ----------------------------------------------------------------------


def benchmark_gap_chart(ind: pd.DataFrame):
    """How far the top Chinese model trailed the top US model: four benchmarks at end-2023 and
    end-2024 (left, percentage points) and Chatbot Arena in January 2024 and February 2025
    (right, percent of score)."""
    fig, (left, right) = new_figure(6.7, 3.0, ncols=2, gridspec_kw={"width_ratios": [2.2, 1]})
    gaps = benchmark_gaps(ind)
    early, late = GAP_YEARS
    y = list(range(len(gaps)))[::-1]
    for yi, (_, row) in zip(y, gaps.iterrows(), strict=True):
        left.annotate(
            "",
            xy=(row[late], yi),
            xytext=(row[early], yi),
            arrowprops={"arrowstyle": "->", "color": MUTED_TEXT_COLOUR, "linewidth": 1},
        )
        left.text(row[early], yi + 0.18, f"{row[early]:.1f}", ha="center", fontsize=7)
        left.text(row[late], yi + 0.18, f"{row[late]:.1f}", ha="center", fontsize=7)
    left.scatter(
        gaps[early], y, s=30, facecolor="white", edgecolor=TEXT_COLOUR, label=early, zorder=3
    )
    left.scatter(gaps[late], y, s=30, color=TEXT_COLOUR, label=late, zorder=3)
    left.set_yticks(y, gaps.index)
    left.set_xlim(0, max(gaps[early].max(), gaps[late].max()) * 1.12)
    left.set_ylim(-0.6, len(gaps) - 0.3)
    left.set_xlabel("Lead of top US model (percentage points)")
    left.legend(loc="lower right", fontsize=7)
    left.grid(axis="y", visible=False)

    arena = indicator_rows(ind, "Chatbot Arena score gap", GAP).sort_values("year")
    labels = [_month(y) for y in arena["year"]]
    right.bar(labels, arena["value"], color=MUTED_TEXT_COLOUR, width=0.55, zorder=2)
    for x, v in enumerate(arena["value"]):
        right.text(x, v, f"{v:.1f}%", ha="center", va="bottom", fontsize=7)
    right.set_title("Chatbot Arena")
    right.set_ylabel("Lead of top US model (% of score)")
    right.grid(axis="x", visible=False)
    right.margins(y=0.15)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
    _flag_note(fig, _flagged(chart_rows(ind, "benchmarks")))
    state_finding(fig, benchmark_gap_title(ind))
    return fig


def benchmark_gap_title(ind: pd.DataFrame) -> str:
    """Whether the top US model's lead narrowed or widened, by the median across the
    benchmarks and on Chatbot Arena, as the section's text prints them."""
    f = context_figures(ind)
    early, late = (y.replace("-", "_") for y in GAP_YEARS)
    a, b = f[f"benchmark_gap_median_{early}"], f[f"benchmark_gap_median_{late}"]
    verb = "narrowed" if b < a else "widened"
    n = len(benchmark_gaps(ind))
    count = _WORDS[n] if n < len(_WORDS) else str(n)
    return (
        f"The top US model's lead {verb}: a median {a:.1f} points across {count} benchmarks at "
        f"{GAP_YEARS[0]}, {b:.1f} at {GAP_YEARS[1]}; on Chatbot Arena "
        f"{f['arena_gap_2024_01']:.1f}% of score, then {f['arena_gap_2025_02']:.1f}%"
    )


def _month(year: str) -> str:
    """'2024-01' -> 'Jan 2024'; anything else unchanged."""
    try:
        return pd.Timestamp(year + "-01").strftime("%b %Y")
    except ValueError:
        return year


def benchmark_gap_alt(ind: pd.DataFrame) -> str:
    gaps = benchmark_gaps(ind)
    early, late = GAP_YEARS
    pairs = "; ".join(f"{b} {r[early]:.1f} to {r[late]:.1f}" for b, r in gaps.iterrows())
    f = context_figures(ind)
    return (
        "Arrow chart of the lead of the top US model over the top Chinese model on four "
        f"benchmarks from {early} to {late}, in percentage points, beside a bar chart of the "
        f"Chatbot Arena gap. Every benchmark gap narrowed: {pairs}. On Chatbot Arena the gap "
        f"went from {f['arena_gap_2024_01']:.1f}% to {f['arena_gap_2025_02']:.1f}% of score."
        if (gaps[late] < gaps[early]).all()
        else "Arrow chart of the lead of the top US model over the top Chinese model on four "
        f"benchmarks from {early} to {late}, in percentage points: {pairs}. On Chatbot Arena "
        f"the gap went from {f['arena_gap_2024_01']:.1f}% to {f['arena_gap_2025_02']:.1f}%."
    )
