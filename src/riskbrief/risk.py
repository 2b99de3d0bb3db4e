"""Risk scoring with uncertainty: the 5x5 matrix, bands, sampling and the category roll-up.

Pure functions: validated frames in (``riskbrief.register``), frames and numbers out. The
words are in :mod:`riskbrief.narrative.risk`, the charts in :mod:`riskbrief.charts.risk`.

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from riskbrief.register import CATEGORIES, SCALE_MAX, SCALE_MIN

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
#: Batches of draws the standard errors of quantiles are estimated from.
SE_BATCHES = 20


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
    qs = [INTERVAL[0], 0.5, INTERVAL[1]]
    lo, med, hi = np.quantile(draws.score, qs, axis=0)
    out["median"] = med
    out["p10"] = lo
    out["p90"] = hi
    # Monte Carlo standard errors: quantiles from batches of draws, shares binomial
    batches = [b for b in np.array_split(draws.score, SE_BATCHES, axis=0) if len(b)]
    per = np.array([np.quantile(b, qs, axis=0) for b in batches])  # batch x quantile x risk
    se = per.std(axis=0, ddof=1) / np.sqrt(len(batches))
    out["p10_se"], out["median_se"], out["p90_se"] = se[0], se[1], se[2]
    out["p_critical"] = (draws.score >= CRITICAL_SCORE).mean(axis=0)
    out["p_critical_se"] = np.sqrt(out["p_critical"] * (1 - out["p_critical"]) / draws.n_draws)
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
                "top_median_se": float(top["median_se"]),
                "top_p10_se": float(top["p10_se"]),
                "top_p90_se": float(top["p90_se"]),
                "p_any_critical": (p_any := float((scores >= CRITICAL_SCORE).any(axis=1).mean())),
                "p_any_critical_se": float(np.sqrt(p_any * (1 - p_any) / draws.n_draws)),
                "article_urgency": text,
                "agreement": agreement,
                "steps": steps,
            }
        )
    return pd.DataFrame(rows)


# --- a register conditioned on a scenario --------------------------------------------------


def condition(register: pd.DataFrame, shifts: dict[str, dict]) -> pd.DataFrame:
    """The register with each category's likelihood scores shifted by whole steps (a
    scenario's ``risk_shifts``), low, most likely and high alike, kept within the 1-5 scale.
    Categories a scenario does not name keep their scores. Returns a copy with a
    ``likelihood_shift`` column."""
    out = register.copy()
    step = out["category"].map(lambda c: int(shifts.get(c, {}).get("likelihood", 0)))
    for col in ("likelihood_low", "likelihood_mode", "likelihood_high"):
        out[col] = (out[col] + step).clip(SCALE_MIN, SCALE_MAX).astype(int)
    out["likelihood_shift"] = step.astype(int)
    return out
