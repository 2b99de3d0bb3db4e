"""The risk-summary section in words and reader tables: category paragraphs, key judgments,
the top-risks and roll-up tables, the results JSON's numbers, the methods and source line.

Every sentence is generated from the numbers of :mod:`riskbrief.risk`; nothing is typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from riskbrief.narrative import ICD203_SOURCE, estimative_phrase, md_escape, num, pct
from riskbrief.paths import display_path
from riskbrief.register import MIT_TAXONOMY_SOURCE, SCALE_MAX, SCALE_MIN
from riskbrief.risk import BANDS, CRITICAL_SCORE, EN_DASH, PERT_LAMBDA, TIMES, band_counts

_SMALL = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int) -> str:
    return _SMALL[n] if 0 <= n < len(_SMALL) else str(n)


def _score(x: float) -> str:
    return num(x, 1)


def _interval(lo: float, hi: float) -> str:
    return f"{_score(lo)}{EN_DASH}{_score(hi)}"


def probability_clause(p: float, clause: str) -> str:
    """'It is very likely (91%) that <clause>' with the ICD 203 phrase computed from ``p``."""
    phrase = estimative_phrase(p)
    if phrase == "almost no chance":
        return f"There is almost no chance ({pct(p)}) that {clause}"
    if phrase == "roughly even chance":
        return f"There is a roughly even chance ({pct(p)}) that {clause}"
    return f"It is {phrase} ({pct(p)}) that {clause}"


def _article_sentence(row: Mapping[str, Any]) -> str:
    urgency, rating = row["article_urgency"], row["rating"]
    agreement = row["agreement"]
    if agreement == "not rated":
        return "The source article gives no urgency for this category."
    if agreement == "agrees":
        if " to " in urgency:
            return f"The article rates it {urgency}; the register's {rating} falls in that range."
        return f"The article rates it {urgency} too."
    steps = abs(row["steps"])
    how = "one band" if steps == 1 else f"{_count(steps)} bands"
    side = "higher" if agreement == "higher" else "lower"
    return f"The article rates it {urgency}; the register puts it {how} {side}, at {rating}."


def category_paragraph(row: Mapping[str, Any]) -> str:
    """A short analyst's paragraph on one category, from its :func:`category_rollup` row."""
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
        f"{_score(row['top_median'])} of 25, "
        f"80% interval {_interval(row['top_p10'], row['top_p90'])}."
    )
    prob = probability_clause(row["p_any_critical"], "at least one of its risks is Critical.")
    return f"**{cat}: {row['rating']}.** {count} {lead} {prob} {_article_sentence(row)}"


def category_paragraphs(rollup: pd.DataFrame) -> dict[str, str]:
    """Paragraph per category, in roll-up order."""
    return {r["category"]: category_paragraph(r) for r in rollup.to_dict("records")}


def key_judgments(rollup: pd.DataFrame, anchor: str = "risk-summary") -> list[dict[str, Any]]:
    """Key-judgment sentences for the briefing's first page, most certain first.

    One per Critical category: how likely it is to hold a Critical risk and its most serious
    risk's median score with 80% interval. If no category is Critical, one on the most
    serious category instead. ``value``/``interval`` are that risk's median score and interval;
    ``probability`` and ``phrase`` the chance of a Critical risk in the category.
    """
    crit = rollup[rollup["rating"] == "Critical"].sort_values(
        ["p_any_critical", "top_median"], ascending=False
    )
    chosen = crit if len(crit) else rollup.sort_values("top_median", ascending=False).head(1)
    out = []
    for r in chosen.to_dict("records"):
        p = r["p_any_critical"]
        lead = probability_clause(p, f"{r['category']} holds at least one Critical risk")
        text = (
            f"{lead}: its most serious, {r['top_title']}, scores a median "
            f"{_score(r['top_median'])} of 25 (80% interval "
            f"{_interval(r['top_p10'], r['top_p90'])})."
        )
        out.append(
            {
                "text": text,
                "anchor": anchor,
                "value": round(r["top_median"], 2),
                "interval": [round(r["top_p10"], 2), round(r["top_p90"], 2)],
                "probability": round(p, 4),
                "phrase": estimative_phrase(p),
                "category": r["category"],
            }
        )
    return out


# --- tables and results ----------------------------------------------------------------------


def top_risks_table(summary: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The ``top_n`` most serious risks, formatted for readers."""
    top = summary.head(top_n)
    return pd.DataFrame(
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
                f"{_score(m)} ({_interval(lo, hi)})"
                for m, lo, hi in zip(top["median"], top["p10"], top["p90"], strict=True)
            ],
            "P(Critical)": [pct(p) for p in top["p_critical"]],
            "Trend": top["trend"],
        }
    )


def rollup_table(rollup: pd.DataFrame) -> pd.DataFrame:
    """The category roll-up beside the article's urgency, formatted for readers."""
    return pd.DataFrame(
        {
            "Category": rollup["category"],
            "Risks": rollup["n_risks"].astype(str),
            "Critical": rollup["n_critical"].astype(str),
            "Register rating": rollup["rating"],
            "P(any Critical)": [pct(p) for p in rollup["p_any_critical"]],
            "Article's urgency": rollup["article_urgency"].fillna("not rated"),
            "Comparison": rollup["agreement"],
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
            "p_critical": round(float(r.p_critical), 4),
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


def methods(*, draws: int, seed: int) -> dict[str, Any]:
    """How the scores were made, for the methods appendix (each entry one or two sentences)."""
    bands = ", ".join(f"{b.name} {b.lower}{EN_DASH}{b.upper}" for b in BANDS)
    return {
        "scales": (
            f"Likelihood and impact are each scored {SCALE_MIN} (lowest) to {SCALE_MAX} "
            "(highest) by the analyst as a three-point estimate: lowest plausible, most likely "
            "and highest plausible."
        ),
        "score": (
            f"A risk's score is likelihood {TIMES} impact on the 5{TIMES}5 matrix, from 1 to 25. "
            "Its band is the band of its most-likely score."
        ),
        "bands": (
            f"Bands: {bands}. Sampled scores take the highest band whose lower bound they reach."
        ),
        "sampling": (
            f"Each scale is drawn from a beta-PERT distribution (shape {PERT_LAMBDA:g}) on the "
            f"analyst's range, {draws:,} draws per risk, likelihood and impact independent. "
            "Reported: the median score, the 80% interval (10th to 90th percentile) and "
            f"P(Critical), the share of draws scoring {CRITICAL_SCORE} or more."
        ),
        "seed": (
            f"Seed {seed}; each risk has its own random stream derived from the seed and its id, "
            "so results are reproducible and one risk's edit does not move another's numbers."
        ),
        "ranking": (
            "Risks are ranked by most-likely score, then by expected score (the product of "
            "the PERT means of likelihood and impact), then by id."
        ),
        "rollup": (
            "A category's rating is the band of its most serious risk; P(any Critical) is the "
            "share of draws in which at least one of its risks is Critical."
        ),
        "article_comparison": (
            "Each rating is set beside the source article's urgency for the category; a range "
            "such as 'Moderate to High' agrees with either band in it."
        ),
        "estimative_language": ICD203_SOURCE,
        "taxonomy": MIT_TAXONOMY_SOURCE,
        "draws": draws,
        "seed_value": seed,
    }


def methods_text(m: Mapping[str, Any]) -> str:
    """The methods as one Markdown paragraph."""
    keys = (
        "scales",
        "score",
        "bands",
        "sampling",
        "seed",
        "ranking",
        "rollup",
        "article_comparison",
    )
    words = " ".join(m[k] for k in keys)
    return (
        f"{words} Probabilities are worded on the ICD 203 scale of estimative language. "
        f"Subdomain codes follow the MIT AI Risk Repository taxonomy."
    )


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
