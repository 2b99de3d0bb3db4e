"""Prose the build generates from numbers: words of estimative probability, analytic
confidence, and number formatting honest about Monte Carlo noise.

Likelihood and confidence are kept apart, as ICD 203 asks:

- **likelihood** words follow the ICD 203 (2015) scale, bands as the directive gives them
  (almost no chance 1–5%, … almost certain 95–99%); a phrase is always computed from its
  number, never typed; numbers below 1% or above 99% print as "<1%" and ">99%";
- **confidence** (high, moderate, low) is derived from the quality and impact ratings of the
  assumptions a judgment rests on (``docs/assumptions.md``), see :func:`confidence`.

Monte Carlo estimates are printed no finer than their standard error supports: the finest
step (0.1, 1, 5 or 10 percentage points; 0.1, 0.5 or 1 score point) at which twice the
standard error is at most half a step (:func:`resolution`).
"""

from __future__ import annotations

import math
from html import escape

#: ICD 203 words of estimative probability: (upper bound, exclusive; phrase). The directive's
#: bands run from 1% to 99%; the first and last phrase also cover what lies beyond them.
ICD203_SCALE: tuple[tuple[float, str], ...] = (
    (0.05, "almost no chance"),
    (0.20, "very unlikely"),
    (0.45, "unlikely"),
    (0.55, "roughly even chance"),
    (0.80, "likely"),
    (0.95, "very likely"),
    (math.inf, "almost certain"),
)
#: The lowest and highest probability the scale's bands name (ICD 203: 1% and 99%).
ICD203_RANGE = (0.01, 0.99)
ICD203_SOURCE = (
    "Office of the Director of National Intelligence, Intelligence Community Directive 203, "
    "Analytic Standards (2015), estimative language scale"
)


def estimative_phrase(probability: float) -> str:
    """The ICD 203 phrase for a probability in [0, 1]."""
    if not 0.0 <= probability <= 1.0 or math.isnan(probability):
        raise ValueError(f"probability must be in [0, 1], got {probability!r}")
    for upper, phrase in ICD203_SCALE:
        if probability < upper:
            return phrase
    raise AssertionError("unreachable")  # pragma: no cover


def scale_table() -> list[tuple[str, str]]:
    """The scale as (phrase, range) rows for the methods appendix: ICD 203's own bands."""
    rows = []
    lower = ICD203_RANGE[0]
    for upper, phrase in ICD203_SCALE:
        hi = ICD203_RANGE[1] if math.isinf(upper) else upper
        rows.append((phrase, f"{lower:.0%}–{hi:.0%}"))
        lower = upper
    return rows


def pct(p: float, digits: int = 0) -> str:
    """A probability as a percentage: 0.4567 -> '46%'; below 1% or above 99% (at whole
    points) as '<1%' and '>99%', as the estimative scale does."""
    if digits == 0 and 0 < p < 0.005:
        return "<1%"
    if digits == 0 and 0.995 <= p < 1:
        return ">99%"
    return f"{100 * p:.{digits}f}%"


# --- Monte Carlo precision -------------------------------------------------------------------

#: Steps a Monte Carlo probability may be printed at: 1, 5 or 10 percentage points (never
#: finer: a tenth of a point would claim more than stylised models under illustrative
#: parameters can say, whatever the number of draws).
PCT_STEPS: tuple[float, ...] = (0.01, 0.05, 0.10)
#: Steps a Monte Carlo risk score (1-25) may be printed at.
SCORE_STEPS: tuple[float, ...] = (0.1, 0.5, 1.0)
PRECISION_RULE = (
    "Monte Carlo estimates are printed no finer than their standard error allows: at the finest "
    "of 1, 5 or 10 percentage points (scores: 0.1, 0.5 or 1 point) at which twice the standard "
    "error is at most half a step, and a number and its interval at the same step. Standard "
    "errors come from 20 batches of the draws (shares: the binomial formula)."
)


def resolution(se: float, steps: tuple[float, ...] = PCT_STEPS) -> float:
    """The finest step at which ±2 standard errors stay within half a step (else the
    coarsest)."""
    for step in steps:
        if 4 * se <= step:
            return step
    return steps[-1]


def mc_pct(p: float, se: float, *, step: float | None = None) -> str:
    """A Monte Carlo probability printed at the resolution its standard error supports (or at
    ``step``, when a number and its interval share one)."""
    step = step or resolution(se)
    shown = round(p / step) * step
    if shown <= 0:
        return "<1%" if step <= 0.01 else f"<{pct(step)}"
    if shown >= 1:
        return ">99%" if step <= 0.01 else f">{pct(1 - step)}"
    return pct(shown)


def mc_interval(lo: float, hi: float, se_lo: float, se_hi: float) -> str:
    """'lo–hi' for two Monte Carlo probabilities, at the coarser of their resolutions."""
    step = max(resolution(se_lo), resolution(se_hi))
    return f"{mc_pct(lo, se_lo, step=step)}–{mc_pct(hi, se_hi, step=step)}"


def mc_estimate(
    mid: float, lo: float, hi: float, ses: tuple[float, float, float]
) -> tuple[str, str]:
    """A Monte Carlo estimate and its interval ('82%', '72%–88%'), all three at one step: the
    coarsest any of them needs."""
    step = max(resolution(se) for se in ses)
    return mc_pct(mid, ses[0], step=step), (
        f"{mc_pct(lo, ses[1], step=step)}–{mc_pct(hi, ses[2], step=step)}"
    )


def mc_score(x: float, se: float, *, step: float | None = None) -> str:
    """A Monte Carlo risk score (1-25) at the resolution its standard error supports."""
    step = step or resolution(se, SCORE_STEPS)
    digits = 1 if step < 1 else 0
    return f"{round(x / step) * step:.{digits}f}"


# --- analytic confidence ---------------------------------------------------------------------

CONFIDENCE_LEVELS: tuple[str, ...] = ("low", "moderate", "high")
CONFIDENCE_RULE = (
    "Confidence is separate from likelihood: it says how far the evidence and assumptions "
    "behind a judgment can be trusted, not how probable the event is. Each judgment names the "
    "assumptions it rests on (docs/assumptions.md); one rated Red for quality with Amber or Red "
    "impact makes confidence low; one rated Amber for quality with Red impact, or Red for "
    "quality with Green impact, makes it moderate at best; otherwise it is high."
)


def assumption_confidence(quality: str, impact: str) -> str:
    """How much confidence one assumption allows (see :data:`CONFIDENCE_RULE`)."""
    if quality == "Red":
        return "low" if impact in ("Red", "Amber") else "moderate"
    if quality == "Amber" and impact == "Red":
        return "moderate"
    return "high"


def confidence(assumption_ids: list[str], ratings: dict[str, tuple[str, str]]) -> str:
    """The confidence a judgment resting on ``assumption_ids`` allows: the weakest of them.
    ``ratings`` maps an assumption id to its (quality, impact). Unknown ids are an error."""
    unknown = [a for a in assumption_ids if a not in ratings]
    if unknown:
        raise ValueError(f"unknown assumption ids {unknown} (known: {', '.join(ratings)})")
    levels = [assumption_confidence(*ratings[a]) for a in assumption_ids] or ["high"]
    return min(levels, key=CONFIDENCE_LEVELS.index)


def num(x: float, digits: int = 1) -> str:
    """A number with a fixed number of decimals and thousands separators."""
    return f"{x:,.{digits}f}"


def interval(lo: float, hi: float, fmt=pct) -> str:
    """An interval as 'lo–hi' with the given formatter."""
    return f"{fmt(lo)}–{fmt(hi)}"


def md_escape(text: object) -> str:
    """Text from data made safe for a Markdown output: HTML-escaped, Markdown punctuation neutralised."""
    s = escape(str(text), quote=False)
    for ch in "\\`*_[]#|":
        s = s.replace(ch, "\\" + ch)
    return s


def html_escape(text: object) -> str:
    """Text from data made safe for HTML."""
    return escape(str(text), quote=True)
