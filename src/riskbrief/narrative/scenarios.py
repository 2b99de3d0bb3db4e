"""The scenarios section in words and reader tables: per-scenario paragraphs, the paired
comparison, the sensitivity sentence, what disclosure does, key judgments, the results JSON's
numbers, the methods and the source lines.

Every sentence is generated from the numbers of :mod:`riskbrief.sampling` and
:mod:`riskbrief.sensitivity`, and every Monte Carlo number is printed at the precision its
standard error supports (:func:`riskbrief.narrative.mc_pct`). Probabilities are said to be
what they are: outputs of stylised models under an analyst's illustrative parameters, not
forecasts of the world.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from riskbrief.models import MODELS
from riskbrief.narrative import (
    ICD203_SOURCE,
    PRECISION_RULE,
    estimative_phrase,
    mc_estimate,
    mc_interval,
    mc_pct,
    md_escape,
    pct,
    resolution,
)
from riskbrief.paths import display_path
from riskbrief.sampling import DSAIR_DRAWS, QUANTILES, ZONES

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


# --- numbers as printed ---------------------------------------------------------------------


def _p(x: float) -> str:
    return pct(x, 0)


def p_of(row: Mapping[str, Any], key: str = "median") -> str:
    """The median (or another quantile) of a summary row as printed beside its 80% interval:
    at the step the three numbers' standard errors allow."""
    return mc_estimate(*_triple(row, key))[0]


def iv_of(row: Mapping[str, Any], lo: str = "p10", hi: str = "p90") -> str:
    """An interval of a summary row; the 80% interval is printed at the same step as the
    median beside it."""
    if (lo, hi) == ("p10", "p90"):
        return mc_estimate(*_triple(row, "median"))[1]
    return mc_interval(row[lo], row[hi], row[f"{lo}_se"], row[f"{hi}_se"])


def _triple(row: Mapping[str, Any], key: str):
    return (
        row[key],
        row["p10"],
        row["p90"],
        (row[f"{key}_se"], row["p10_se"], row["p90_se"]),
    )


def share_of(share: float, se: float) -> str:
    """A share of draws at the precision its binomial standard error supports."""
    return mc_pct(share, se)


def _times(x: float, se: float | None = None) -> str:
    """A ratio: one decimal below 10 when its standard error allows, else whole."""
    if x < 10 and se is not None and resolution(se, (0.1, 1.0)) == 0.1:
        return f"{x:.1f}"
    return f"{x:.0f}"


def _ratio_text(r: Mapping[str, float | None], se: float | None) -> str:
    lo, hi = r["p10"], r["p90"]
    if lo is None:
        return "unbounded"
    return f"{_times(lo, se)}{EN_DASH}{'unbounded' if hi is None else _times(hi, se)}"


def of_draws(share: float, se: float, what: str = "draws") -> str:
    """'92% of draws', 'every draw', 'no draw' - a share of draws in words."""
    one = what.removesuffix("s")
    if share >= 0.9995:
        return f"every {one}"
    if share < 0.0005:
        return f"no {one}"
    return f"{share_of(share, se)} of {what}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _the(title: str) -> str:
    """'Arms race' -> 'the arms-race scenario' (a scenario named in running text)."""
    return f"the {md_escape(title).lower().replace(' ', '-')} scenario"


REGIME_WORDS = {
    "none": "neither side knows any capabilities",
    "private": "each side knows only its own capabilities",
    "public": "both sides know each other's capabilities",
}
ZONE_MEANING = {
    "compliance": "safety pays for each developer on its own",
    "dilemma": "all would be better off safe, but each gains by cutting corners",
    "innovation": "cutting corners pays even collectively",
}
#: How close (in probability) a most-likely p_r may sit to a zone threshold before the verdict
#: at the most-likely values is called fragile.
NEAR_THRESHOLD = 0.02


# --- verdicts with the share of draws behind them -----------------------------------------------


def zone_verdict(row: Mapping[str, Any]) -> str:
    """The DSAIR zone, with the share of draws in each zone; weaker words when the draws split
    or when the most-likely p_r sits near a threshold."""
    se = row["zone_se"]
    shares = sorted(((row[f"zone_{z}"], z) for z in ZONES), reverse=True)
    (s1, z1), (s2, z2) = shares[0], shares[1]
    if s1 >= 0.9:
        text = f"in the {z1} zone in {of_draws(s1, se)}"
    elif s1 >= 0.6:
        text = f"most often in the {z1} zone ({share_of(s1, se)} of draws; {z2} {share_of(s2, se)})"
    else:
        text = (
            f"split between the {z1} zone ({share_of(s1, se)} of draws) and the {z2} zone "
            f"({share_of(s2, se)})"
        )
    central = row["zone"]
    notes = []
    if central != z1:
        notes.append(f"its most-likely values sit in the {central} zone, but most draws do not")
    for name, thr in (
        ("compliance", row["risk_dominance_threshold"]),
        ("collective", row["collective_threshold"]),
    ):
        if abs(row["p_r"] - thr) < NEAR_THRESHOLD:
            side = "just above" if row["p_r"] >= thr else "just below"
            notes.append(
                f"its most-likely disaster risk of cutting corners (p_r {row['p_r']:.2f}) sits "
                f"{side} the {name} threshold ({thr:.3f}), so the verdict at the most-likely "
                "values is fragile"
            )
    return text + ("; " + "; ".join(notes) if notes else "")


def safe_verdict(row: Mapping[str, Any]) -> str:
    """DSAIR's long run over the draws: how often safety wins, and the median safe share."""
    wins, se = row["safe_wins"], row["safe_wins_se"]
    med = row["safe_median"]
    if wins >= 0.9995:
        return (
            f"developers end up playing safe in every draw checked (median {_p(med)} of the time)"
        )
    if wins < 0.0005:
        return "unsafe development takes over the population of developers in every draw checked"
    return (
        f"developers end up playing safe most of the time in {share_of(wins, se)} of the draws "
        f"checked (median share of time spent safe {_p(med)})"
    )


def scenario_paragraph(row: Mapping[str, Any]) -> str:
    """One scenario's findings as a short analyst's paragraph (Markdown)."""
    title = md_escape(row["title"])
    share, share_se = row["runaway_share"], row["runaway_share_se"]
    if share >= 0.5:
        build = (
            f"Fear outweighs restraint in {of_draws(share, share_se)}, so the build-up of "
            "strategic AI effort runs away"
        )
    else:
        build = (
            f"Restraint outweighs fear in {of_draws(1 - share, share_se)}, so the build-up "
            "of strategic AI effort levels off"
        )
    at_central = "it does" if (row["stability"] == "runaway") == (share >= 0.5) else "it does not"
    return (
        f"**{title}.** In the racing model, where {REGIME_WORDS[row['information']]}, the first "
        f"advanced AI is unsafe in a median {p_of(row, 'median')} of equilibrium outcomes "
        f"across the analyst's parameter ranges (80% interval {iv_of(row)}): "
        f"{estimative_phrase(row['median'])}, as a model output. {build} "
        f"({at_central} at the most-likely values). The development race (DSAIR) is "
        f"{zone_verdict(row)}. Over the first {row['safe_draws']:,} draws, {safe_verdict(row)}."
    )


def comparison_sentence(comp: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """The paired comparison of two scenarios in two sentences."""
    a, b = _the(titles[comp["numerator"]]), _the(titles[comp["denominator"]])
    r, d, dse = comp["ratio"], comp["difference"], comp["difference_se"]
    gap = (
        f"{_points(d['median'], dse['median_se'])} points (80% interval "
        f"{_points(d['p10'], dse['p10_se'])}{EN_DASH}{_points(d['p90'], dse['p90_se'])})"
    )
    share = of_draws(comp["share_higher"], 0.0, "paired draws")
    if r["median"] is None:
        return (
            f"{_cap(a)} carries risk where {b} carries almost none: the gap is {gap}. "
            f"It is the riskier of the two in {share}."
        )
    se = comp.get("ratio_median_se")
    return (
        f"An unsafe first advanced AI is {_times(r['median'], se)} times as likely in {a} as "
        f"in {b} (80% interval {_ratio_text(r, se)} times), a gap of {gap}. {_cap(a)} is the "
        f"riskier of the two in {share}."
    )


def _points(x: float, se: float) -> str:
    """A difference of probabilities in percentage points, at the precision its SE allows."""
    step = resolution(se)
    value = round(x / step) * step * 100
    return f"{value:.1f}" if step < 0.01 else f"{value:.0f}"


def tornado_sentence(tornado: pd.DataFrame, title: str) -> str:
    """The two longest bars of the tornado chart, in the chart's own numbers: the value at each
    end paired with its own setting, and the swing (the bar's length)."""
    if tornado.empty:
        return f"No racing parameter of {_the(title)} has a range to test."
    rows = list(tornado.itertuples(index=False))
    top = rows[0]
    text = (
        f"In {_the(title)}, the {top.label} moves the risk most: {_p(top.p_low)} at "
        f"{top.low_setting} and {_p(top.p_high)} at {top.high_setting}, against {_p(top.base)} "
        f"at the most-likely values, a swing of {swing_points(top.swing)} points."
    )
    if len(rows) > 1:
        nxt = rows[1]
        text += (
            f" Next is the {nxt.label}: {_p(nxt.p_low)} at {nxt.low_setting}, {_p(nxt.p_high)} "
            f"at {nxt.high_setting}, a swing of {swing_points(nxt.swing)} points."
        )
    return text


def swing_points(x: float) -> str:
    return f"{100 * x:.0f}"


def disclosure_paragraph(title: str, disc: Mapping[str, Any]) -> str:
    """What knowing capabilities does in one scenario: the racing model's transparency
    paradox, at the scenario's most-likely values."""
    r = disc["risks"]
    regime = disc["information"]
    t = md_escape(title)
    lead = (
        f"**{t} and disclosure.** {_cap(_the(title))} assumes that {REGIME_WORDS[regime]}. "
        "In the racing model, knowledge of capabilities raises risk: "
        "a team that knows it is ahead, or by how much, trades safety for speed. At this "
        f"scenario's most-likely values the chance of an unsafe first AI is {_p(r['public'])} "
        f"with full disclosure, {_p(r['private'])} if each side knows only its own capabilities, "
        f"and {_p(r['none'])} if neither knows any."
    )
    thr = disc["enmity_threshold"]
    if thr is None:
        cond = (
            " Here disclosure never beats private knowledge: for it to help, enmity would have "
            "to fall or capabilities would have to matter more than corner-cutting."
        )
    elif thr >= 1.0:
        cond = (
            " Disclosure beats private knowledge at any enmity at this capability weight "
            f"(mu {disc['mu']:g}), but it never beats ignorance of capabilities."
        )
    else:
        side = "below" if disc["enmity"] < thr else "above"
        cond = (
            f" Disclosure beats private knowledge only while enmity stays below {thr:.2f} at "
            f"this capability weight (mu {disc['mu']:g}); the scenario's enmity of "
            f"{disc['enmity']:g} is {side} that line. For disclosure to help, verification and "
            "shared evaluations have to lower enmity as well as reveal capabilities; above the "
            "line, revealing capabilities makes a race more dangerous, not less."
        )
    return lead + cond


# --- key judgments --------------------------------------------------------------------------------

#: What the section's probabilities are probabilities *of*, said once with each judgment.
MODEL_OUTPUT = (
    "a model output under the analyst's illustrative parameters, not a forecast of the world"
)
#: The assumptions (docs/assumptions.md) each kind of judgment rests on.
RESTS_ON = {
    "racing": ["A6", "A7", "A8"],
    "richardson": ["A6", "A8", "A10"],
}


def key_judgments(
    summary: pd.DataFrame,
    comparison: Mapping[str, Any] | None,
    *,
    anchors: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The section's key judgments, most important first.

    ``anchors`` maps ``"comparison"`` and ``"richardson"`` to the HTML ids of the parts of
    the section that compute them. Each judgment has ``text``, ``anchor``, ``value``,
    ``interval`` (80%), the likelihood (``probability``, ``phrase``) and what it is a
    probability of (``of``), and the ``assumptions`` it rests on (for its confidence).
    """
    rows = {r["id"]: r for r in summary.to_dict("records")}
    out: list[dict[str, Any]] = []
    worst = max(rows.values(), key=lambda r: r["median"])
    p = worst["median"]
    out.append(
        {
            "text": (
                f"Under {_the(worst['title'])}'s assumptions the racing model makes an unsafe "
                f"first advanced AI {estimative_phrase(p)}: {p_of(worst, 'median')} of "
                f"equilibrium outcomes (80% interval {iv_of(worst)}), {MODEL_OUTPUT}."
            ),
            "anchor": anchors["comparison"],
            "value": round(p, 4),
            "interval": [round(worst["p10"], 4), round(worst["p90"], 4)],
            "probability": round(p, 4),
            "phrase": estimative_phrase(p),
            "of": "an unsafe first advanced AI in the racing model, under the scenario's parameters",
            "assumptions": RESTS_ON["racing"],
            "evidence": "model output",
            "scenario": worst["id"],
        }
    )
    if comparison is not None and comparison["ratio"]["median"] is not None:
        r = comparison["ratio"]
        se = comparison.get("ratio_median_se")
        lo, hi = rows[comparison["denominator"]], rows[comparison["numerator"]]
        out.append(
            {
                "text": (
                    f"Moving from {_the(hi['title'])} to {_the(lo['title'])} cuts that modelled "
                    f"risk about {_times(r['median'], se)}-fold (80% interval "
                    f"{_ratio_text(r, se)}), to {p_of(lo, 'median')} "
                    f"({estimative_phrase(lo['median'])}; 80% interval {iv_of(lo)})."
                ),
                "anchor": anchors["comparison"],
                "value": round(r["median"], 3),
                "interval": [
                    None if r["p10"] is None else round(r["p10"], 3),
                    None if r["p90"] is None else round(r["p90"], 3),
                ],
                "probability": round(lo["median"], 4),
                "phrase": estimative_phrase(lo["median"]),
                "of": "an unsafe first advanced AI in the racing model, under the safer scenario",
                "assumptions": RESTS_ON["racing"],
                "evidence": "model output",
                "scenario": lo["id"],
            }
        )
    runaway = [r for r in rows.values() if r["runaway_share"] > 0]
    if runaway:
        r = max(runaway, key=lambda x: x["runaway_share"])
        share = r["runaway_share"]
        stable = [x["title"] for x in rows.values() if x["runaway_share"] < 0.5]
        if len(stable) > 1 and len(stable) == len(rows) - 1:
            tail = " In the other scenarios it levels off in most draws."
        elif stable:
            tail = f" In {' and '.join(_the(t) for t in stable)} it levels off in most draws."
        else:
            tail = ""
        g = (r["runaway_growth_median"], r["runaway_growth_p10"], r["runaway_growth_p90"])
        out.append(
            {
                "text": (
                    f"A runaway build-up of strategic AI effort is {estimative_phrase(share)} "
                    f"in {_the(r['title'])}: fear outweighs restraint in "
                    f"{share_of(share, r['runaway_share_se'])} of draws of Richardson's model "
                    f"(a share of the analyst's parameter ranges, not a forecast), and effort "
                    f"then grows about {_p(g[0])} a year (80% interval {_p(g[1])}{EN_DASH}"
                    f"{_p(g[2])}) without limit.{tail}"
                ),
                "anchor": anchors["richardson"],
                "value": round(g[0], 4),
                "interval": [round(g[1], 4), round(g[2], 4)],
                "probability": round(share, 4),
                "phrase": estimative_phrase(share),
                "of": "a runaway build-up in Richardson's model, over the scenario's ranges",
                "assumptions": RESTS_ON["richardson"],
                "evidence": "model output",
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
    disclosure: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The numbers the key judgments and the change log need (plain JSON).

    ``scenarios`` holds, per scenario id, the disaster-probability quantiles and their Monte
    Carlo standard errors, the value at the most-likely parameters and under each information
    regime, Richardson's verdicts (most-likely values and share of runaway draws, growth), and
    DSAIR's (zone at the most-likely values, share of draws per zone, long-run safe share).
    ``comparison`` holds the paired ratio and difference of the riskiest and safest scenario
    shown; ``focus_*`` the tornado's top driver; ``disclosure`` what disclosure does.
    """
    per = {}
    for r in summary.to_dict("records"):
        per[r["id"]] = {
            "title": r["title"],
            "information": r["information"],
            **{f"disaster_{k}": round(r[k], 6) for k in QUANTILES},
            **{f"disaster_{k}_se": round(r[f"{k}_se"], 6) for k in QUANTILES},
            "disaster_mean": round(r["mean"], 6),
            "disaster_central": round(r["central"], 6),
            **{f"disaster_median_{g}": round(r[f"median_{g}"], 6) for g in REGIME_WORDS},
            "richardson_stability": r["stability"],
            "richardson_runaway_share": round(r["runaway_share"], 6),
            "richardson_runaway_share_se": round(r["runaway_share_se"], 6),
            "richardson_runaway_growth_median": round(r["runaway_growth_median"], 6),
            "richardson_runaway_growth_p10": round(r["runaway_growth_p10"], 6),
            "richardson_runaway_growth_p90": round(r["runaway_growth_p90"], 6),
            "dsair_zone": r["zone"],
            **{f"dsair_share_{z}": round(r[f"zone_{z}"], 6) for z in ZONES},
            "dsair_share_se": round(r["zone_se"], 6),
            "dsair_safe_share_central": round(r["safe_share"], 6),
            "dsair_safe_median": round(r["safe_median"], 6),
            "dsair_safe_wins": round(r["safe_wins"], 6),
            "dsair_safe_wins_se": round(r["safe_wins_se"], 6),
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
        out["tornado"] = [
            {
                "parameter": t.parameter,
                "low_setting": t.low_setting,
                "high_setting": t.high_setting,
                "p_low": round(float(t.p_low), 6),
                "p_high": round(float(t.p_high), 6),
                "base": round(float(t.base), 6),
                "swing": round(float(t.swing), 6),
            }
            for t in tornado.itertuples(index=False)
        ]
    if disclosure:
        out["disclosure"] = {
            sid: {
                "risks": {k: round(v, 6) for k, v in d["risks"].items()},
                "enmity_threshold": None
                if d["enmity_threshold"] is None
                else round(d["enmity_threshold"], 6),
            }
            for sid, d in disclosure.items()
        }
    return out


def methods(*, draws: int, seed: int) -> dict[str, str]:
    """How the scenario results were made, for the methods appendix: prose a reader can
    follow, one paragraph per topic."""
    cites = {k: m.short_cite for k, m in MODELS.items()}
    return {
        "Scenarios": (
            "Scenario parameters are an analyst's illustrative assessment of how each scenario "
            "maps onto the models, not measurements: each is a most-likely value with a "
            "plausible range, kept in data/scenarios.yaml."
        ),
        "The racing model": (
            f"{cites['racing']}. An unsafe first AI (the model's 'disaster') is the chance that "
            "the first advanced AI built is unsafe when the competing teams play the model's "
            "symmetric Nash equilibrium; it is computed from the paper's closed forms for the "
            "three information regimes (no, private or public knowledge of capabilities). "
            "Enmity must be above zero: as it falls to zero the private regime's risk does not "
            "vanish and the model is not evaluated there."
        ),
        "The DSAIR model": (
            f"{cites['dsair']}. Zones follow the early-regime thresholds on p_r, the chance that "
            "unsafe development ends in disaster: innovation below 1 - 1/speed, compliance "
            "above 1 - 1/(3 speed), dilemma between. The long-run share of time developers play "
            "safe is the stationary distribution of Fermi imitation dynamics with rare "
            "mutations (population 100, selection intensity 0.1), solved from the transition "
            f"rates in log space; it is computed on the first {DSAIR_DRAWS:,} draws of each "
            "scenario, as each costs a stationary distribution."
        ),
        "Richardson's model": (
            f"{cites['richardson']}. Stocks of strategic AI effort follow Richardson's "
            "equations, integrated with an adaptive Runge-Kutta solver, stocks held at zero or "
            "above; the build-up is stable when restraint outweighs fear (m n > a b) and runs "
            "away otherwise."
        ),
        "Sampling": (
            f"Each scenario is sampled {draws:,} times. Every parameter is drawn from a "
            "triangular distribution on its range with the mode at its most-likely value; the "
            "number of teams is rounded to a whole number. Draws are paired across scenarios "
            "(each draw takes the same quantile of every range in every scenario), so ratios "
            "between scenarios are computed draw by draw. The seed belongs to the scenario file "
            f"(seed {seed}), so a scenario reports the same numbers in every briefing that shows "
            "it. Reported: the median, the 80% interval (10th to 90th percentile), the 95% "
            "interval (2.5th to 97.5th), and for every verdict (a zone, a runaway build-up) the "
            "share of draws behind it. " + PRECISION_RULE
        ),
        "Sensitivity": (
            "The tornado chart moves one racing-model parameter at a time to the ends of its "
            "range, the others at their most-likely values, and switches the information "
            "regime. A parameter's swing is the length of its bars: the distance between the "
            "lowest and the highest of the risk at its low setting, at its high setting and at "
            "the most-likely values."
        ),
        "What the probabilities mean": (
            "The models are stylised: every probability in this section is conditional on the "
            "model and the assumed parameters and is not a forecast of real-world events. The "
            "estimative words convey the size of a model output; the confidence given with each "
            f"key judgment says how far its assumptions can be trusted. {ICD203_SOURCE}."
        ),
    }
