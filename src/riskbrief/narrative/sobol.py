"""The global sensitivity analysis in words: which parameters drive each headline output,
which act through interactions (total minus first-order effect), the chart's title and the
methods text. Every number comes from a :class:`riskbrief.sobol.Sobol` result, rounded to
two decimals as :func:`index` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from riskbrief.narrative import md_escape
from riskbrief.sobol import ESTIMATOR, OUTPUTS, Sobol, z_value

EN_DASH = "\u2013"
#: A parameter is a main driver when its total effect reaches this (at most three are named).
DRIVER = 0.10
MAX_DRIVERS = 3
#: An interaction (total minus first-order effect) worth a sentence of its own.
INTERACTION = 0.05

#: How each output is named in running text.
OUTPUT_WORDS: dict[str, str] = {
    "disaster": "the chance of an unsafe first AI",
    "unsafe_share": "the long-run share of time developers all cut corners",
}


#: Parameters as running text names them, and as the chart and its title do (short).
PROSE: dict[str, str] = {
    "n": "the number of teams",
    "mu": "the capability weight (mu)",
    "enmity": "enmity (e)",
    "information": "the information regime",
    "speed": "the speed advantage of unsafe development",
    "p_fo": "the chance that unsafe development is found out (p_fo)",
    "p_r": "the chance that unsafe development ends in disaster (p_r)",
}
SHORT: dict[str, str] = {
    "n": "number of teams",
    "mu": "capability weight",
    "enmity": "enmity",
    "information": "information regime",
    "speed": "speed gain from cutting corners",
    "p_fo": "chance of being found out",
    "p_r": "chance of disaster",
}


def prose(row: Mapping[str, Any]) -> str:
    """A factor's name in running text."""
    return PROSE.get(str(row["parameter"]), str(row["label"]))


def short(row: Mapping[str, Any]) -> str:
    """A factor's short name (chart labels and title)."""
    return SHORT.get(str(row["parameter"]), str(row["label"]))


def index(x: float) -> str:
    """A Sobol index as printed: two decimals ('0.49', '-0.01' prints as '0.00')."""
    s = f"{x:.2f}"
    return "0.00" if s == "-0.00" else s


def _level(sobol: Sobol) -> str:
    return f"{round(100 * sobol.conf_level)}%"


def _the(title: str) -> str:
    """'Arms race' -> 'the arms-race scenario', as the rest of the section names scenarios."""
    return f"the {md_escape(title).lower().replace(' ', '-')} scenario"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def ranked(frame: pd.DataFrame, scenario: str, output: str) -> pd.DataFrame:
    """One scenario's factors for one output, largest total effect first."""
    rows = frame[(frame["scenario"] == scenario) & (frame["output"] == output)]
    return rows.sort_values(["ST", "S1"], ascending=False, kind="stable").reset_index(drop=True)


def drivers(rows: pd.DataFrame) -> pd.DataFrame:
    """The main drivers among ``ranked`` rows: total effect of at least :data:`DRIVER`, at
    most :data:`MAX_DRIVERS`, and at least the largest."""
    main = rows[rows["ST"] >= DRIVER].head(MAX_DRIVERS)
    return main if not main.empty else rows.head(1)


def largest_interaction(rows: pd.DataFrame) -> pd.Series | None:
    """The factor whose total effect exceeds its first-order effect the most."""
    if rows.empty:
        return None
    return rows.loc[rows["interaction"].idxmax()]


def output_sentence(sobol: Sobol, output: str, title: str, scenario: str) -> str:
    """What drives one output in one scenario, and its largest interaction (Markdown)."""
    frame = sobol.frame()
    rows = ranked(frame, scenario, output)
    what = OUTPUT_WORDS[output]
    if rows.empty:
        return f"{_cap(what)} has no uncertain parameter in {_the(title)}."
    if bool(rows["constant"].iloc[0]):
        return f"{_cap(what)} does not vary over the ranges of {_the(title)}, so nothing drives it."
    main = drivers(rows)
    top = main.iloc[0]
    text = (
        f"In {_the(title)}, {what} depends most on {prose(top)} (total effect "
        f"{index(top['ST'])}, {_level(sobol)} interval {index(top['ST_lo'])}{EN_DASH}"
        f"{index(top['ST_hi'])})"
    )
    rest = [f"{prose(r)} ({index(r['ST'])})" for _, r in main.iloc[1:].iterrows()]
    if rest:
        text += ", then " + _and(rest)
    text += "."
    inter = largest_interaction(rows)
    if inter is not None and inter["interaction"] >= INTERACTION:
        how = (
            "most of its effect comes through its interactions with the other parameters"
            if inter["interaction"] > inter["S1"]
            else "part of its effect comes through its interactions with the other parameters"
        )
        text += (
            # the difference of the two printed figures, so the sentence's arithmetic holds
            f" The largest interaction involves {prose(inter)}: its total effect "
            f"({index(inter['ST'])}) exceeds its first-order effect ({index(inter['S1'])}) by "
            f"{index(float(index(inter['ST'])) - float(index(inter['S1'])))}, so {how}."
        )
    else:
        gap = max(float(rows["interaction"].max()), 0.0)
        text += (
            " The effects are close to additive: no parameter's total effect exceeds its "
            f"first-order effect by more than {index(gap)}."
        )
    return text


def others_sentence(sobol: Sobol, output: str, titles: Mapping[str, str], focus: str) -> str:
    """Whether the other scenarios share the focus scenario's main driver of an output."""
    frame = sobol.frame()
    lead: dict[str, pd.Series] = {}
    for sid in titles:
        rows = ranked(frame, sid, output)
        if not rows.empty and not bool(rows["constant"].iloc[0]):
            lead[sid] = rows.iloc[0]
    if focus not in lead or len(lead) < 2:
        return ""
    mine = lead[focus]["parameter"]
    same = [sid for sid in lead if sid != focus and lead[sid]["parameter"] == mine]
    differ = [sid for sid in lead if sid != focus and lead[sid]["parameter"] != mine]
    if not differ:
        return f"{_cap(prose(lead[focus]))} leads in every scenario shown."
    parts = [
        f"{prose(lead[sid])} in {_the(titles[sid])} ({index(lead[sid]['ST'])})" for sid in differ
    ]
    text = "Elsewhere the lead changes: " + _and(parts) + "."
    if same:
        text += (
            f" {_cap(prose(lead[focus]))} leads in "
            + _and([_the(titles[sid]) for sid in same])
            + " too."
        )
    return text


def sobol_paragraphs(sobol: Sobol, titles: Mapping[str, str], focus: str) -> list[str]:
    """The section's sentences on the global sensitivity: per output, what drives it in the
    focus scenario and its largest interaction, then how the other scenarios compare."""
    out = []
    for output in OUTPUTS:
        if not any(ix.output == output for ix in sobol.indices):
            continue
        text = output_sentence(sobol, output, titles[focus], focus)
        more = others_sentence(sobol, output, titles, focus)
        out.append(f"{text} {more}".strip())
    return out


def chart_title(sobol: Sobol, titles: Mapping[str, str], focus: str) -> str:
    """The chart's title: its finding for the focus scenario."""
    frame = sobol.frame()
    parts = []
    for output, what in (("disaster", "the risk"), ("unsafe_share", "the unsafe share")):
        rows = ranked(frame, focus, output)
        if rows.empty or bool(rows["constant"].iloc[0]):
            continue
        top = rows.iloc[0]
        part = f"{short(top)} drives {what}"
        if top["interaction"] >= INTERACTION and top["interaction"] > top["S1"]:
            part += ", mostly through interactions"
        parts.append(part)
    if not parts:
        return f"{titles[focus]}: no uncertain parameter moves the headline outputs"
    return f"{titles[focus]}: " + "; ".join(parts)


def alt_text(sobol: Sobol, titles: Mapping[str, str]) -> str:
    """Alt text of the Sobol chart, from its numbers."""
    frame = sobol.frame()
    parts = []
    for output in OUTPUTS:
        for sid, title in titles.items():
            rows = ranked(frame, sid, output)
            if rows.empty:
                continue
            if bool(rows["constant"].iloc[0]):
                parts.append(f"{OUTPUT_WORDS[output]}, {title}: does not vary")
                continue
            each = ", ".join(
                f"{short(r)} first-order {index(r['S1'])}, total {index(r['ST'])}"
                for _, r in rows.iterrows()
            )
            parts.append(f"{OUTPUT_WORDS[output]}, {title}: {each}")
    return (
        "Bar chart of Sobol sensitivity indices with their "
        f"{_level(sobol)} bootstrap intervals, one panel per output and scenario. "
        + _cap("; ".join(parts))
        + "."
    )


def methods(results: Mapping[str, Any]) -> dict[str, str]:
    """The methods entry, from the results JSON's ``sobol`` entry (:meth:`Sobol.to_results`)."""
    n = int(results["samples"])
    level = f"{round(100 * float(results['conf_level']))}%"
    designs = {}
    for per_output in results["scenarios"].values():
        for output, r in per_output.items():
            designs.setdefault(output, (len(r["factors"]), int(r["evaluations"])))
    design_text = "; ".join(
        f"{OUTPUT_WORDS[o]}: D = {d}, {e:,} evaluations per scenario"
        for o, (d, e) in designs.items()
    )
    return {
        "Global sensitivity": (
            "Sobol' variance-based indices of the two headline outputs (the racing model's "
            "chance of an unsafe first AI; DSAIR's long-run share of time all developers cut "
            "corners, from the stationary distribution) over every parameter with a range, "
            "each drawn from the same triangular distribution as the Monte Carlo. The "
            "information regime, fixed in each scenario, is treated as unknown here, each of "
            "the three regimes equally likely, to show how much the risk hinges on what the "
            "sides know of each other's capabilities and how that interacts with the rest. "
            f"Design: Saltelli's scheme on a scrambled Sobol' sequence with N = {n:,} base "
            f"samples, N(D + 2) model evaluations for D parameters ({design_text}; "
            f"{int(results['evaluations']):,} in all). Estimators: {ESTIMATOR}. Intervals: "
            f"{level}, the index plus or minus {z_value(float(results['conf_level'])):.2f} "
            f"standard deviations of {int(results['resamples']):,} bootstrap resamples. "
            "Total minus first-order effect is the share of an output's variance a parameter "
            "causes only through interactions. Sampling error can put an estimate slightly "
            "below 0 or above 1."
        )
    }
