"""Charts of the evidence section: incidents per year by MIT domain, US and Chinese notable
models, the largest known training runs, and AI supercomputer capacity by country.

Each chart takes the frames of :mod:`riskbrief.evidence` and returns a matplotlib Figure. The
newest year of a table that covers it only in part is drawn hatched (or hollow) and labelled
"partial, to <date>"; countries take the project's actor colours and are named on the chart.
Each chart states its finding in its title (:func:`riskbrief.charts.state_finding`), computed
from the numbers it draws and printed as the section's text prints them; alt texts describe what
a chart shows.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import LogLocator

from riskbrief.charts import (
    ACTOR_COLOURS,
    GREY,
    MUTED_TEXT_COLOUR,
    OKABE_ITO,
    TEXT_COLOUR,
    new_figure,
    state_finding,
    tint,
)
from riskbrief.datasets import UNCLASSIFIED
from riskbrief.evidence import CHINA, TREND_YEARS, US, incident_growth
from riskbrief.narrative import pct
from riskbrief.narrative.evidence import (
    day,
    domain_name,
    rise_words,
    short_day,
    spoken_flop,
    times,
)

BAR = OKABE_ITO["blue"]
HATCH = "////"
ACTORS = (US, CHINA)
#: Shorter names for the ISO-style country names the publishers use.
SHORT_NAMES = {
    "United Kingdom of Great Britain and Northern Ireland": "United Kingdom",
    "Korea (Republic of)": "South Korea",
    "Iran (Islamic Republic of)": "Iran",
    "Philippines (the)": "Philippines",
    "unknown": "Country not recorded",
}


def country_name(country: str) -> str:
    return SHORT_NAMES.get(country, country)


def partial_label(year: int, through: dt.date | None) -> str:
    return f"{year}: partial, to {short_day(through)}" if through else f"{year}: partial"


def _bar(ax, x, height, colour, partial: bool, **kw) -> None:
    """A bar, hatched on a light fill when its year is partial."""
    ax.bar(
        x,
        height,
        color=tint(colour, 0.35) if partial else colour,
        hatch=HATCH if partial else None,
        edgecolor=colour,
        linewidth=0.6 if partial else 0,
        zorder=2,
        **kw,
    )


def _tidy(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", visible=False)


# --- incidents per year by domain ----------------------------------------------------------------


def incidents_chart(by_domain: pd.DataFrame, partial_year: int | None, through: dt.date | None):
    """All incidents per year (top), then one panel per MIT domain on a shared scale (unclassified
    last); the partial year hatched. Titled by :func:`incidents_title`."""
    panels = list(by_domain.columns)
    cols = 4
    rows = -(-len(panels) // cols)
    fig, axes = new_figure(
        6.7,
        1.2 + 1.15 * rows,
        nrows=rows + 1,
        ncols=cols,
        gridspec_kw={"height_ratios": [1.3] + [1] * rows, "hspace": 1.1, "wspace": 0.1},
    )
    grid = axes[0, 0].get_gridspec()
    for ax in axes[0]:
        ax.remove()
    top = fig.add_subplot(grid[0, :])
    years = list(by_domain.index)
    totals = by_domain.sum(axis=1)
    last = max(y for y in years if y != partial_year)
    for y in years:
        _bar(top, y, totals[y], BAR, y == partial_year, width=0.75)
    first = last - (TREND_YEARS - 1)
    for y in (first, last, *([partial_year] if partial_year else [])):
        top.text(y, totals[y], f"{totals[y]:,}", ha="center", va="bottom", fontsize=7)
    top.set_title("All incidents", loc="left", fontsize=9)
    top.set_ylabel("Incidents")
    top.margins(y=0.18)
    _tidy(top)
    peak = by_domain.to_numpy().max()
    flat = axes[1:].ravel()
    for ax, code in zip(flat, panels, strict=False):
        colour = GREY if code == UNCLASSIFIED else BAR
        for y in years:
            _bar(ax, y, by_domain.loc[y, code], colour, y == partial_year, width=0.75)
        name = domain_name(code)
        label = name if code == UNCLASSIFIED else f"{code} {name}"
        label = textwrap.fill(label[0].upper() + label[1:], 24)
        ax.set_title(label, loc="left", fontsize=7.5, linespacing=1.1)
        for y in (first, last):
            if by_domain.loc[y, code]:
                ax.text(
                    y,
                    by_domain.loc[y, code],
                    f"{by_domain.loc[y, code]:,}",
                    ha="center",
                    va="bottom",
                    fontsize=6.5,
                )
        ax.set_ylim(0, peak * 1.3)
        _tidy(ax)
    for ax in flat[len(panels) :]:
        ax.remove()
    span = (years[0] - 0.6, years[-1] + 0.6)
    for i, ax in enumerate(flat[: len(panels)]):
        ax.set_xlim(*span)
        ax.set_xticks([y for y in years if (last - y) % 6 == 0])
        ax.tick_params(axis="x", labelsize=6.5)
        ax.tick_params(axis="y", labelsize=6.5, labelleft=i % cols == 0)
    top.set_xlim(*span)
    top.set_xticks([y for y in years if (last - y) % 4 == 0])
    top.tick_params(axis="x", labelsize=7)
    handles = [Patch(facecolor=BAR, label="complete year")]
    if partial_year:
        handles.append(
            Patch(
                facecolor=tint(BAR, 0.35),
                edgecolor=BAR,
                hatch=HATCH,
                label=partial_label(partial_year, through),
            )
        )
    top.legend(handles=handles, loc="upper left", fontsize=7, ncols=len(handles))
    state_finding(fig, incidents_title(by_domain, partial_year))
    return fig


# --- notable models per year ------------------------------------------------------------------


def models_chart(per_year: pd.DataFrame, partial_year: int | None, through: dt.date | None):
    """US and Chinese notable models per year, side by side; the partial year hatched. Titled by
    :func:`models_title`."""
    fig, ax = new_figure(6.7, 3.4)
    width = 0.4
    years = list(per_year.index)
    labelled = years[-6:]
    for k, actor in enumerate(ACTORS):
        for y in years:
            x = y + (k - 0.5) * width
            v = int(per_year.loc[y, actor])
            _bar(ax, x, v, ACTOR_COLOURS[actor], y == partial_year, width=width * 0.95)
            if y in labelled:
                ax.text(x, v, f"{v}", ha="center", va="bottom", fontsize=6.5)
    handles = [Patch(facecolor=ACTOR_COLOURS[a], label=a) for a in ACTORS]
    if partial_year:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor=MUTED_TEXT_COLOUR,
                hatch=HATCH,
                label=partial_label(partial_year, through),
            )
        )
    ax.legend(handles=handles, loc="upper left", fontsize=7)
    ax.set_ylabel("Notable AI models (Epoch AI)")
    ax.set_xticks(years[::2] if len(years) > 10 else years)
    ax.margins(y=0.12)
    _tidy(ax)
    state_finding(fig, models_title(per_year, partial_year))
    return fig


# --- the largest known training runs -------------------------------------------------------------

_MARKERS = {US: "o", CHINA: "s"}


def compute_chart(
    frontier: pd.DataFrame,
    records: Mapping[str, Mapping[str, Any]],
    partial_year: int | None,
    through: dt.date | None,
):
    """The largest known training compute per year (log scale), US circles and Chinese squares,
    each country's record named; the partial year's points hollow. Titled by
    :func:`compute_title`."""
    fig, ax = new_figure(6.7, 3.4)
    for actor in ACTORS:
        rows = frontier[frontier["country"] == actor]
        colour = ACTOR_COLOURS[actor]
        ax.plot(rows["year"], rows["flop"], color=colour, linewidth=0.8, alpha=0.6, zorder=2)
        done = rows[rows["year"] != partial_year]
        part = rows[rows["year"] == partial_year]
        ax.scatter(
            done["year"],
            done["flop"],
            marker=_MARKERS[actor],
            color=colour,
            s=22,
            zorder=3,
            label=actor,
        )
        ax.scatter(
            part["year"],
            part["flop"],
            marker=_MARKERS[actor],
            facecolor="white",
            edgecolor=colour,
            s=22,
            zorder=3,
        )
        rec = records[actor]
        ax.annotate(
            f"{rec['model']} ({rec['year']})",
            (rec["year"], rec["flop"]),
            xytext=(-6, 8 if actor == US else -12),
            textcoords="offset points",
            ha="right",
            fontsize=7,
            color=TEXT_COLOUR,
        )
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=100))  # a gridline every hundredfold
    ax.set_ylabel("Largest known training compute (FLOP)")
    handles, labels = ax.get_legend_handles_labels()
    if partial_year:
        handles.append(
            ax.scatter([], [], marker="o", facecolor="white", edgecolor=MUTED_TEXT_COLOUR, s=22)
        )
        labels.append(
            f"hollow: {partial_label(partial_year, through)}".replace(": partial", " partial")
        )
    ax.legend(handles, labels, loc="upper left", fontsize=7)
    ax.grid(axis="y", which="minor", visible=False)
    _tidy(ax)
    state_finding(fig, compute_title(records))
    return fig


# --- AI supercomputers --------------------------------------------------------------------------


def capacity_rows(capacity: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` largest entries of :func:`riskbrief.evidence.cluster_capacity`."""
    return capacity.head(n)


def capacity_chart(shown: pd.DataFrame):
    """Existing AI supercomputer capacity (H100-equivalents) of the largest entries, largest at
    the top; the US and China in their colours, the rest grey, unknown countries hatched. Titled
    by :func:`capacity_title`."""
    fig, ax = new_figure(6.7, 0.9 + 0.28 * len(shown))
    y = list(range(len(shown)))[::-1]
    for yi, r in zip(y, shown.itertuples(index=False), strict=True):
        colour = ACTOR_COLOURS.get(r.country, GREY)
        unknown = r.country == "unknown"
        ax.barh(
            yi,
            r.h100e_total,
            color=tint(GREY, 0.35) if unknown else colour,
            hatch=HATCH if unknown else None,
            edgecolor=GREY if unknown else colour,
            linewidth=0.6 if unknown else 0,
            height=0.7,
            zorder=2,
        )
        ax.annotate(
            f"{r.h100e_total / 1000:,.0f}k ({pct(r.share)})",
            (r.h100e_total, yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(y, [country_name(c) for c in shown["country"]])
    ax.set_xlabel("Existing capacity, H100-equivalents")
    ax.xaxis.set_major_formatter(
        lambda v, _: f"{v / 1e6:.1f}m" if v >= 1e6 else f"{v / 1e3:,.0f}k" if v else "0"
    )
    ax.set_xlim(0, shown["h100e_total"].max() * 1.22)
    ax.grid(axis="y", visible=False)
    ax.spines[["top", "right"]].set_visible(False)
    state_finding(fig, capacity_title(shown))
    return fig


# --- titles that state the finding --------------------------------------------------------------


def _last_complete(years, partial_year: int | None) -> int:
    return max(y for y in years if y != partial_year)


def incidents_title(by_domain: pd.DataFrame, partial_year: int | None) -> str:
    """How many times as many incidents the newest complete year recorded as the first year of
    the trend window, and the domain most of the rise is in (:func:`riskbrief.evidence.
    incident_growth`, which the section's text prints)."""
    last = _last_complete(by_domain.index, partial_year)
    first = last - (TREND_YEARS - 1)
    g = incident_growth(by_domain, first, last)
    if g["incidents_growth"] is None:
        return f"AI incidents recorded: none in {first}, {g['incidents_last_complete_year']:,} in {last}"
    if g["incidents_growth"] <= 1:
        return (
            f"Recorded AI incidents did not rise from {first} to {last}: "
            f"{times(g['incidents_growth'])} times as many"
        )
    return (
        f"Recorded AI incidents rose {times(g['incidents_growth'])}-fold from {first} to {last}, "
        f"{rise_words(g).replace(' of the rise', '')}"
    )


def _name(actor: str, start: bool = False) -> str:
    """'the United States' / 'China', capitalised at the start of a sentence."""
    name = f"the {actor}" if actor == US else actor
    return name[0].upper() + name[1:] if start else name


def models_title(per_year: pd.DataFrame, partial_year: int | None) -> str:
    """Who released more notable models in the newest complete year, and how many each."""
    last = _last_complete(per_year.index, partial_year)
    counts = {a: int(per_year.loc[last, a]) for a in ACTORS}
    lead, other = sorted(ACTORS, key=lambda a: -counts[a])
    return (
        f"{_name(lead, True)} released {counts[lead]} notable models in {last}, "
        f"{_name(other)} {counts[other]}"
    )


def compute_title(records: Mapping[str, Mapping[str, Any]]) -> str:
    """How many times the largest known US training run is China's largest (the ratio the
    section's text prints), or the other way round when China's is the larger."""
    us, cn = records[US]["flop"], records[CHINA]["flop"]
    if us >= cn:
        return f"The largest known US training run is about {times(us / cn)} times China's largest"
    return (
        f"China's largest known training run is larger than the largest US one: the US record is "
        f"{times(us / cn)} times China's"
    )


def capacity_title(shown: pd.DataFrame) -> str:
    """The US and Chinese shares of the recorded AI supercomputer capacity, the larger first."""
    share = dict(zip(shown["country"], shown["share"], strict=True))
    held = sorted((a for a in ACTORS if a in share), key=lambda a: -share[a])
    if not held:
        return "Neither the United States nor China is among the largest AI supercomputer holders"
    lead = held[0]
    text = f"{_name(lead, True)} holds {pct(share[lead])} of recorded AI supercomputer capacity"
    if len(held) == 2:
        return f"{text}, {_name(held[1])} {pct(share[held[1]])}"
    other = next(a for a in ACTORS if a != lead)
    return f"{text}; {_name(other)} is not among the {len(shown)} largest"


# --- alt texts: what each chart shows and its main finding -----------------------------------


def _partial_note(year: int | None, through: dt.date | None) -> str:
    if not year:
        return ""
    return f" The {year} bars are hatched: a partial year" + (
        f", to {day(through)}." if through else "."
    )


def incidents_alt(f: Mapping[str, Any], by_domain: pd.DataFrame) -> str:
    last = f["last_complete_year"]
    w = f["window"]
    per = "; ".join(
        f"{domain_name(c)} {int(by_domain.loc[last, c]):,}"
        for c in by_domain.columns
        if by_domain.loc[last, c] > 0
    )
    return (
        f"Bar charts of AI incidents recorded per year from {by_domain.index[0]} to "
        f"{by_domain.index[-1]}: all incidents, then one panel per MIT risk domain on a shared "
        f"scale. All incidents rose from {f['incidents_first_window_year']:,} in {w[0]} to "
        f"{f['incidents_last_complete_year']:,} in {last}. By domain in {last}: {per}."
        + _partial_note(f["partial_year"], f["data_through"])
    )


def models_alt(f: Mapping[str, Any], per_year: pd.DataFrame) -> str:
    last = f["models_last_complete_year"]
    text = (
        f"Bar chart of notable AI models per year from the United States and China, "
        f"{per_year.index[0]} to {per_year.index[-1]}. In {last}, the newest complete year, "
        f"the United States had {f['models_us_last_complete']} and China "
        f"{f['models_china_last_complete']}; the US count peaked at {f['models_us_peak']} in "
        f"{f['models_us_peak_year']}."
    )
    if f["models_partial_year"]:
        text += (
            f" {f['models_partial_year']} so far: {f['models_us_partial']} and "
            f"{f['models_china_partial']}."
        )
    return text + _partial_note(f["models_partial_year"], f["models_data_through"])


def compute_alt(f: Mapping[str, Any], frontier: pd.DataFrame) -> str:
    us, cn = f["compute_us"], f["compute_china"]
    first, last = int(frontier["year"].min()), int(frontier["year"].max())
    return (
        "Dot chart on a logarithmic scale of the largest known training compute per year of US "
        f"and Chinese notable models, {first} to {last}. The US record is {us['model']} "
        f"({us['year']}, {spoken_flop(us['flop'])}); the Chinese record is {cn['model']} "
        f"({cn['year']}, {spoken_flop(cn['flop'])}), about {times(f['compute_record_ratio'])} "
        "times less. Years without a known figure have no dot."
    )


def capacity_alt(f: Mapping[str, Any], shown: pd.DataFrame) -> str:
    rows = "; ".join(
        f"{country_name(r.country)} {r.h100e_total:,.0f} ({pct(r.share)})"
        for r in shown.itertuples(index=False)
    )
    return (
        "Horizontal bar chart of existing AI supercomputer capacity by country, in "
        f"H100-equivalents, for the {len(shown)} largest entries: {rows}. Total recorded: "
        f"{f['capacity_total']:,.0f}."
    )
