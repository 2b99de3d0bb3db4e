"""Risk scoring with uncertainty: the 5x5 matrix, bands, sampling, category roll-up, changes.

Pure functions: validated frames in (``riskbrief.register``), frames, dicts and prose out.

Scales and score
    Likelihood and impact are each scored 1 (lowest) to 5 (highest). A risk's score is
    likelihood x impact, from 1 to 25: the conventional 5x5 risk matrix.

Bands (defined once, in :data:`BANDS`)
    Low 1-4, Moderate 5-9, High 10-15, Critical 16-25. On whole-number scores these are the
    products a 5x5 matrix can take; Critical therefore needs both scales at 4 or above (4x4,
    4x5, 5x5), and High holds 3x4, 3x5 and 2x5. Sampled scores are not whole numbers, so the
    bands are applied by their lower bounds: a score is in the highest band whose lower bound
    (1, 5, 10, 16) it reaches; 15.9 is High, 16.0 Critical.

A risk's band
    The band of its most-likely score (likelihood_mode x impact_mode): where the analyst put
    it on the matrix. Sampling says how sure that is (interval, P(Critical)); it does not move
    the band, because the product of two uncertain scales has a median below the product of
    their modes even when each scale is symmetric, which would demote a risk the analyst
    placed squarely in a Critical cell.

Uncertainty
    Each scale is drawn from a beta-PERT distribution (Vose, "Risk Analysis", 2008; shape
    lambda = 4) on [low, high] with the analyst's mode. PERT puts more weight near the mode
    than a triangular distribution, so the most-likely value dominates while the tails keep
    the analyst's plausible range. A scale with low = high is that value exactly. Likelihood
    and impact are drawn independently, and risks are independent of each other. Each risk's
    draws come from its own random stream, seeded by the section seed and the risk's id, so
    adding, removing or reordering other risks leaves its numbers unchanged. Per risk: median
    score, 80% interval (10th to 90th percentile) and P(Critical) = share of draws scoring 16
    or more.

Ranking
    By most-likely score, then by expected score (the product of the two PERT means, exact
    for independent scales), then by id: deterministic, so identical estimates never swap
    places on sampling noise.

Category roll-up
    A category's rating is the band of its most serious risk (highest most-likely score): a
    category is as serious as its worst risk. Beside it, P(any Critical): the share of draws in
    which at least one of the category's risks scores Critical. The rating is then set beside
    the source article's urgency; a range such as "Moderate to High" agrees with any band in it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from riskbrief.narrative import ICD203_SOURCE, estimative_phrase, md_escape, num, pct
from riskbrief.paths import display_path
from riskbrief.register import CATEGORIES, MIT_TAXONOMY_SOURCE, SCALE_MAX, SCALE_MIN

EN_DASH = "\u2013"
TIMES = "\u00d7"


@dataclass(frozen=True)
class Band:
    name: str
    lower: int  # lowest whole-number score in the band
    upper: int  # highest whole-number score in the band


#: The risk bands, lowest first. The one place the thresholds are defined.
BANDS: tuple[Band, ...] = (
    Band("Low", 1, 4),
    Band("Moderate", 5, 9),
    Band("High", 10, 15),
    Band("Critical", 16, 25),
)
BAND_NAMES: tuple[str, ...] = tuple(b.name for b in BANDS)
_LOWER = np.array([b.lower for b in BANDS], dtype=float)
#: Lowest score in the Critical band.
CRITICAL_SCORE: int = BANDS[-1].lower

#: PERT shape parameter (weight of the mode); 4 is the standard choice.
PERT_LAMBDA = 4.0
#: The interval reported for every sampled quantity: 10th to 90th percentile.
INTERVAL = (0.10, 0.90)


def band(score: float) -> str:
    """The band of one score (whole or sampled)."""
    return BAND_NAMES[band_index(score)]


def band_index(score: float | np.ndarray) -> Any:
    """0 (Low) to 3 (Critical): the highest band whose lower bound the score reaches."""
    idx = np.searchsorted(_LOWER, score, side="right") - 1
    return np.clip(idx, 0, len(BANDS) - 1)


def band_steps(a: str, b: str) -> int:
    """How many bands ``a`` is above ``b`` (negative when below)."""
    return BAND_NAMES.index(a) - BAND_NAMES.index(b)


# --- sampling ------------------------------------------------------------------------------


def pert_shape(low, mode, high, lam: float = PERT_LAMBDA) -> tuple[np.ndarray, np.ndarray]:
    """Beta shape parameters (alpha, beta) of PERT(low, mode, high); (1, 1) where low = high."""
    low, mode, high = (np.asarray(x, dtype=float) for x in (low, mode, high))
    width = high - low
    safe = np.where(width > 0, width, 1.0)
    alpha = np.where(width > 0, 1 + lam * (mode - low) / safe, 1.0)
    beta = np.where(width > 0, 1 + lam * (high - mode) / safe, 1.0)
    return alpha, beta


def sample_pert(rng: np.random.Generator, low, mode, high, size: int) -> np.ndarray:
    """``size`` draws from PERT(low, mode, high) for each of a vector of three-point estimates:
    shape (size, n). A zero-width estimate (low = high) gives that value in every draw."""
    low, mode, high = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (low, mode, high))
    alpha, beta = pert_shape(low, mode, high)
    unit = rng.beta(alpha, beta, size=(size, low.size))
    return low + unit * (high - low)


def risk_stream(seed: int, risk_id: str) -> np.random.Generator:
    """The random stream of one risk: depends on the seed and the id only."""
    return np.random.default_rng([int(seed), zlib.crc32(risk_id.encode("utf-8"))])


@dataclass(frozen=True)
class Draws:
    """Sampled scales and scores, one column per risk (in ``ids`` order), one row per draw."""

    ids: tuple[str, ...]
    likelihood: np.ndarray
    impact: np.ndarray
    seed: int
    score: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", self.likelihood * self.impact)

    @property
    def n_draws(self) -> int:
        return self.score.shape[0]

    def columns(self, ids: Iterable[str]) -> np.ndarray:
        pos = {r: i for i, r in enumerate(self.ids)}
        return self.score[:, [pos[r] for r in ids]]


def simulate(register: pd.DataFrame, draws: int, seed: int) -> Draws:
    """Draw likelihood and impact for every risk of a validated register.

    Each risk's draws come from its own stream (:func:`risk_stream`) and are drawn as whole
    vectors; scores, quantiles and probabilities are computed on the full (draws x risks)
    matrix at once. 10,000 draws of 100 risks take a few tens of milliseconds.
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    ids = tuple(register["id"])
    like = np.empty((draws, len(ids)))
    imp = np.empty((draws, len(ids)))
    for j, row in enumerate(register.itertuples(index=False)):
        rng = risk_stream(seed, row.id)
        like[:, j] = sample_pert(
            rng, row.likelihood_low, row.likelihood_mode, row.likelihood_high, draws
        )[:, 0]
        imp[:, j] = sample_pert(rng, row.impact_low, row.impact_mode, row.impact_high, draws)[:, 0]
    return Draws(ids=ids, likelihood=like, impact=imp, seed=seed)


# --- per-risk summary and ranking ------------------------------------------------------------

_SUMMARY_KEEP = (
    "id",
    "title",
    "category",
    "subdomain",
    "trend",
    "likelihood_low",
    "likelihood_mode",
    "likelihood_high",
    "impact_low",
    "impact_mode",
    "impact_high",
)


def summarise(register: pd.DataFrame, draws: Draws) -> pd.DataFrame:
    """One row per risk: most-likely ``score`` and ``band``, sampled ``median``, ``p10``,
    ``p90`` and ``p_critical``; ranked (``rank`` 1 = most serious) and sorted by rank.

    Also ``expected``: the expected score under the PERT distributions, E[L] x E[I] with
    E = (low + 4 mode + high) / 6 (exact, since the two scales are drawn independently).

    Ranking: most-likely score, then expected score, then id. Both keys are exact, so two
    risks with the same estimates never swap places on sampling noise.
    """
    if tuple(register["id"]) != draws.ids:
        raise ValueError("draws were made for a different register")
    out = register.loc[:, list(_SUMMARY_KEEP)].copy()
    out["score"] = out["likelihood_mode"] * out["impact_mode"]
    out["band"] = [band(s) for s in out["score"]]
    lo, med, hi = np.quantile(draws.score, [INTERVAL[0], 0.5, INTERVAL[1]], axis=0)
    out["median"] = med
    out["p10"] = lo
    out["p90"] = hi
    out["p_critical"] = (draws.score >= CRITICAL_SCORE).mean(axis=0)
    out["expected"] = pert_mean(out, "likelihood") * pert_mean(out, "impact")
    return rank(out)


def pert_mean(frame: pd.DataFrame, scale: str) -> pd.Series:
    """Mean of the PERT distribution of ``scale`` ('likelihood' or 'impact') for every row."""
    low, mode, high = (frame[f"{scale}_{p}"] for p in ("low", "mode", "high"))
    return (low + PERT_LAMBDA * mode + high) / (PERT_LAMBDA + 2)


def rank(summary: pd.DataFrame) -> pd.DataFrame:
    """Sorted most serious first, with a 1-based ``rank`` column."""
    out = summary.sort_values(
        ["score", "expected", "id"], ascending=[False, False, True]
    ).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def score_register(register: pd.DataFrame, draws: int, seed: int) -> tuple[pd.DataFrame, Draws]:
    """Simulate and summarise in one call: (ranked summary, draws)."""
    d = simulate(register, draws, seed)
    return summarise(register, d), d


def band_counts(summary: pd.DataFrame) -> dict[str, int]:
    """Number of risks per band, every band present (lowest first)."""
    counts = summary["band"].value_counts()
    return {b: int(counts.get(b, 0)) for b in BAND_NAMES}


# --- category roll-up and the article's urgency --------------------------------------------


def compare_with_urgency(rating: str, low: str | None, high: str | None) -> tuple[str, int]:
    """Set a band beside an urgency range: ('agrees' | 'higher' | 'lower' | 'not rated', steps).

    ``steps`` is how many bands the rating lies outside the range (0 when it agrees).
    """
    if low is None or high is None:
        return "not rated", 0
    if band_steps(rating, low) < 0:
        return "lower", band_steps(rating, low)
    if band_steps(rating, high) > 0:
        return "higher", band_steps(rating, high)
    return "agrees", 0


def category_rollup(
    summary: pd.DataFrame, draws: Draws, urgency: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per category present in the register (in :data:`CATEGORIES` order).

    Columns: ``category``, ``n_risks``, ``n_critical`` (risks Critical at their most likely
    score), ``rating`` (band of the most serious risk), ``top_id``, ``top_title``,
    ``top_score``, ``top_median``, ``top_p10``, ``top_p90``, ``p_any_critical``, and from the
    article: ``article_urgency`` (text or None), ``agreement`` and ``steps``.
    """
    by_cat = {}
    if urgency is not None:
        by_cat = {
            r.category: (r.urgency, r.urgency_low, r.urgency_high)
            for r in urgency.itertuples(index=False)
        }
    order = [c for c in CATEGORIES if c in set(summary["category"])]
    order += sorted(set(summary["category"]) - set(order))
    rows = []
    for cat in order:
        risks = summary[summary["category"] == cat]  # already ranked
        top = risks.iloc[0]
        scores = draws.columns(risks["id"])
        text, low, high = by_cat.get(cat, (None, None, None))
        agreement, steps = compare_with_urgency(top["band"], low, high)
        rows.append(
            {
                "category": cat,
                "n_risks": len(risks),
                "n_critical": int((risks["band"] == "Critical").sum()),
                "rating": top["band"],
                "top_id": top["id"],
                "top_title": top["title"],
                "top_score": int(top["score"]),
                "top_median": float(top["median"]),
                "top_p10": float(top["p10"]),
                "top_p90": float(top["p90"]),
                "p_any_critical": float((scores >= CRITICAL_SCORE).any(axis=1).mean()),
                "article_urgency": text,
                "agreement": agreement,
                "steps": steps,
            }
        )
    return pd.DataFrame(rows)


# --- change since the previous edition ------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """What moved since the previous edition's results JSON."""

    compared: bool  # False when there was no previous edition to compare with
    moved: list[dict[str, Any]]  # id, title, old_band, new_band, direction ('up' | 'down')
    new: list[dict[str, Any]]  # id, title, band
    retired: list[dict[str, Any]]  # id, title, band (as last published)

    @property
    def any(self) -> bool:
        return bool(self.moved or self.new or self.retired)


def detect_changes(summary: pd.DataFrame, previous: Mapping[str, Any] | None) -> Changes:
    """Compare this edition's risks with the ``risks`` of the previous results JSON.

    A risk moved if its band differs; it is new if its id was not there before, retired if an
    id from before is gone. Order: as ranked now (moved, new), by id (retired).
    """
    if previous is None:
        return Changes(compared=False, moved=[], new=[], retired=[])
    before: Mapping[str, Mapping[str, Any]] = previous.get("risks") or {}
    moved, new = [], []
    for r in summary.itertuples(index=False):
        old = before.get(r.id)
        if old is None:
            new.append({"id": r.id, "title": r.title, "band": r.band})
        elif old.get("band") != r.band:
            old_band = old.get("band")
            direction = (
                "up" if old_band in BAND_NAMES and band_steps(r.band, old_band) > 0 else "down"
            )
            moved.append(
                {
                    "id": r.id,
                    "title": r.title,
                    "old_band": old_band,
                    "new_band": r.band,
                    "direction": direction,
                }
            )
    current = set(summary["id"])
    retired = [
        {"id": rid, "title": old.get("title", rid), "band": old.get("band")}
        for rid, old in sorted(before.items())
        if rid not in current
    ]
    return Changes(compared=True, moved=moved, new=new, retired=retired)


# --- prose -------------------------------------------------------------------------------------

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


def _band_move(m: Mapping[str, Any]) -> str:
    what = f"{md_escape(m['title'])} ({md_escape(m['id'])})"
    return f"{what} moved {m['direction']} from {m['old_band']} to {m['new_band']}"


def changes_paragraph(changes: Changes) -> str:
    """What changed since the last edition, in one short paragraph."""
    if not changes.compared:
        return "This is the first edition of the register: there is no earlier one to compare with."
    if not changes.any:
        return "No risk changed band since the last edition, and none was added or retired."
    parts = []
    if changes.moved:
        parts.append(
            "Since the last edition, " + "; ".join(_band_move(m) for m in changes.moved) + "."
        )
    if changes.new:
        parts.append(
            "Added: "
            + "; ".join(
                f"{md_escape(r['title'])} ({md_escape(r['id'])}, {r['band']})" for r in changes.new
            )
            + "."
        )
    if changes.retired:
        parts.append(
            "Retired: "
            + "; ".join(f"{md_escape(r['title'])} ({md_escape(r['id'])})" for r in changes.retired)
            + "."
        )
    return " ".join(parts)


# --- tables and results ----------------------------------------------------------------------


def changes_table(changes: Changes) -> pd.DataFrame:
    """Every change since the last edition as a reader-ready table (empty when none)."""
    rows = [
        (f"{m['title']} ({m['id']})", f"moved {m['direction']}", m["old_band"], m["new_band"])
        for m in changes.moved
    ]
    rows += [(f"{r['title']} ({r['id']})", "added", EN_DASH, r["band"]) for r in changes.new]
    rows += [(f"{r['title']} ({r['id']})", "retired", r["band"], EN_DASH) for r in changes.retired]
    return pd.DataFrame(rows, columns=["Risk", "Change", "Band before", "Band now"])


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
    summary: pd.DataFrame, rollup: pd.DataFrame, changes: Changes, *, draws: int, seed: int
) -> dict[str, Any]:
    """The numbers the cover, key judgments and change log need."""
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
        "compared_with_previous": changes.compared,
        "n_band_changes": len(changes.moved),
        "n_new_risks": len(changes.new),
        "n_retired_risks": len(changes.retired),
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
