"""The global sensitivity chart: Sobol first-order and total-effect indices with their
bootstrap intervals, one row of panels per headline output and one column per scenario.

In each panel every uncertain parameter has two bars: the total effect (light, upper) and the
first-order effect (solid, lower), each with its interval as a whisker. The gap between the
two is what the parameter does through interactions. Scenarios are named above their column
and drawn in their own colour; the two kinds of bar differ in lightness and position, so the
chart reads in greyscale.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from riskbrief.charts import MUTED_TEXT_COLOUR, TEXT_COLOUR, tint, use_theme
from riskbrief.charts.scenarios import scenario_style
from riskbrief.models import MODELS
from riskbrief.narrative.sobol import OUTPUT_WORDS, short
from riskbrief.sobol import INFORMATION, OUTPUTS, Sobol

_BAR = 0.36


def _factor_order(sobol: Sobol, output: str) -> list[str]:
    """The parameters of an output across scenarios, in the model registry's order."""
    seen = {f.parameter for ix in sobol.indices if ix.output == output for f in ix.factors}
    model = OUTPUTS[output][0]
    order = [p.name for p in MODELS[model].parameters] + [INFORMATION.parameter]
    return [p for p in order if p in seen]


def sobol_indices(sobol: Sobol, titles: Mapping[str, str], title: str):
    """The chart (a matplotlib Figure). ``titles``: scenario id -> title, in column order;
    ``title``: the figure's title, its finding (``narrative.sobol.chart_title``)."""
    use_theme()
    frame = sobol.frame()
    outputs = [o for o in OUTPUTS if (frame["output"] == o).any()]
    rows_per = {o: _factor_order(sobol, o) for o in outputs}
    ids = list(titles)
    style = scenario_style(ids)
    lo = min(-0.05, float(frame[["S1_lo", "ST_lo"]].min().min()) if len(frame) else 0.0)
    hi = max(1.05, float(frame[["S1_hi", "ST_hi"]].max().max()) if len(frame) else 1.0)
    heights = [0.9 + 0.42 * max(len(rows_per[o]), 1) for o in outputs] or [1.0]
    height = 0.9 + sum(heights)
    fig = plt.figure(figsize=(6.7, height))
    fig.suptitle(
        "\n".join(textwrap.wrap(title, 80)), fontsize=10, fontweight="bold", color=TEXT_COLOUR
    )
    grid = fig.subplots(len(heights), len(ids), sharey="row", squeeze=False, height_ratios=heights)
    for axes, output in zip(grid, outputs, strict=False):
        names = rows_per[output]
        k = max(len(names), 1)
        for col, (ax, sid) in enumerate(zip(axes, ids, strict=True)):
            colour = style[sid]["color"]
            rows = frame[(frame["scenario"] == sid) & (frame["output"] == output)]
            by = {r["parameter"]: r for _, r in rows.iterrows()}
            for i, name in enumerate(names):
                y = k - 1 - i
                r = by.get(name)
                if r is None:
                    ax.text(0.02, y, "fixed", va="center", fontsize=6.5, color=MUTED_TEXT_COLOUR)
                    continue
                for value, low, high, dy, fill in (
                    (r["ST"], r["ST_lo"], r["ST_hi"], _BAR / 2, tint(colour, 0.35)),
                    (r["S1"], r["S1_lo"], r["S1_hi"], -_BAR / 2, colour),
                ):
                    ax.barh(y + dy, value, height=_BAR, color=fill, edgecolor=colour, linewidth=0.6)
                    ax.errorbar(
                        value,
                        y + dy,
                        xerr=[[max(value - low, 0)], [max(high - value, 0)]],
                        fmt="none",
                        ecolor=TEXT_COLOUR,
                        elinewidth=0.7,
                        capsize=1.5,
                    )
            ax.set_xlim(lo, hi)
            ax.set_ylim(-0.6, k - 0.4)
            ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
            ax.tick_params(axis="x", labelsize=7)
            ax.axvline(0, color="#B3B3B3", linewidth=0.6)
            ax.grid(axis="y", visible=False)
            if output == outputs[0]:
                ax.set_title(titles[sid], fontsize=8.5, color=TEXT_COLOUR)
            if col == 0:
                what = OUTPUT_WORDS[output]
                ax.set_ylabel(
                    "\n".join(textwrap.wrap(what[:1].upper() + what[1:], 28)),
                    fontsize=7.5,
                    color=MUTED_TEXT_COLOUR,
                )
                ax.set_yticks(range(k))
                ax.set_yticklabels(
                    [
                        "\n".join(textwrap.wrap(short({"parameter": n, "label": n}), 18))
                        for n in names
                    ][::-1],
                    fontsize=7.5,
                )
    last = axes[len(axes) // 2] if outputs else None
    if last is not None:
        grey = "#4D4D4D"
        last.legend(
            handles=[
                Patch(facecolor=tint(grey, 0.35), edgecolor=grey, label="total effect (upper bar)"),
                Patch(facecolor=grey, edgecolor=grey, label="first-order effect (lower bar)"),
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.28),
            ncols=2,
            fontsize=7,
        )
        last.set_xlabel(
            f"Sobol index, with its {round(100 * sobol.conf_level)}% interval", fontsize=7.5
        )
    return fig
