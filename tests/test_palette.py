"""One colour-blind-safe palette for every chart and band, and text colours readers can read.

Distinguishable: every pair of colours that must be told apart stays at least
``MIN_DISTANCE`` apart in CAM02-UCS (colorspacious's perceptually uniform space, where a
just-noticeable difference is about 1-2 units) for normal vision and under simulated
deuteranopia and protanopia (Machado et al. 2009 at severity 100, as colorspacious models them).
Readable: text colours have a WCAG 2 contrast ratio of at least 4.5:1 with their backgrounds.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE
from matplotlib.colors import to_hex

import riskbrief.charts as charts
from riskbrief import datasets, evidence, paths
from riskbrief.charts import evidence as ev_charts
from riskbrief.register import load_urgency

MIN_DISTANCE = 10.0
MIN_TEXT_CONTRAST = 4.5
#: outlines and focus rings are not text: WCAG 2.1 asks 3:1 for them
MIN_UI_CONTRAST = 3.0
VISIONS = (None, "deuteranomaly", "protanomaly")


def rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return np.array([int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)])


def seen(hex_colour: str, vision: str | None) -> np.ndarray:
    c = rgb(hex_colour)
    if vision is None:
        return c
    cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(cspace_convert(c, cvd, "sRGB1"), 0, 1)


def distance(a: str, b: str, vision: str | None) -> float:
    return float(
        deltaE(seen(a, vision), seen(b, vision), input_space="sRGB1", uniform_space="CAM02-UCS")
    )


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance."""
    c = rgb(hex_colour)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2])


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def closest_pair(colours: list[str], vision: str | None) -> tuple[float, str, str]:
    return min((distance(a, b, vision), a, b) for a, b in itertools.combinations(colours, 2))


# --- the measures themselves ---------------------------------------------------------------------


def test_measures_match_known_values() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    # a red and a green that normal vision separates easily merge for a deuteranope
    red, green = "#D62728", "#2CA02C"  # matplotlib's default red and green
    assert distance(red, green, None) > MIN_DISTANCE
    assert distance(red, green, "deuteranomaly") < MIN_DISTANCE


# --- chart palettes ------------------------------------------------------------------------------

GROUPS = {
    "series palette": charts.PALETTE,
    "risk bands": list(charts.BAND_COLOURS.values()),
    "risk band fills": list(charts.BAND_TINTS.values()),
    "scenarios": list(charts.SCENARIO_COLOURS.values()),
    "actors": sorted(set(charts.ACTOR_COLOURS.values())),
}


@pytest.mark.parametrize("vision", VISIONS, ids=["normal", "deuteranopia", "protanopia"])
@pytest.mark.parametrize("group", list(GROUPS))
def test_colours_stay_distinguishable(group: str, vision: str | None) -> None:
    d, a, b = closest_pair(GROUPS[group], vision)
    assert d >= MIN_DISTANCE, f"{group}: {a} and {b} are only {d:.1f} apart ({vision or 'normal'})"


def test_country_colours_are_never_severity_or_scenario_colours() -> None:
    """A reader must not read a country as a band ("Critical") or a scenario ("Arms race"):
    the country colours share no colour with the bands (or their fills) or the scenarios."""
    countries = {c.upper() for c in charts.ACTOR_COLOURS.values()}
    severities = {c.upper() for c in [*charts.BAND_COLOURS.values(), *charts.BAND_TINTS.values()]}
    scenarios = {c.upper() for c in charts.SCENARIO_COLOURS.values()}
    assert not countries & severities, (
        f"country colours that are band colours: {countries & severities}"
    )
    assert not countries & scenarios, (
        f"country colours that are scenario colours: {countries & scenarios}"
    )
    assert charts.ACTOR_COLOURS["United States"] != charts.ACTOR_COLOURS["China"]


@pytest.mark.parametrize("vision", VISIONS, ids=["normal", "deuteranopia", "protanopia"])
def test_country_colours_do_not_look_like_severity_or_scenario_colours(vision: str | None) -> None:
    others = [*charts.BAND_COLOURS.items(), *charts.SCENARIO_COLOURS.items()]
    for actor, colour in charts.ACTOR_COLOURS.items():
        for name, other in others:
            d = distance(colour, other, vision)
            assert d >= MIN_DISTANCE, (
                f"{actor} {colour} and {name} {other} are only {d:.1f} apart ({vision or 'normal'})"
            )


def test_every_chart_colour_comes_from_the_one_palette() -> None:
    okabe_ito = {c.upper() for c in charts.OKABE_ITO.values()}
    for group, colours in GROUPS.items():
        if group == "risk band fills":
            continue
        extra = {c.upper() for c in colours} - okabe_ito - {charts.GREY.upper()}
        assert not extra, f"{group} uses colours outside Okabe–Ito: {extra}"
    # chart modules name colours through riskbrief.charts, never as literals of their own
    for module in ("risk", "context", "scenarios"):
        source = (Path(charts.__file__).parent / f"{module}.py").read_text(encoding="utf-8")
        assert not re.findall(r"#[0-9A-Fa-f]{6}\b", source), (
            f"charts/{module}.py has colour literals"
        )


def test_band_fills_are_tints_of_the_band_colours() -> None:
    for name, colour in charts.BAND_COLOURS.items():
        assert charts.BAND_TINTS[name] == charts.tint(colour, charts.BAND_TINT)
    assert charts.tint("#000000", 1.0) == "#000000" and charts.tint("#123456", 0.0) == "#FFFFFF"


def test_chart_text_is_readable_on_every_chart_background() -> None:
    backgrounds = ["#FFFFFF", *charts.BAND_TINTS.values()]
    for text in (charts.TEXT_COLOUR, charts.MUTED_TEXT_COLOUR):
        assert contrast(text, "#FFFFFF") >= MIN_TEXT_CONTRAST
    for bg in backgrounds:
        assert contrast(charts.TEXT_COLOUR, bg) >= MIN_TEXT_CONTRAST, bg


# --- the briefing's CSS --------------------------------------------------------------------------

CSS = (paths.STATIC_DIR / "briefing.css").read_text(encoding="utf-8")


def css_vars() -> dict[str, str]:
    return dict(re.findall(r"(--rb-[\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", CSS))


#: (text, background) pairs as the stylesheet uses them
TEXT_PAIRS = [
    ("--rb-text", "--rb-bg"),
    ("--rb-muted", "--rb-bg"),
    ("--rb-accent", "--rb-bg"),
    ("--rb-text", "--rb-panel"),
    ("--rb-muted", "--rb-panel"),
    ("--rb-accent", "--rb-panel"),
    ("--rb-banner-fg", "--rb-banner-bg"),
    ("--rb-banner-fg", "--rb-banner-draft-bg"),
]


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS, ids=[f"{f} on {b}" for f, b in TEXT_PAIRS])
def test_css_text_contrast(fg: str, bg: str) -> None:
    v = css_vars()
    ratio = contrast(v[fg], v[bg])
    assert ratio >= MIN_TEXT_CONTRAST, f"{fg} {v[fg]} on {bg} {v[bg]}: {ratio:.2f}:1"


def test_focus_ring_stands_out() -> None:
    v = css_vars()
    for bg in ("--rb-bg", "--rb-panel"):
        assert contrast(v["--rb-focus"], v[bg]) >= MIN_UI_CONTRAST


def test_every_text_colour_in_the_css_is_one_that_is_checked() -> None:
    v = css_vars()
    checked = {v[fg].lower() for fg, _ in TEXT_PAIRS}
    literal = {c.lower() for c in re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b", CSS)}
    named = set(re.findall(r"(?<![-\w])color:\s*var\((--rb-[\w-]+)\)", CSS))
    assert literal <= checked, f"unchecked text colours: {literal - checked}"
    assert named <= {fg for fg, _ in TEXT_PAIRS}, f"unchecked text colours: {named}"


# --- the countries as the charts draw them -----------------------------------------------------


def _drawn(fig) -> set[str]:
    """Every fill, edge and line colour the figure's axes draw (bars, markers, lines)."""
    out: set[str] = set()
    for ax in fig.axes:
        for patch in ax.patches:
            out |= {to_hex(patch.get_facecolor()), to_hex(patch.get_edgecolor())}
        for coll in ax.collections:
            out |= {to_hex(c) for c in [*coll.get_facecolors(), *coll.get_edgecolors()]}
        out |= {to_hex(line.get_color()) for line in ax.lines}
    return {c.upper() for c in out}


def test_the_evidence_charts_draw_each_country_in_its_own_colour() -> None:
    """The evidence charts draw the United States and China in their country colours (a partial
    year in a tint of it), never in a band's or a scenario's colour."""
    data = Path(__file__).parents[1] / "data"
    files = {k: data / "evidence" / f"{kind}.csv" for k, (kind, _) in datasets.TABLES.items()}
    files["category_mapping"] = data / "evidence" / "category_mapping.yaml"
    t = evidence.load_tables(files, load_urgency(data / "article_urgency.csv"))
    f = evidence.figures(t)
    since = f["models_last_complete_year"] - evidence.HISTORY_YEARS
    partial, through = f["models_partial_year"], f["models_data_through"]
    records = {evidence.US: f["compute_us"], evidence.CHINA: f["compute_china"]}
    figs = [
        ev_charts.models_chart(evidence.models_per_year(t.models, since), partial, through),
        ev_charts.compute_chart(
            evidence.frontier_compute(t.models, since), records, partial, through
        ),
        ev_charts.capacity_chart(ev_charts.capacity_rows(evidence.cluster_capacity(t.clusters))),
    ]
    drawn = set().union(*map(_drawn, figs))
    plt.close("all")
    for country in (evidence.US, evidence.CHINA):
        assert charts.ACTOR_COLOURS[country].upper() in drawn, country
    forbidden = {
        c.upper()
        for c in [
            *charts.BAND_COLOURS.values(),
            *charts.BAND_TINTS.values(),
            *charts.SCENARIO_COLOURS.values(),
        ]
    }
    assert not drawn & forbidden, (
        f"band or scenario colours on a country chart: {drawn & forbidden}"
    )
