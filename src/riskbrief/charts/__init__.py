"""Charts for the briefings: one project theme and one colour-blind-safe palette.

Chart functions are split by section (``charts.risk``, ``charts.scenarios``,
``charts.context``); each takes data frames and returns a matplotlib Figure. They
never display or save anything: ``riskbrief.display.show_figure`` does that.

Every chart is titled with its finding, not its variable ("The arms race is six times riskier
than the safety race"): a sentence each chart module computes from the numbers it draws, printed
as the section's text prints them, and set by :func:`state_finding`.

Colours come from the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2002),
designed to stay distinguishable under the common forms of colour-vision deficiency.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import seaborn as sns

from riskbrief import fonts

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

#: Risk bands, Low to Critical: Okabe–Ito colours that stay apart under simulated red-green
#: colour blindness (tests/test_palette.py). Always shown with the band's name too (cell
#: labels, bar labels, table columns), never by colour alone.
BAND_COLOURS: dict[str, str] = {
    "Low": OKABE_ITO["sky_blue"],
    "Moderate": OKABE_ITO["yellow"],
    "High": OKABE_ITO["orange"],
    "Critical": OKABE_ITO["vermillion"],
}

#: Neutral grey for series that are neither side (world totals).
GREY = "#6E6E6E"


def tint(colour: str, strength: float) -> str:
    """``colour`` laid over white at ``strength`` (0 white, 1 the colour), as an opaque hex colour.

    Fills behind text use tints, not transparency, so their contrast with the text is known
    (tests/test_palette.py checks it)."""
    h = colour.lstrip("#")
    rgb = [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(255 - (255 - c) * strength):02X}" for c in rgb)


#: Band fills behind labels (the heat map's cells): the band colours lightened, no further than
#: keeps neighbouring bands apart under simulated deuteranopia (tests/test_palette.py).
BAND_TINT = 0.7
BAND_TINTS: dict[str, str] = {name: tint(c, BAND_TINT) for name, c in BAND_COLOURS.items()}

#: Sequential colour map for continuous values (probabilities): cividis, designed to read the
#: same for readers with red-green colour-vision deficiency, reversed so darker means more.
SEQUENTIAL_CMAP = "cividis_r"

#: Scenarios: the arms race in the colour of danger, the safety race in green.
SCENARIO_COLOURS: dict[str, str] = {
    "arms-race": OKABE_ITO["vermillion"],
    "managed-competition": OKABE_ITO["orange"],
    "safety-race": OKABE_ITO["bluish_green"],
}

#: Countries: Okabe–Ito colours that no risk band and no scenario uses, so a country never reads
#: as a severity or a scenario (China in vermillion would look "Critical" or "arms race").
#: tests/test_palette.py checks the three sets share no colour.
ACTOR_COLOURS: dict[str, str] = {
    "United States": OKABE_ITO["blue"],
    "US": OKABE_ITO["blue"],
    "China": OKABE_ITO["reddish_purple"],
    "Global": GREY,
    "World": GREY,
}

#: Text on white and on every tint above: contrast at least 4.5:1 (WCAG 2 AA), checked by tests.
TEXT_COLOUR = "#1A1A1A"
MUTED_TEXT_COLOUR = "#4D4D4D"

#: The briefing typeface (see ``riskbrief.fonts``), then matplotlib's own DejaVu Sans for any
#: glyph it lacks. Text stays text in the SVG, so the HTML's embedded fonts set it.
FONT_FAMILY = [fonts.FAMILY, "DejaVu Sans"]


def use_theme() -> None:
    """Apply the project theme to matplotlib and seaborn (idempotent)."""
    fonts.register_matplotlib()
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


#: Finding titles: bold, a step above the axes' own titles.
FINDING_SIZE = 10.5


def state_finding(fig, text: str) -> None:
    """Title ``fig`` with its finding: ``text`` in bold above everything the figure draws
    (axes titles, legends, keys), left-aligned with its content and wrapped to its width.

    Call it last, once the chart is drawn: it measures what is there."""
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)  # inches
    # about 0.52 em per character in the bold typeface, so a line fits the drawn width
    chars = max(40, int(box.width * 72 / (0.52 * FINDING_SIZE)))
    fig.suptitle(
        "\n".join(textwrap.wrap(text, chars, break_on_hyphens=False)),
        x=box.x0 / fig.get_figwidth(),
        y=(box.y1 + 0.08) / fig.get_figheight(),
        ha="left",
        va="bottom",
        fontsize=FINDING_SIZE,
        fontweight="bold",
        color=TEXT_COLOUR,
    )


def finding(fig) -> str:
    """The finding a chart states (its title), as one line."""
    return " ".join(fig.get_suptitle().split())
