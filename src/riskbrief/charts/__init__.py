"""Charts for the briefings: one project theme and one colour-blind-safe palette.

Chart functions are split by section (``charts.risk``, ``charts.scenarios``,
``charts.context``); each takes data frames and returns a matplotlib Figure. They
never display or save anything: ``riskbrief.display.show_figure`` does that.

Colours come from the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2002),
designed to stay distinguishable under the common forms of colour-vision deficiency.
"""

from __future__ import annotations

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import seaborn as sns

#: Okabe–Ito, in its published order (black first).
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Categorical palette for series (scenarios, categories): black and yellow left out
#: (black is for text and reference lines, yellow is too light on white for lines).
PALETTE: list[str] = [
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
]

#: Risk bands, lightest to darkest: ordered in lightness as well as hue, so the order
#: survives greyscale printing. Always shown with the band's name too, never colour alone.
BAND_COLOURS: dict[str, str] = {
    "Low": "#56B4E9",
    "Moderate": "#F0E442",
    "High": "#E69F00",
    "Critical": "#D55E00",
}

ACTOR_COLOURS: dict[str, str] = {
    "United States": OKABE_ITO["blue"],
    "US": OKABE_ITO["blue"],
    "China": OKABE_ITO["vermillion"],
    "Global": "#6E6E6E",
    "World": "#6E6E6E",
}

SCENARIO_COLOURS: dict[str, str] = {
    "arms-race": OKABE_ITO["vermillion"],
    "managed-competition": OKABE_ITO["orange"],
    "safety-race": OKABE_ITO["bluish_green"],
}

TEXT_COLOUR = "#1A1A1A"
MUTED_TEXT_COLOUR = "#4D4D4D"

FONT_FAMILY = ["Source Sans Pro", "Source Sans 3", "DejaVu Sans", "sans-serif"]


def use_theme() -> None:
    """Apply the project theme to matplotlib and seaborn (idempotent)."""
    sns.set_theme(
        context="paper",
        style="whitegrid",
        palette=PALETTE,
        font=FONT_FAMILY[0],
        rc={
            "font.family": "sans-serif",
            "font.sans-serif": FONT_FAMILY,
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.titleweight": "bold",
            "axes.labelsize": 9,
            "axes.edgecolor": "#B3B3B3",
            "axes.labelcolor": TEXT_COLOUR,
            "text.color": TEXT_COLOUR,
            "xtick.color": TEXT_COLOUR,
            "ytick.color": TEXT_COLOUR,
            "grid.color": "#E6E6E6",
            "legend.frameon": False,
            "figure.dpi": 100,
            "savefig.bbox": "tight",
            # Text stays text in the SVG: selectable, searchable and set in the document's font.
            "svg.fonttype": "none",
        },
    )


def new_figure(width: float = 7.0, height: float = 4.0, **kwargs):
    """A themed figure and axes, sized in inches for an A4 text column (about 6.7 in)."""
    use_theme()
    return plt.subplots(figsize=(width, height), **kwargs)
