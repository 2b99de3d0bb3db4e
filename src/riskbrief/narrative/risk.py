"""The risk-summary section in words and reader tables: category paragraphs, key judgments,
the top-risks and roll-up tables, the results JSON's numbers, the methods and source line.

Every sentence is generated from the numbers of :mod:`riskbrief.risk`; nothing is typed. The
sampled numbers say how firmly the analysts' own ratings hold (the share of draws from their
ranges that land in a band), not how likely an event is, so they are never worded with the
estimative scale; and every Monte Carlo number is printed at the precision its standard error
supports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from riskbrief.narrative import (
    PRECISION_RULE,
    SCORE_STEPS,
    mc_pct,
    mc_score,
    md_escape,
    resolution,
)
from riskbrief.paths import display_path
from riskbrief.register import MIT_TAXONOMY_SOURCE, SCALE_MAX, SCALE_MIN
from riskbrief.risk import BANDS, CRITICAL_SCORE, EN_DASH, PERT_LAMBDA, TIMES, band_counts

_SMALL = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int) -> str:
    return _SMALL[n] if 0 <= n < len(_SMALL) else str(n)


def score_of(row: Mapping[str, Any], key: str) -> str:
    """A sampled score (1-25) at the precision its standard error supports."""
    return mc_score(row[key], row[f"{key}_se"])


def score_interval(row: Mapping[str, Any], lo: str = "p10", hi: str = "p90") -> str:
    """An interval of scores, both ends at the coarser step either needs."""
    step = max(resolution(row[f"{k}_se"], SCORE_STEPS) for k in (lo, hi))
    return (
        f"{mc_score(row[lo], row[f'{lo}_se'], step=step)}{EN_DASH}"
        f"{mc_score(row[hi], row[f'{hi}_se'], step=step)}"
    )


def holds_clause(p: float, se: float, what: str) -> str:
    """'in 98% of draws from the analysts' ranges, <what>': how firmly a rating holds."""
    if p >= 0.9995:
        return f"in every draw from the analysts' ranges, {what}"
    if p < 0.0005:
        return f"in no draw from the analysts' ranges does it hold that {what}"
    return f"in {mc_pct(p, se)} of draws from the analysts' ranges, {what}"


def _article_sentence(row: Mapping[str, Any]) -> str:
    """The article's urgency beside the register's rating: a consistency check, since the
    register's scores were set with the article's ratings in view."""
    urgency, rating = row["article_urgency"], row["rating"]
    agreement = row["agreement"]
    if agreement == "not rated":
        return "The source article gives no urgency for this category."
    if agreement == "agrees":
        if " to " in urgency:
            return (
                f"Consistency check: the article rates it {urgency}, and the register's "
                f"{rating} falls in that range."
            )
        return f"Consistency check: the article rates it {urgency} too."
    steps = abs(row["steps"])
    how = "one band" if steps == 1 else f"{_count(steps)} bands"
    side = "higher" if agreement == "higher" else "lower"
    return (
        f"Consistency check: the article rates it {urgency}; the register puts it {how} "
        f"{side}, at {rating}."
    )


def category_paragraph(row: Mapping[str, Any], scenario: Any = None) -> str:
    """A short analyst's paragraph on one category, from its :func:`category_rollup` row (and,
    when the register is scored under a scenario, why the scenario moves it)."""
    n, n_crit = row["n_risks"], row["n_critical"]
    cat = md_escape(row["category"])
    title = md_escape(row["top_title"])
    risks_word = "risk" if n == 1 else "risks"
    if n_crit == 0:
        count = f"None of its {_count(n)} {risks_word} is Critical at its most likely score."
        if n == 1:
            count = "Its one risk is not Critical at its most likely score."
    elif n_crit == n:
        count = (
            f"All {_count(n)} of its risks are Critical at their most likely scores."
            if n > 1
            else "Its one risk is Critical at its most likely score."
        )
    elif n_crit == 1:
        count = f"One of its {_count(n)} risks is Critical at its most likely score."
    else:
        count = (
            f"{_count(n_crit).capitalize()} of its {_count(n)} risks are Critical "
            "at their most likely scores."
        )
    lead = (
        f"The most serious is {title} ({md_escape(row['top_id'])}): median score "
        f"{score_of(row, 'top_median')} of 25, "
        f"80% interval {score_interval(row, 'top_p10', 'top_p90')}."
    )
    held = holds_clause(
        row["p_any_critical"], row["p_any_critical_se"], "at least one of its risks is Critical."
    )
    held = held[:1].upper() + held[1:]
    if scenario is not None:
        return _conditioned_paragraph(row, scenario, count)
    return f"**{cat}: {row['rating']}.** {count} {lead} {held} {_article_sentence(row)}"


def _conditioned_paragraph(row: Mapping[str, Any], scenario: Any, count: str) -> str:
    """A category under a scenario: the shift and its reason first, the numbers in one
    sentence after."""
    cat = md_escape(row["category"])
    shift = scenario.risk_shifts.get(row["category"], {"likelihood": 0, "rationale": ""})
    step = shift["likelihood"]
    moved = (
        f"the scenario moves its likelihoods {'up' if step > 0 else 'down'} "
        f"{abs(step)} step{'s' if abs(step) > 1 else ''}: {md_escape(shift['rationale'])}"
        if step
        else "the scenario leaves its likelihoods as the register has them"
    )
    held = holds_clause(
        row["p_any_critical"], row["p_any_critical_se"], "at least one of its risks is Critical"
    )
    counted = count[:1].lower() + count[1:-1]
    return (
        f"**{cat}: {row['rating']} under the "
        f"{md_escape(scenario.title.lower()).replace(' ', '-')} scenario.** "
        f"Here {moved.rstrip('.')}. With {counted}, its most serious risk is "
        f"{md_escape(row['top_title'])} ({md_escape(row['top_id'])}), at a median "
        f"{score_of(row, 'top_median')} of 25 (80% interval "
        f"{score_interval(row, 'top_p10', 'top_p90')}), and {held}. {_article_sentence(row)}"
    )


def category_paragraphs(rollup: pd.DataFrame, scenario: Any = None) -> dict[str, str]:
    """Paragraph per category, in roll-up order."""
    return {r["category"]: category_paragraph(r, scenario) for r in rollup.to_dict("records")}


#: The assumptions (docs/assumptions.md) the register's ratings rest on.
RESTS_ON = ["A1", "A2", "A3", "A4", "A5"]


def key_judgments(
    rollup: pd.DataFrame, anchor: str = "risk-summary", *, scenario: str | None = None
) -> list[dict[str, Any]]:
    """Key-judgment sentences for the briefing's first page, firmest first.

    One per Critical category: its most serious risk's median score with 80% interval, and
    how firmly the rating holds (the share of draws from the analysts' ranges in which the
    category keeps a Critical risk). That share is not the likelihood of an event, so no
    estimative phrase is attached (``phrase`` is None). If no category is Critical, one on the
    most serious category instead.
    """
    crit = rollup[rollup["rating"] == "Critical"].sort_values(
        ["p_any_critical", "top_median"], ascending=False
    )
    chosen = crit if len(crit) else rollup.sort_values("top_median", ascending=False).head(1)
    out = []
    for r in chosen.to_dict("records"):
        p = r["p_any_critical"]
        held = holds_clause(p, r["p_any_critical_se"], "at least one of its risks is Critical")
        lead = (
            "On the analysts' scores"
            if scenario is None
            else f"On the analysts' scores under the {scenario.lower().replace(' ', '-')} scenario"
        )
        text = (
            f"{lead}, {r['category']} is rated {r['rating']}: its most serious "
            f"risk, {r['top_title']}, scores a median {score_of(r, 'top_median')} of 25 (80% "
            f"interval {score_interval(r, 'top_p10', 'top_p90')}), and {held} (how firmly the "
            "rating holds, not the chance of an event)."
        )
        out.append(
            {
                "text": text,
                "anchor": anchor,
                "value": round(r["top_median"], 2),
                "interval": [round(r["top_p10"], 2), round(r["top_p90"], 2)],
                "probability": round(p, 4),
                "phrase": None,
                "of": "the share of draws from the analysts' score ranges, not an event",
                "assumptions": RESTS_ON if scenario is None else [*RESTS_ON, "A14"],
                "evidence": "analyst judgement",
                "category": r["category"],
            }
        )
    return out


# --- tables and results ----------------------------------------------------------------------


#: The top-risks table's evidence column: repository entries and incidents in the sub-domain.
EVIDENCE_COLUMN = "Evidence: entries · incidents"


def top_risks_table(
    summary: pd.DataFrame, top_n: int, evidence: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The ``top_n`` most serious risks, formatted for readers. With ``evidence`` (by risk id:
    ``repository_entries`` and ``incidents`` in the risk's MIT sub-domain, from
    ``riskbrief.evidence.register_evidence``) the table gains an evidence column."""
    top = summary.head(top_n)
    table = pd.DataFrame(
        {
            "#": top["rank"].astype(str),
            "Risk": top["title"] + " (" + top["id"] + ")",
            "Category": top["category"],
            f"Likelihood {TIMES} impact": [
                f"{a} {TIMES} {b} = {c}"
                for a, b, c in zip(
                    top["likelihood_mode"], top["impact_mode"], top["score"], strict=True
                )
            ],
            "Band": top["band"],
            "Median (80% interval)": [
                f"{score_of(r, 'median')} ({score_interval(r)})" for r in top.to_dict("records")
            ],
            "P(Critical)": [
                mc_pct(p, se) for p, se in zip(top["p_critical"], top["p_critical_se"], strict=True)
            ],
            "Trend": top["trend"],
        }
    )
    if evidence is not None:
        rows = evidence.reindex(top["id"])
        table[EVIDENCE_COLUMN] = [
            "—" if pd.isna(e) else f"{int(e):,} · {int(i):,}"
            for e, i in zip(rows["repository_entries"], rows["incidents"], strict=True)
        ]
    return table


def rollup_table(rollup: pd.DataFrame) -> pd.DataFrame:
    """The category roll-up beside the article's urgency, formatted for readers."""
    return pd.DataFrame(
        {
            "Category": rollup["category"],
            "Risks": rollup["n_risks"].astype(str),
            "Critical": rollup["n_critical"].astype(str),
            "Register rating": rollup["rating"],
            "P(any Critical)": [
                mc_pct(p, se)
                for p, se in zip(rollup["p_any_critical"], rollup["p_any_critical_se"], strict=True)
            ],
            "Article's urgency": rollup["article_urgency"].fillna("not rated"),
            "Consistency check": rollup["agreement"],
        }
    )


def results_risks(summary: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per-risk results for the JSON, so the next edition can detect changes."""
    return {
        r.id: {
            "title": r.title,
            "category": r.category,
            "score": int(r.score),
            "band": r.band,
            "median": round(float(r.median), 3),
            "p10": round(float(r.p10), 3),
            "p90": round(float(r.p90), 3),
            "median_se": round(float(r.median_se), 4),
            "p_critical": round(float(r.p_critical), 4),
            "p_critical_se": round(float(r.p_critical_se), 5),
        }
        for r in summary.itertuples(index=False)
    }


def results_categories(rollup: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {
        r["category"]: {
            "rating": r["rating"],
            "n_risks": int(r["n_risks"]),
            "n_critical": int(r["n_critical"]),
            "p_any_critical": round(r["p_any_critical"], 4),
            "p_any_critical_se": round(r["p_any_critical_se"], 5),
            "top_id": r["top_id"],
            "article_urgency": r["article_urgency"],
            "agreement": r["agreement"],
        }
        for r in rollup.to_dict("records")
    }


def headline(
    summary: pd.DataFrame, rollup: pd.DataFrame, *, draws: int, seed: int
) -> dict[str, Any]:
    """The numbers the key judgments and the change log need."""
    top = summary.iloc[0]
    counts = band_counts(summary)
    rated = rollup[rollup["agreement"] != "not rated"]
    return {
        "n_risks": len(summary),
        **{f"n_{b.lower()}": n for b, n in counts.items()},
        "n_categories": len(rollup),
        "critical_categories": rollup.loc[rollup["rating"] == "Critical", "category"].tolist(),
        "n_categories_rated_by_article": len(rated),
        "n_categories_agreeing_with_article": int((rated["agreement"] == "agrees").sum()),
        "top_risk_id": top["id"],
        "top_risk_title": top["title"],
        "top_risk_band": top["band"],
        "top_risk_median": round(float(top["median"]), 3),
        "top_risk_p10": round(float(top["p10"]), 3),
        "top_risk_p90": round(float(top["p90"]), 3),
        "top_risk_p_critical": round(float(top["p_critical"]), 4),
        "draws": draws,
        "seed": seed,
    }


def methods(*, draws: int, seed: int) -> dict[str, str]:
    """How the scores were made, for the methods appendix: prose a reader can follow, one
    paragraph per topic."""
    bands = ", ".join(f"{b.name} {b.lower}{EN_DASH}{b.upper}" for b in BANDS)
    return {
        "Scores and bands": (
            f"Each risk's likelihood and impact are scored {SCALE_MIN} (lowest) to {SCALE_MAX} "
            "(highest) by the analysts as a three-point estimate: lowest plausible, most likely "
            f"and highest plausible. Its score is likelihood {TIMES} impact on the 5{TIMES}5 "
            f"matrix, from 1 to 25, and its band ({bands}) is the band of its most-likely score."
        ),
        "Sampling": (
            f"Each scale is drawn from a beta-PERT distribution (shape {PERT_LAMBDA:g}) on the "
            f"analysts' range, {draws:,} draws per risk, likelihood and impact independent. The "
            "section reports the median score, the 80% interval (10th to 90th percentile) and "
            f"P(Critical), the share of draws scoring {CRITICAL_SCORE} or more: how firmly a "
            "rating holds under the analysts' own uncertainty, not the probability of an event. "
            f"Each risk has its own random stream (seed {seed} and its id), so editing one risk "
            "does not move another's numbers. " + PRECISION_RULE
        ),
        "Ranking and categories": (
            "Risks are ranked by most-likely score, then by expected score (the product of the "
            "PERT means of likelihood and impact), then by id. A category is rated by its most "
            "serious risk; P(any Critical) is the share of draws in which at least one of its "
            "risks is Critical."
        ),
        "Consistency check with the source article": (
            "Each category's rating is set beside the urgency the source article gives it; a "
            "range such as 'Moderate to High' agrees with either band in it. This is a "
            "consistency check, not independent confirmation: the analysts scored the register "
            "with the article's ratings in view, so agreement shows the scores were transcribed "
            "faithfully, not that the article is right."
        ),
        "Taxonomy": (
            "Each risk is coded to a sub-domain of the MIT AI Risk Repository "
            f"({MIT_TAXONOMY_SOURCE})."
        ),
    }


def register_source_line(
    register: pd.DataFrame, register_path, urgency: pd.DataFrame | None
) -> str:
    """Source line for the risk charts and tables: the register file, when it was reviewed,
    and the article rows the urgency comes from."""
    reviewed = sorted(register["last_reviewed"])
    when = (
        f"last reviewed {reviewed[-1].isoformat()}"
        if reviewed[0] == reviewed[-1]
        else f"reviewed {reviewed[0].isoformat()} to {reviewed[-1].isoformat()}"
    )
    line = (
        f"Risk register, {display_path(register_path)} ({len(register)} risks, {when}); "
        "scores are analyst judgement, sampled as described in the methods."
    )
    if urgency is not None and len(urgency):
        sources = "; ".join(dict.fromkeys(urgency["source"]))
        line += f" Article urgency: {sources}, risk table."
    return line


def conditioning_paragraph(scenario: Any) -> str:
    """Why this briefing's risk numbers differ from the register as it stands."""
    moved = {c: v for c, v in scenario.risk_shifts.items() if v["likelihood"]}
    if not moved:
        return (
            f"This briefing scores the register under {md_escape(scenario.title.lower())}; the "
            "scenario shifts no category's likelihood, so the scores are the register's own."
        )
    words = [
        f"{md_escape(c)} {'up' if v['likelihood'] > 0 else 'down'} "
        f"{abs(v['likelihood'])} step{'s' if abs(v['likelihood']) > 1 else ''}"
        for c, v in moved.items()
    ]
    return (
        f"This briefing scores the register under the {md_escape(scenario.title.lower())} "
        f"scenario, so its numbers differ from the baseline's for stated reasons: likelihoods "
        f"move {', '.join(words)} (an analyst's illustrative assessment; the reasons are below)."
    )


def shifts_table(scenario: Any) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Category": c,
                "Likelihood shift": f"{v['likelihood']:+d}" if v["likelihood"] else "none",
                "Why": v["rationale"],
            }
            for c, v in scenario.risk_shifts.items()
        ]
    )
