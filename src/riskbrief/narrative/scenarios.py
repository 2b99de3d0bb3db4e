"""The scenarios section in words and reader tables: per-scenario paragraphs, the paired
comparison, the sensitivity sentence, key judgments, the results JSON's numbers, the methods
and the source lines. Every sentence is generated from the numbers of
:mod:`riskbrief.sampling`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from riskbrief.models import MODELS
from riskbrief.narrative import ICD203_SOURCE, estimative_phrase, interval, md_escape, pct
from riskbrief.paths import display_path
from riskbrief.sampling import QUANTILES, ZONES
from riskbrief.scenarios import Scenario

EN_DASH = "\u2013"
TIMES = "\u00d7"


def source_line(models: Sequence[str], path: str | os.PathLike[str]) -> str:
    """The source line of a figure or table: the models' papers and the scenarios file."""
    label = "Model" if len(models) == 1 else "Models"
    cites = "; ".join(MODELS[m].short_cite for m in models)
    return (
        f"{label}: {cites}. Scenario parameters: {display_path(path)} "
        "(illustrative analyst assessment)."
    )


def source_refs(models: Sequence[str]) -> list[str]:
    """The reference keys a figure or table built from ``models`` and the scenarios file cites."""
    return [*(MODELS[m].reference_key for m in models), "scenarios-file"]


# --- tables ---------------------------------------------------------------------------------------


def _p(x: float) -> str:
    return pct(x, 0)


def _iv(lo: float, hi: float) -> str:
    return f"{_p(lo)}{EN_DASH}{_p(hi)}"


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The per-scenario results, formatted for readers."""
    return pd.DataFrame(
        {
            "Scenario": summary["title"],
            "Unsafe first AI (median)": summary["median"].map(_p),
            "80% interval": [
                _iv(a, b) for a, b in zip(summary["p10"], summary["p90"], strict=True)
            ],
            "95% interval": [
                _iv(a, b) for a, b in zip(summary["p2_5"], summary["p97_5"], strict=True)
            ],
            "Arms build-up (central)": summary["stability"],
            "Runaway draws": summary["runaway_share"].map(_p),
            "DSAIR zone (central)": summary["zone"],
            "Safe developers, long run": summary["safe_share"].map(_p),
        }
    )


def parameters_table(scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """Every model parameter per scenario as 'central (low-high)', for the reader's audit."""
    rows = []
    for m in MODELS.values():
        for c in m.choices:
            rows.append(
                {
                    "Model": m.title,
                    "Parameter": c.label,
                    **{s.title: s.choices[m.key][c.name] for s in scenarios},
                }
            )
        for p in m.parameters:
            cells = {}
            for s in scenarios:
                r = s.ranges[m.key][p.name]
                cells[s.title] = (
                    f"{r.central:g}" if r.fixed else f"{r.central:g} ({r.low:g}{EN_DASH}{r.high:g})"
                )
            rows.append({"Model": m.title, "Parameter": p.label, **cells})
    return pd.DataFrame(rows)


def tornado_table(tornado: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Parameter": tornado["label"],
            "Low setting": tornado["low_setting"],
            "Risk at low": tornado["p_low"].map(_p),
            "High setting": tornado["high_setting"],
            "Risk at high": tornado["p_high"].map(_p),
            "Swing (points)": (100 * tornado["swing"]).map(lambda v: f"{v:.0f}"),
        }
    )


# --- prose ----------------------------------------------------------------------------------------


def _times(x: float) -> str:
    return f"{x:.1f}" if x < 10 else f"{x:.0f}"


def _ratio_text(r: Mapping[str, float | None], lo_key: str = "p10", hi_key: str = "p90") -> str:
    lo, hi = r[lo_key], r[hi_key]
    hi_s = "unbounded" if hi is None else f"{_times(hi)}"
    return f"{_times(lo)}{EN_DASH}{hi_s}" if lo is not None else "unbounded"


def _of_draws(share: float, what: str = "draws") -> str:
    """'92% of draws', 'every draw', 'no draw' - a share of draws in words."""
    one = what.removesuffix("s")
    if share >= 0.9995:
        return f"every {one}"
    if share < 0.0005:
        return f"no {one}"
    return f"{_p(share) if share >= 0.005 else '<1%'} of {what}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_REGIME_WORDS = {
    "none": "Neither side knows the other's capabilities.",
    "private": "Each side knows only its own capabilities.",
    "public": "Both sides know each other's capabilities.",
}


def _the(title: str) -> str:
    """'Arms race' -> 'the arms-race scenario' (a scenario named in running text)."""
    return f"the {md_escape(title).lower().replace(' ', '-')} scenario"


def _safe_clause(share: float) -> str:
    if share < 0.005:
        return "unsafe development takes over the population of developers in the long run"
    return f"in the long run the population of developers plays safe {_p(share)} of the time"


def scenario_paragraph(row: Mapping[str, Any]) -> str:
    """One scenario's findings as a short analyst's paragraph (Markdown)."""
    p = row["median"]
    title = md_escape(row["title"])
    share = row["runaway_share"]
    verb = "runs" if share >= 0.9995 or share < 0.0005 else "run"
    if row["stability"] == "runaway":
        build = "Fear outweighs restraint, so the build-up of strategic AI effort runs away"
    else:
        build = "Restraint outweighs fear, so the build-up of strategic AI effort levels off"
    return (
        f"**{title}.** An unsafe first advanced AI is {estimative_phrase(p)}: the racing model "
        f"puts it at {_p(p)} (80% interval {interval(row['p10'], row['p90'])}). "
        f"{_REGIME_WORDS[row['information']]} {build} at the most-likely values; "
        f"{_of_draws(row['runaway_share'])} {verb} away. "
        f"The development race is in the "
        f"{row['zone']} zone, and {_safe_clause(row['safe_share'])}."
    )


def comparison_sentence(comp: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """The paired comparison of two scenarios in two sentences."""
    a, b = _the(titles[comp["numerator"]]), _the(titles[comp["denominator"]])
    r = comp["ratio"]
    d = comp["difference"]
    gap = (
        f"{100 * d['median']:.0f} points "
        f"(80% interval {100 * d['p10']:.0f}{EN_DASH}{100 * d['p90']:.0f})"
    )
    share = _of_draws(comp["share_higher"], "paired draws")
    if r["median"] is None:
        return (
            f"{_cap(a)} carries risk where {b} carries almost none: the gap is {gap}. "
            f"It is the riskier of the two in {share}."
        )
    return (
        f"An unsafe first advanced AI is {_times(r['median'])} times as likely in {a} as in "
        f"{b} (80% interval {_ratio_text(r)} times), a gap of {gap}. {_cap(a)} is the "
        f"riskier of the two in {share}."
    )


def tornado_sentence(tornado: pd.DataFrame, title: str) -> str:
    if tornado.empty:
        return f"No racing parameter of {_the(title)} has a range to test."
    top = tornado.iloc[0]
    text = (
        f"In {_the(title)}, {top['label']} moves the risk most: from "
        f"{_p(min(top['p_low'], top['p_high']))} to {_p(max(top['p_low'], top['p_high']))} "
        f"across its range ({top['low_setting']} to {top['high_setting']})."
    )
    if len(tornado) > 1:
        nxt = tornado.iloc[1]
        text += f" Next is {nxt['label']}, a swing of {100 * nxt['swing']:.0f} points."
    return text


def key_judgments(
    summary: pd.DataFrame,
    comparison: Mapping[str, Any] | None,
    *,
    anchors: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The section's key judgments, most important first.

    ``anchors`` maps ``"comparison"`` and ``"richardson"`` to the HTML ids of the parts of
    the section that compute them. Each judgment has ``text``, ``anchor``, ``value``,
    ``interval`` (80%), ``phrase`` and ``probability``.
    """
    rows = {r["id"]: r for r in summary.to_dict("records")}
    out: list[dict[str, Any]] = []
    worst = max(rows.values(), key=lambda r: r["median"])
    p = worst["median"]
    out.append(
        {
            "text": (
                f"An unsafe first advanced AI is {estimative_phrase(p)} in "
                f"{_the(worst['title'])}: the racing model puts the chance at {_p(p)} "
                f"(80% interval {interval(worst['p10'], worst['p90'])})."
            ),
            "anchor": anchors["comparison"],
            "value": round(p, 4),
            "interval": [round(worst["p10"], 4), round(worst["p90"], 4)],
            "probability": round(p, 4),
            "phrase": estimative_phrase(p),
            "scenario": worst["id"],
        }
    )
    if comparison is not None and comparison["ratio"]["median"] is not None:
        r = comparison["ratio"]
        lo, hi = rows[comparison["denominator"]], rows[comparison["numerator"]]
        out.append(
            {
                "text": (
                    f"Moving from {_the(hi['title'])} to {_the(lo['title'])} cuts that "
                    f"risk about {_times(r['median'])}-fold (80% interval {_ratio_text(r)}), "
                    f"to {_p(lo['median'])}, {estimative_phrase(lo['median'])} "
                    f"(80% interval {interval(lo['p10'], lo['p90'])})."
                ),
                "anchor": anchors["comparison"],
                "value": round(r["median"], 3),
                "interval": [
                    None if r["p10"] is None else round(r["p10"], 3),
                    None if r["p90"] is None else round(r["p90"], 3),
                ],
                "probability": round(lo["median"], 4),
                "phrase": estimative_phrase(lo["median"]),
                "scenario": lo["id"],
            }
        )
    runaway = [r for r in rows.values() if r["runaway_share"] > 0]
    if runaway:
        r = max(runaway, key=lambda x: x["runaway_share"])
        share = r["runaway_share"]
        stable = [x["title"] for x in rows.values() if x["stability"] == "stable"]
        if len(stable) > 1 and len(stable) == len(rows) - 1:
            tail = " In the other scenarios it levels off."
        elif stable:
            tail = f" In {' and '.join(_the(t) for t in stable)} it levels off."
        else:
            tail = ""
        g = (r["runaway_growth_median"], r["runaway_growth_p10"], r["runaway_growth_p90"])
        out.append(
            {
                "text": (
                    f"A runaway build-up of strategic AI effort is {estimative_phrase(share)} "
                    f"in {_the(r['title'])}: fear outweighs restraint in {_p(share)} of draws "
                    f"of Richardson's model, and effort then grows about {pct(g[0], 0)} a year "
                    f"(80% interval {interval(g[1], g[2])}) without limit.{tail}"
                ),
                "anchor": anchors["richardson"],
                "value": round(g[0], 4),
                "interval": [round(g[1], 4), round(g[2], 4)],
                "probability": round(share, 4),
                "phrase": estimative_phrase(share),
                "scenario": r["id"],
            }
        )
    return out


# --- results JSON ----------------------------------------------------------------------


def headline(
    summary: pd.DataFrame,
    comparison: Mapping[str, Any] | None,
    tornado: pd.DataFrame,
    *,
    focus: str,
    draws: int,
    seed: int,
) -> dict[str, Any]:
    """The numbers the key judgments and the change log need (plain JSON).

    ``scenarios`` holds, per scenario id, the disaster-probability quantiles
    (``disaster_median``, ``disaster_p10``, ``disaster_p90``, ``disaster_p2_5``,
    ``disaster_p97_5``, ``disaster_mean``, ``disaster_central``), Richardson's stability at
    the central values, share of runaway draws and runaway growth, and the DSAIR zone, zone
    shares and long-run safe share. ``comparison`` holds the paired ratio and difference of
    the riskiest and safest scenario shown.
    """
    per = {}
    for r in summary.to_dict("records"):
        per[r["id"]] = {
            "title": r["title"],
            "information": r["information"],
            **{f"disaster_{k}": round(r[k], 6) for k in QUANTILES},
            "disaster_mean": round(r["mean"], 6),
            "disaster_central": round(r["central"], 6),
            "richardson_stability": r["stability"],
            "richardson_runaway_share": round(r["runaway_share"], 6),
            "richardson_runaway_growth_median": round(r["runaway_growth_median"], 6),
            "richardson_runaway_growth_p10": round(r["runaway_growth_p10"], 6),
            "richardson_runaway_growth_p90": round(r["runaway_growth_p90"], 6),
            "dsair_zone": r["zone"],
            **{f"dsair_share_{z}": round(r[f"zone_{z}"], 6) for z in ZONES},
            "dsair_safe_share": round(r["safe_share"], 6),
        }
    out: dict[str, Any] = {
        "scenarios": per,
        "focus": focus,
        "draws": int(draws),
        "seed": int(seed),
    }
    if comparison is not None:
        out["comparison"] = {
            "numerator": comparison["numerator"],
            "denominator": comparison["denominator"],
            **{
                f"ratio_{k}": (None if v is None else round(v, 6))
                for k, v in comparison["ratio"].items()
            },
            **{f"difference_{k}": round(v, 6) for k, v in comparison["difference"].items()},
            "share_higher": round(comparison["share_higher"], 6),
        }
    if not tornado.empty:
        top = tornado.iloc[0]
        out["focus_top_driver"] = top["parameter"]
        out["focus_top_swing"] = round(float(top["swing"]), 6)
    return out


def methods(*, draws: int, seed: int) -> dict[str, str]:
    """How the scenario results were made, for the methods appendix."""
    cites = {k: m.citation for k, m in MODELS.items()}
    return {
        "scenarios": (
            "Scenario parameters are an analyst's illustrative assessment of how each scenario "
            "maps onto the models, not measurements; each is a most-likely value with a "
            "plausible range (data/scenarios.yaml)."
        ),
        "racing model": (
            "Disaster probability is the chance that the first AI built is unsafe in the "
            "symmetric Nash equilibrium of the racing model, from its closed forms for the "
            "three information regimes (no, private or public knowledge of capabilities). "
            "Enmity must be above zero: as it falls to zero the private regime's risk does "
            "not vanish and the model is not evaluated there. " + cites["racing"]
        ),
        "DSAIR model": (
            "Zones follow the early-regime thresholds on the disaster probability of unsafe "
            "development (innovation below 1 - 1/speed, compliance above 1 - 1/(3 speed), "
            "dilemma between); the long-run share of safe developers is the stationary "
            "distribution of Fermi imitation dynamics with rare mutations (population 100, "
            "selection intensity 0.1). " + cites["dsair"]
        ),
        "Richardson model": (
            "Stocks of strategic AI effort follow Richardson's equations, integrated with an "
            "adaptive Runge-Kutta solver, stocks held at zero or above; the build-up is stable "
            "when restraint outweighs fear (m n > a b) and runs away otherwise. "
            + cites["richardson"]
        ),
        "sampling": (
            f"{draws:,} draws per scenario. Each parameter is drawn from a triangular "
            "distribution on its range with the mode at its most-likely value; the number of "
            "teams is rounded to a whole number. Draws are paired across scenarios (each draw "
            "takes the same quantile of every range in every scenario), so ratios between "
            "scenarios are computed draw by draw. Reported: median, 80% interval (10th to 90th "
            "percentile) and 95% interval (2.5th to 97.5th)."
        ),
        "sensitivity": (
            "The tornado moves one racing parameter at a time to the ends of its range, the "
            "others at their most-likely values, and switches the information regime."
        ),
        "seed": (
            f"Seed {seed}; every parameter has its own random stream derived from the seed and "
            "its name, so results are reproducible and independent of how the draws are chunked."
        ),
        "caveats": (
            "The models are stylised: their probabilities are conditional on the model and the "
            "assumed parameters and are not forecasts of real-world events. The racing model's "
            "disaster probability is a model output worded on the estimative scale only to "
            "convey its size. " + ICD203_SOURCE + "."
        ),
    }
