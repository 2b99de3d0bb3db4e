"""Charts of the scenarios section: the race models under each scenario.

Inputs are the frames of :mod:`riskbrief.scenarios` (``precipice_grid``, ``scenario_points``,
``summarise``, ``sensitivity``, ``trajectories``) and its Monte Carlo draws. Every scenario is
drawn in its own colour *and* with its own marker and a text label, so the charts read in
greyscale and for colour-blind readers; zones and regimes are named on the chart. Each chart
has an alt-text function that says what it shows and its main finding, from the same data.

Models: Armstrong, Bostrom & Shulman (2016) for the precipice map, the comparison and the
tornado; Han, Pereira, Santos & Lenaerts (2020) for the DSAIR zones; Richardson (1960) for the
trajectories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle

from riskbrief.charts import (
    MUTED_TEXT_COLOUR,
    OKABE_ITO,
    PALETTE,
    SCENARIO_COLOURS,
    SEQUENTIAL_CMAP,
    TEXT_COLOUR,
    new_figure,
    state_finding,
    tint,
)
from riskbrief.charts.scenario_findings import (
    comparison_title,
    dsair_title,
    precipice_title,
    richardson_title,
    tornado_title,
)
from riskbrief.models import dsair
from riskbrief.models.racing import INFORMATION_REGIMES
from riskbrief.narrative import mc_estimate, pct

EN_DASH = "\u2013"
MARKERS = ("o", "s", "D", "^", "v", "P", "X")
_REGIME_TITLES = {
    "none": "No information",
    "private": "Private information",
    "public": "Public information",
}
_ZONE_COLOURS = {
    # Light tints of the palette behind the zone names (each zone is named on the chart).
    "innovation": tint(OKABE_ITO["sky_blue"], 0.22),
    "dilemma": tint(OKABE_ITO["orange"], 0.3),
    "compliance": tint(OKABE_ITO["bluish_green"], 0.2),
}
_SIDE_STYLES = {"United States": "-", "China": "--"}


def _estimate(r) -> tuple[str, str]:
    """A scenario's median and 80% interval as the text prints them."""
    return mc_estimate(r.median, r.p10, r.p90, (r.median_se, r.p10_se, r.p90_se))


def scenario_style(ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Colour and marker per scenario id: the project's scenario colours where defined."""
    spare = [c for c in PALETTE if c not in SCENARIO_COLOURS.values()] or PALETTE
    out, k = {}, 0
    for i, sid in enumerate(ids):
        colour = SCENARIO_COLOURS.get(sid)
        if colour is None:
            colour = spare[k % len(spare)]
            k += 1
        out[sid] = {"color": colour, "marker": MARKERS[i % len(MARKERS)]}
    return out


def _label(ax, x, y, text, *, dx=6, dy=6, ha="left", colour=TEXT_COLOUR, size=7.5):
    ax.annotate(
        text,
        (x, y),
        xytext=(dx, dy),
        textcoords="offset points",
        ha=ha,
        va="bottom",
        fontsize=size,
        color=colour,
        fontweight="bold",
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        zorder=6,
    )


# --- 1. the precipice map ------------------------------------------------------------------------


def precipice_map(grid: pd.DataFrame, points: pd.DataFrame, n: int = 2):
    """Disaster probability over (capability weight mu, enmity e) for ``n`` teams, one panel
    per information regime, with labelled contours; each scenario is marked at its central
    values (filled in the panel of its own regime, hollow elsewhere) with its range as a box."""
    fig, axes = new_figure(7.0, 3.1, ncols=3, sharey=True)
    style = scenario_style(list(points["id"]))
    levels = np.linspace(0, 1, 11)
    mesh = None
    for ax, regime in zip(axes, INFORMATION_REGIMES, strict=True):
        g = grid[grid["information"] == regime]
        mus = np.sort(g["mu"].unique())
        es = np.sort(g["enmity"].unique())
        z = g.pivot_table(index="enmity", columns="mu", values="p").loc[es, mus].to_numpy()
        mesh = ax.contourf(mus, es, z, levels=levels, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=1)
        lines = ax.contour(
            mus, es, z, levels=[0.2, 0.5, 0.8], colors="white", linewidths=0.8, alpha=0.9
        )
        # dark labels on white patches: readable on every shade of the colour map
        for label in ax.clabel(lines, fmt=lambda v: f"{v:.0%}", fontsize=6.5, colors=TEXT_COLOUR):
            label.set_bbox({"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
        for p in points.itertuples(index=False):
            s = style[p.id]
            own = p.information == regime
            ax.add_patch(_box(p.mu_low, p.mu_high, p.enmity_low, p.enmity_high, s["color"], own))
            ax.plot(
                p.mu,
                p.enmity,
                marker=s["marker"],
                markersize=7 if own else 5,
                markerfacecolor=s["color"] if own else "white",
                markeredgecolor="black" if own else s["color"],
                markeredgewidth=1.0,
                linestyle="none",
                zorder=5,
            )
            if own:
                # Keep the label inside its panel: left-, centre- or right-aligned by position.
                where = (p.mu - mus[0]) / (mus[-1] - mus[0])
                ha = "left" if where < 0.25 else "right" if where > 0.75 else "center"
                _label(
                    ax,
                    p.mu,
                    p.enmity,
                    p.title,
                    dx={"left": 4, "center": 0, "right": -4}[ha],
                    dy=-16 if p.enmity > 0.85 else 7,
                    ha=ha,
                )
        ax.set_title(_REGIME_TITLES[regime])
        ax.set_xlabel("capability weight \u03bc")
        ax.grid(False)
    axes[0].set_ylabel("enmity e")
    cbar = fig.colorbar(mesh, ax=axes, shrink=0.9, pad=0.02)
    cbar.set_label(f"P(first AI unsafe), {n} teams")
    cbar.ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
    state_finding(fig, precipice_title(grid, points))
    return fig


def _box(x0, x1, y0, y1, colour, own):
    return Rectangle(
        (x0, y0),
        max(x1 - x0, 1e-9),
        max(y1 - y0, 1e-9),
        fill=False,
        edgecolor=colour if own else "white",
        linewidth=1.2 if own else 0.6,
        linestyle="-" if own else ":",
        zorder=4,
    )


def precipice_alt(grid: pd.DataFrame, points: pd.DataFrame, n: int = 2) -> str:
    """Alt text of :func:`precipice_map`."""
    pieces = []
    for p in points.itertuples(index=False):
        pieces.append(
            f"{p.title} sits at capability weight {p.mu:g} and enmity {p.enmity:g} under "
            f"{p.information} information, where the chance of an unsafe first AI is "
            f"{pct(p.disaster)}"
        )
    mean = grid.groupby("information")["p"].mean()
    safest = mean.idxmin()
    return (
        f"Three heat maps of the racing model's chance that the first AI is unsafe, for {n} "
        "teams, over capability weight (horizontal) and enmity (vertical), one per "
        "information regime; darker is riskier. Risk falls as capability weight rises and "
        f"grows with enmity; {_REGIME_TITLES[safest].lower()} is the safest regime overall. "
        + "; ".join(pieces)
        + "."
    )


# --- 2. scenario comparison ----------------------------------------------------------------------


def scenario_comparison(summary: pd.DataFrame, draws: Mapping[str, np.ndarray], *, bins: int = 60):
    """Per scenario, the distribution of the disaster probability over the analyst's ranges
    (a histogram ridge), its median (marker), 80% interval (thick bar) and 95% interval (thin
    bar), labelled with the numbers."""
    k = len(summary)
    fig, ax = new_figure(6.7, 0.9 + 0.85 * k)
    style = scenario_style(list(summary["id"]))
    edges = np.linspace(0, 1, bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    for i, r in enumerate(summary.itertuples(index=False)):
        y = k - 1 - i
        s = style[r.id]
        dens, _ = np.histogram(draws[r.id], bins=edges, density=True)
        if dens.max() > 0:
            h = 0.38 * dens / dens.max()
            ax.fill_between(
                centres, y, y + h, color=s["color"], alpha=0.25, linewidth=0, step="mid"
            )
        ax.plot([r.p2_5, r.p97_5], [y, y], color=s["color"], linewidth=1.2, solid_capstyle="butt")
        ax.plot([r.p10, r.p90], [y, y], color=s["color"], linewidth=5, solid_capstyle="butt")
        ax.plot(
            r.median,
            y,
            marker=s["marker"],
            markersize=8,
            markerfacecolor="white",
            markeredgecolor="black",
            linestyle="none",
            zorder=5,
        )
        ax.annotate(
            "{} ({})".format(*_estimate(r)),
            (r.median, y),
            xytext=(0, -13),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=7.5,
            color=TEXT_COLOUR,
        )
    ax.set_yticks(range(k))
    ax.set_yticklabels(list(summary["title"])[::-1])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.8, k - 0.4)
    ax.xaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("chance the first advanced AI is unsafe (racing model)")
    ax.grid(axis="y", visible=False)
    ax.text(
        1.0,
        1.01,
        "marker: median   thick bar: 80% interval   thin bar: 95% interval",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color=MUTED_TEXT_COLOUR,
    )
    state_finding(fig, comparison_title(summary, draws))
    return fig


def comparison_alt(summary: pd.DataFrame, comparison: Mapping | None = None) -> str:
    """Alt text of :func:`scenario_comparison`."""
    parts = [
        "{}: median {}, 80% interval {}".format(r.title, *_estimate(r)).replace(EN_DASH, " to ")
        for r in summary.itertuples(index=False)
    ]
    text = (
        "Horizontal interval chart of the chance that the first advanced AI is unsafe in each "
        "scenario, sampled over the analyst's parameter ranges. " + "; ".join(parts) + "."
    )
    if comparison is not None and comparison["ratio"]["median"] is not None:
        titles = dict(zip(summary["id"], summary["title"], strict=True))
        text += (
            f" The risk is {comparison['ratio']['median']:.1f} times higher in "
            f"{titles[comparison['numerator']]} than in {titles[comparison['denominator']]}."
        )
    return text


# --- 3. tornado ----------------------------------------------------------------------------------


def tornado(sensitivity: pd.DataFrame, title: str):
    """One-at-a-time sensitivity of the disaster probability around a scenario's central
    values: for each parameter, two half-height bars from the central-value risk, to the risk
    at its low setting (upper, plain) and at its high setting (lower, hatched), each end
    labelled with the setting and the risk."""
    k = max(len(sensitivity), 1)
    fig, ax = new_figure(6.7, 1.0 + 0.6 * k)
    if sensitivity.empty:
        ax.text(0.5, 0.5, "No parameter has a range", ha="center", transform=ax.transAxes)
        state_finding(fig, tornado_title(sensitivity, title))
        return fig
    base = float(sensitivity["base"].iloc[0])
    low_c, high_c = OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"]
    for i, r in enumerate(sensitivity.itertuples(index=False)):
        y = k - 1 - i
        for value, setting, colour, hatch, dy in (
            (r.p_low, r.low_setting, low_c, None, 0.17),
            (r.p_high, r.high_setting, high_c, "///", -0.17),
        ):
            ax.barh(
                y + dy,
                value - base,
                left=base,
                height=0.32,
                color=colour,
                edgecolor="white",
                hatch=hatch,
                linewidth=0.5,
            )
            right = value > base or (value == base and dy < 0)
            ax.annotate(
                f"{setting}: {pct(value)}",
                (value, y + dy),
                xytext=(4 if right else -4, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
                fontsize=7,
                color=TEXT_COLOUR,
            )
    ax.axvline(base, color=TEXT_COLOUR, linewidth=1)
    ax.annotate(
        f"most-likely values: {pct(base)}",
        (base, k - 0.45),
        xytext=(0, 2),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=7.5,
        color=TEXT_COLOUR,
    )
    ax.set_yticks(range(k))
    ax.set_yticklabels(list(sensitivity["label"])[::-1])
    lo = min(sensitivity[["p_low", "p_high"]].min().min(), base)
    hi = max(sensitivity[["p_low", "p_high"]].max().max(), base)
    # Room for the end labels on both sides; ticks only where probabilities live.
    pad = max(0.14, 0.3 * (hi - lo))
    left, right_end = lo - pad, hi + pad
    ax.set_xlim(left, right_end)
    ticks = [t for t in np.linspace(0, 1, 11) if left <= t <= right_end]
    ax.set_xticks(ticks)
    ax.set_ylim(-0.6, k - 0.05)
    ax.xaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(f"chance the first advanced AI is unsafe: {title} scenario")
    ax.grid(axis="y", visible=False)
    ax.legend(
        handles=[
            Patch(facecolor=low_c, label="parameter at its low setting (upper bar)"),
            Patch(
                facecolor=high_c,
                hatch="///",
                edgecolor="white",
                label="at its high setting (lower bar)",
            ),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        ncols=2,
        fontsize=7,
    )
    state_finding(fig, tornado_title(sensitivity, title))
    return fig


def tornado_alt(sensitivity: pd.DataFrame, title: str) -> str:
    """Alt text of :func:`tornado`."""
    if sensitivity.empty:
        return f"Tornado chart for the {title} scenario: no parameter has a range to test."
    base = float(sensitivity["base"].iloc[0])
    parts = [
        f"{r.label} from {pct(r.p_low)} ({r.low_setting}) to {pct(r.p_high)} ({r.high_setting})"
        for r in sensitivity.itertuples(index=False)
    ]
    top = sensitivity.iloc[0]
    return (
        f"Tornado chart of the racing model's disaster probability in the {title} scenario, "
        f"{pct(base)} at the most-likely values, moving one parameter at a time. "
        f"{top['label'].capitalize()} matters most. " + "; ".join(parts) + "."
    )


# --- 4. DSAIR zones ------------------------------------------------------------------------------


def dsair_zones(points: pd.DataFrame, N: int = 2, speed_max: float | None = None):
    """The early-regime zones of Han et al. (2020) over speed advantage (horizontal) and the
    disaster probability of unsafe development p_r (vertical), zones named on the chart; each
    scenario at its central values with whiskers over its ranges."""
    fig, ax = new_figure(6.7, 3.8)
    top = speed_max or max(3.0, float(points["speed_high"].max()) * 1.1)
    s = np.linspace(1.0001, top, 400)
    collective, dominant = (np.asarray(t) for t in dsair.regime_thresholds("early", 0, 0, s, 0, N))
    ax.fill_between(s, 0, collective, color=_ZONE_COLOURS["innovation"], linewidth=0)
    ax.fill_between(s, collective, dominant, color=_ZONE_COLOURS["dilemma"], linewidth=0)
    ax.fill_between(s, dominant, 1, color=_ZONE_COLOURS["compliance"], linewidth=0)
    ax.plot(s, collective, color=MUTED_TEXT_COLOUR, linewidth=0.8)
    ax.plot(s, dominant, color=MUTED_TEXT_COLOUR, linewidth=0.8, linestyle="--")
    x_lab = 1 + 0.85 * (top - 1)
    for name, y in (
        ("innovation zone", float(np.interp(x_lab, s, collective)) / 2),
        ("dilemma zone", float(np.interp(x_lab, s, (collective + dominant) / 2))),
        ("compliance zone", (1 + float(np.interp(x_lab, s, dominant))) / 2),
    ):
        ax.text(
            x_lab,
            y,
            name,
            ha="center",
            va="center",
            fontsize=8,
            color=MUTED_TEXT_COLOUR,
            fontstyle="italic",
        )
    style = scenario_style(list(points["id"]))
    dashes = ("-", "--", ":", "-.")
    for i, p in enumerate(points.itertuples(index=False)):
        st = style[p.id]
        ax.add_patch(
            Rectangle(
                (p.speed_low, p.p_r_low),
                max(p.speed_high - p.speed_low, 1e-9),
                max(p.p_r_high - p.p_r_low, 1e-9),
                fill=False,
                edgecolor=st["color"],
                linewidth=1.3,
                linestyle=dashes[i % len(dashes)],
                zorder=4,
            )
        )
        ax.plot(
            p.speed,
            p.p_r,
            marker=st["marker"],
            color=st["color"],
            markeredgecolor="black",
            markersize=8,
            linestyle="none",
            zorder=5,
        )
        above = i % 2 == 0
        _label(ax, p.speed, p.p_r, f"{p.title} ({p.zone})", dx=5, dy=6 if above else -17)
    ax.set_xlim(1, top)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("speed advantage of unsafe development")
    ax.set_ylabel("chance unsafe development ends in disaster (p_r)")
    ax.text(
        1.0,
        1.01,
        "marker: most-likely values   box: the analyst's ranges",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color=MUTED_TEXT_COLOUR,
    )
    ax.grid(False)
    state_finding(fig, dsair_title(points))
    return fig


def dsair_alt(points: pd.DataFrame, N: int = 2) -> str:
    """Alt text of :func:`dsair_zones`."""
    parts = [
        f"{p.title} at speed advantage {p.speed:g} and disaster probability {pct(p.p_r)}, "
        f"in the {p.zone} zone"
        for p in points.itertuples(index=False)
    ]
    return (
        "Zone chart of the DSAIR development race: speed advantage of unsafe development "
        "(horizontal) against the chance that unsafe development ends in disaster (vertical). "
        "Below the lower curve is the innovation zone, where unsafe development is collectively "
        "better; above the upper curve the compliance zone, where safety wins on its own; "
        "between them the dilemma zone, where safety is better for all but not for each. "
        "The greater the speed advantage, the higher the risk must be for safety to win. "
        + "; ".join(parts)
        + "."
    )


# --- 5. Richardson trajectories ------------------------------------------------------------------


def richardson_trajectories(traj: pd.DataFrame):
    """US (solid) and Chinese (dashed) stocks of strategic AI effort over time, one panel per
    scenario on a shared logarithmic scale, each panel titled with its stability."""
    ids = list(dict.fromkeys(traj["scenario"]))
    fig, axes = new_figure(7.0, 2.8, ncols=len(ids), sharey=True, squeeze=False)
    axes = axes[0]
    style = scenario_style(ids)
    for ax, sid in zip(axes, ids, strict=True):
        d = traj[traj["scenario"] == sid]
        title = d["title"].iloc[0]
        for side, ls in _SIDE_STYLES.items():
            s = d[d["side"] == side]
            ax.plot(s["year"], s["stock"], color=style[sid]["color"], linestyle=ls, linewidth=1.6)
            us = side == "United States"
            other = d[d["side"] != side]["stock"].iloc[-1]
            up = s["stock"].iloc[-1] > other or (s["stock"].iloc[-1] == other and not us)
            ax.annotate(
                "US" if us else "China",
                (s["year"].iloc[-1], s["stock"].iloc[-1]),
                xytext=(3, 4 if up else -4),
                textcoords="offset points",
                va="center",
                fontsize=7,
                color=TEXT_COLOUR,
            )
        ax.set_title(f"{title}\n{d['stability'].iloc[0]}")
        ax.set_xlabel("years from now")
        ax.set_yscale("log")
        ax.margins(x=0.12)
    axes[0].set_ylabel("strategic AI effort\n(index, US today = 1)")
    axes[0].yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    state_finding(fig, richardson_title(traj))
    return fig


def richardson_alt(traj: pd.DataFrame) -> str:
    """Alt text of :func:`richardson_trajectories`."""
    parts = []
    for sid in dict.fromkeys(traj["scenario"]):
        d = traj[traj["scenario"] == sid]
        end = d[d["year"] == d["year"].max()].set_index("side")["stock"]
        start = d[d["year"] == 0].set_index("side")["stock"]
        years = d["year"].max()
        parts.append(
            f"{d['title'].iloc[0]} is {d['stability'].iloc[0]}: over {years:g} years the US "
            f"stock goes from {start['United States']:.2g} to {end['United States']:.2g} and "
            f"China's from {start['China']:.2g} to {end['China']:.2g}"
        )
    return (
        "Line charts of US and Chinese stocks of strategic AI effort under Richardson's "
        "equations at each scenario's most-likely values, on a logarithmic scale. "
        + "; ".join(parts)
        + "."
    )
