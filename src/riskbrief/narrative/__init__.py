"""Prose the build generates from numbers: words of estimative probability and number formatting.

The estimative scale is the US Intelligence Community's ICD 203 (2015) scale; the
methods appendix cites it. A phrase is always computed from a probability, never typed.
"""

from __future__ import annotations

import math
from html import escape

#: ICD 203 words of estimative probability: (upper bound, exclusive; phrase).
ICD203_SCALE: tuple[tuple[float, str], ...] = (
    (0.05, "almost no chance"),
    (0.20, "very unlikely"),
    (0.45, "unlikely"),
    (0.55, "roughly even chance"),
    (0.80, "likely"),
    (0.95, "very likely"),
    (math.inf, "almost certain"),
)
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
    """The scale as (phrase, range) rows for the methods appendix."""
    rows = []
    lower = 0.0
    for upper, phrase in ICD203_SCALE:
        hi = "100%" if math.isinf(upper) else f"{upper:.0%}"
        rows.append((phrase, f"{lower:.0%}–{hi}"))
        lower = upper
    return rows


def pct(p: float, digits: int = 0) -> str:
    """A probability as a percentage: 0.4567 -> '46%'."""
    return f"{100 * p:.{digits}f}%"


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
