"""Charts of the risk summary: the 5x5 heat map and the category roll-up.

Inputs are the frames of ``riskbrief.risk`` (``summarise`` and ``category_rollup``). Bands are
always named on the chart as well as coloured, so the chart reads in greyscale and for
colour-blind readers. Alt-text functions describe what a chart shows and its main finding,
computed from the same frames.
"""

from __future__ import annotations

import math
import textwrap
from collections import defaultdict

import pandas as pd
from matplotlib.patches import Rectangle

from riskbrief.charts import (
    BAND_COLOURS,
    BAND_TINTS,
    MUTED_TEXT_COLOUR,
    TEXT_COLOUR,
    new_figure,
    state_finding,
)
from riskbrief.narrative import mc_pct
from riskbrief.risk import BANDS, CRITICAL_SCORE, EN_DASH, TIMES, band

#: Largest number of risk labels laid out in one row of a heat-map cell.
_CELL_COLUMNS = 3
#: The key beside the matrix: type size (points) and line spacing (in lines).
_KEY_SIZE = 7.0
_KEY_LEADING = 1.3


def _cell_offsets(k: int) -> list[tuple[float, float]]:
    """Positions of ``k`` labels inside one unit cell, centred, row by row from the top."""
    cols = min(_CELL_COLUMNS, max(1, math.ceil(math.sqrt(k))))
    rows = math.ceil(k / cols)
    step_x, step_y = 0.3, 0.24
    out = []
    for i in range(k):
        r, c = divmod(i, cols)
        in_row = min(cols, k - r * cols)
        dx = (c - (in_row - 1) / 2) * step_x
        dy = ((rows - 1) / 2 - r) * step_y
        out.append((dx, dy))
    return out


def heatmap_title(summary: pd.DataFrame) -> str:
    """The heat map's finding: how many risks sit in the Critical band (or the highest band
    any risk reaches), at their most-likely scores."""
    n = len(summary)
    top = next(b.name for b in reversed(BANDS) if (summary["band"] == b.name).any())
    k = int((summary["band"] == top).sum())
    return f"{k} of {n} risks sit in the {top} band at their most-likely scores"


def heatmap(summary: pd.DataFrame):
    """Likelihood x impact grid coloured by band; each risk marked by its id at its most-likely
    position, with whiskers spanning its lowest to highest plausible likelihood (horizontal)
    and impact (vertical). Beside the grid, a key names every risk, grouped by band, most
    serious first; the title states how many risks are Critical."""
    width, height, below = 6.7, 4.0, 0.5  # inches; below the grid: its ticks and label
    side = 0.48 * width
    fig, ax = new_figure(width, height)
    ax.set_position((0.07, below / height, 0.48, side / height))  # the grid: square, left
    key = fig.add_axes((0.585, 0.0, 0.415, (below + side) / height))  # the key: right, as tall
    for li in range(1, 6):
        for im in range(1, 6):
            name = band(li * im)
            ax.add_patch(
                Rectangle(
                    (li - 0.5, im - 0.5),
                    1,
                    1,
                    facecolor=BAND_TINTS[name],
                    edgecolor="white",
                    linewidth=1.5,
                    zorder=0,
                )
            )
            ax.text(
                li - 0.46,
                im - 0.46,
                f"{name} {li * im}",
                fontsize=5.5,
                color=TEXT_COLOUR,
                ha="left",
                va="bottom",
                zorder=1,
            )

    cells: dict[tuple[int, int], list] = defaultdict(list)
    for r in summary.itertuples(index=False):
        cells[(int(r.likelihood_mode), int(r.impact_mode))].append(r)
    for (li, im), risks in cells.items():
        risks.sort(key=lambda r: r.rank)
        for r, (dx, dy) in zip(risks, _cell_offsets(len(risks)), strict=True):
            x, y = li + dx, im + dy
            line = {"color": TEXT_COLOUR, "linewidth": 0.6, "alpha": 0.45, "zorder": 2}
            if r.likelihood_high > r.likelihood_low:
                ax.plot([r.likelihood_low + dx, r.likelihood_high + dx], [y, y], **line)
            if r.impact_high > r.impact_low:
                ax.plot([x, x], [r.impact_low + dy, r.impact_high + dy], **line)
            ax.text(
                x,
                y,
                r.id,
                ha="center",
                va="center",
                fontsize=6.2,
                fontweight="bold" if r.band == "Critical" else "normal",
                color=TEXT_COLOUR,
                zorder=3,
                bbox={
                    "boxstyle": "round,pad=0.18",
                    "facecolor": "white",
                    "edgecolor": TEXT_COLOUR,
                    "linewidth": 0.6,
                },
            )

    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.set_xlabel("Likelihood (1 lowest, 5 highest)")
    ax.set_ylabel("Impact (1 lowest, 5 highest)")
    ax.set_aspect("equal", anchor="NW")
    ax.grid(False)
    _risk_key(key, summary)
    state_finding(fig, heatmap_title(summary))
    return fig


def _risk_key(ax, summary: pd.DataFrame, size: float = _KEY_SIZE) -> None:
    """Every risk on the matrix named beside it: id and title, grouped under its band (name,
    score range and fill), most serious first; then how to read the lines. One text per line
    at a fixed pitch; titles wrap to the key's width. A register too long for the matrix's
    height runs on below it (the figure is saved to its drawn extent): the type never shrinks."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    fig = ax.get_figure()
    pos = ax.get_position()
    width_pt = pos.width * fig.get_figwidth() * 72
    pitch = size * _KEY_LEADING / (pos.height * fig.get_figheight() * 72)  # a line, in axes units
    indent = 0.1  # of the key's width: room for the id
    # about 0.5 em per character in the regular typeface
    chars = max(20, int(width_pt * (1 - indent) / (0.5 * size)))
    style = {"fontsize": size, "color": TEXT_COLOUR, "va": "top"}
    y = 1.0

    def lines(x: float, text: str, width: int, **kw) -> None:
        nonlocal y
        for line in textwrap.wrap(text, width) or [""]:
            ax.text(x, y, line, **{**style, **kw})
            y -= pitch

    for b in reversed(BANDS):
        members = summary[summary["band"] == b.name].sort_values("rank")
        if members.empty:
            continue
        y -= 0.3 * pitch
        ax.add_patch(
            Rectangle(
                (0, y - 0.85 * pitch),
                0.06,
                0.8 * pitch,
                facecolor=BAND_TINTS[b.name],
                edgecolor=MUTED_TEXT_COLOUR,
                linewidth=0.4,
                clip_on=False,
            )
        )
        lines(indent, f"{b.name} (score {b.lower}{EN_DASH}{b.upper})", chars, fontweight="bold")
        for r in members.itertuples(index=False):
            ax.text(0, y, r.id, **style, fontweight="bold" if r.band == "Critical" else "normal")
            lines(indent, str(r.title), chars)
    y -= 0.5 * pitch
    lines(
        0,
        "Lines through an id: its lowest to highest plausible likelihood (across) and impact (up).",
        int(width_pt / (0.5 * size)),
        color=MUTED_TEXT_COLOUR,
    )


def heatmap_alt(summary: pd.DataFrame) -> str:
    """What the heat map shows and its main finding."""
    counts = summary["band"].value_counts()
    parts = [f"{counts.get(b.name, 0)} {b.name}" for b in reversed(BANDS)]
    top = summary.sort_values("rank").iloc[0]
    return (
        f"Heat map of {len(summary)} risks on a 5 by 5 grid of likelihood against impact, each "
        f"cell coloured and labelled by its band. At their most likely scores: "
        f"{', '.join(parts)}. The most serious is {top['id']}, {top['title']}, at likelihood "
        f"{top['likelihood_mode']} and impact {top['impact_mode']} (score {top['score']}). Lines "
        "through each risk show its range of plausible likelihood and impact; a key beside the "
        "grid names every risk by band."
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def category_title(rollup: pd.DataFrame) -> str:
    """The category chart's finding: which categories their most serious risk makes Critical
    (or, if none, the most serious category and its band)."""
    crit = rollup.loc[rollup["rating"] == "Critical", "category"].astype(str).tolist()
    n = len(rollup)
    if not crit:
        top = rollup.sort_values("top_score", ascending=False, kind="stable").iloc[0]
        return f"None of the {n} categories is Critical; the most serious, {top['category']}, is {top['rating']}"
    verb = "is" if len(crit) == 1 else "are"
    return f"{len(crit)} of {n} categories {verb} Critical: {_and(crit)}"


def category_chart(rollup: pd.DataFrame):
    """Per category: the most-likely score of its most serious risk as a bar coloured and
    labelled by band, the sampled 80% interval as a line with the median as a dot, and the
    article's urgency beside it."""
    cats = rollup.iloc[::-1].reset_index(drop=True)  # first category at the top
    fig, ax = new_figure(6.7, 0.55 * len(cats) + 1.4)
    y = range(len(cats))
    ax.barh(
        list(y),
        cats["top_score"],
        color=[BAND_COLOURS[b] for b in cats["rating"]],
        edgecolor=TEXT_COLOUR,
        linewidth=0.5,
        height=0.6,
        zorder=2,
    )
    for i, r in cats.iterrows():
        ax.plot([r["top_p10"], r["top_p90"]], [i, i], color=TEXT_COLOUR, linewidth=1.2, zorder=3)
        ax.plot(r["top_median"], i, "o", color=TEXT_COLOUR, markersize=3.5, zorder=4)
        ax.text(
            max(r["top_score"], r["top_p90"]) + 0.4,
            i,
            f"{r['rating']}: {r['top_id']} scores {r['top_score']}; "
            f"P(any Critical) {mc_pct(r['p_any_critical'], r['p_any_critical_se'])}",
            va="center",
            fontsize=7,
            color=TEXT_COLOUR,
        )
        article = r["article_urgency"] if isinstance(r["article_urgency"], str) else "not rated"
        verdict = {"agrees": "agrees", "higher": "register higher", "lower": "register lower"}.get(
            r["agreement"], ""
        )
        ax.text(
            1.02,
            i,
            f"{article}" + (f"\n({verdict})" if verdict else ""),
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=7,
            color=TEXT_COLOUR,
        )
    ax.text(
        1.02,
        len(cats) - 0.4,
        "Article's urgency",
        transform=ax.get_yaxis_transform(),
        fontsize=7,
        fontweight="bold",
        va="bottom",
    )
    for b in BANDS:
        if b.lower > BANDS[0].lower:
            ax.axvline(b.lower, color=MUTED_TEXT_COLOUR, linewidth=0.6, linestyle="--", zorder=1)
        ax.text(
            (max(b.lower, 0) + b.upper + 1) / 2 if b.lower > 1 else 2.5,
            len(cats) - 0.4,
            b.name,
            ha="center",
            fontsize=6.5,
            color=MUTED_TEXT_COLOUR,
            va="bottom",
        )
    ax.set_yticks(list(y), cats["category"])
    ax.set_xlim(0, 25 + 12)
    ax.set_xticks([0, 5, 10, 15, 20, 25])
    ax.set_ylim(-0.6, len(cats) - 0.1)
    ax.set_xlabel(
        f"Score of the category's most serious risk (likelihood {TIMES} impact, 1{EN_DASH}25)"
    )
    ax.grid(axis="y", visible=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines["bottom"].set_bounds(0, 25)
    state_finding(fig, category_title(rollup))
    return fig


def category_alt(rollup: pd.DataFrame) -> str:
    """What the category chart shows and its main finding."""
    crit = rollup.loc[rollup["rating"] == "Critical", "category"].tolist()
    rated = rollup[rollup["agreement"] != "not rated"]
    agree = int((rated["agreement"] == "agrees").sum())
    crit_text = (
        f"{len(crit)} of {len(rollup)} categories are Critical: {', '.join(crit)}."
        if crit
        else f"None of the {len(rollup)} categories is Critical."
    )
    return (
        f"Horizontal bar chart of {len(rollup)} risk categories. Each bar is the most-likely "
        "score of the category's most serious risk, coloured and labelled by band, with a line "
        f"for its 80% interval; the source article's urgency is written beside each bar. "
        f"{crit_text} The register agrees with the article for {agree} of the {len(rated)} "
        f"categories the article rates. Critical starts at a score of {CRITICAL_SCORE}."
    )
