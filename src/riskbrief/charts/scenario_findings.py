"""The scenario charts' findings: the sentence each chart of :mod:`riskbrief.charts.scenarios`
states as its title (:func:`riskbrief.charts.state_finding`), computed from the numbers the
chart draws and printed as the scenarios section's text prints them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from riskbrief import sampling
from riskbrief.narrative import pct
from riskbrief.narrative.scenarios import _times, iv_of, p_of, swing_points

#: Who knows what, as a finding's subject.
_REGIME_SUBJECTS = {
    "none": "Knowing no one's capabilities",
    "private": "Knowing only one's own capabilities",
    "public": "Knowing everyone's capabilities",
}


def _name(title: str) -> str:
    """A scenario named in a chart's title: 'Arms race' -> 'the arms race'."""
    return f"the {title[:1].lower()}{title[1:]}"


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def precipice_title(grid: pd.DataFrame, points: pd.DataFrame) -> str:
    """The precipice map's finding: the safest information regime over the map, and where the
    riskiest and the safest scenario sit at their most-likely values."""
    safest = grid.groupby("information")["p"].mean().idxmin()
    head = f"{_REGIME_SUBJECTS[safest]} is safest across the map"
    if points.empty:
        return head
    ordered = points.sort_values("disaster", ascending=False, kind="stable")
    hi, lo = ordered.iloc[0], ordered.iloc[-1]
    if len(ordered) == 1:
        return (
            f"{head}; at its most-likely values {_name(hi['title'])} sits where an unsafe first "
            f"AI is {pct(hi['disaster'])} likely"
        )
    return (
        f"{head}; at their most-likely values an unsafe first AI is {pct(hi['disaster'])} likely "
        f"in {_name(hi['title'])}, {pct(lo['disaster'])} in {_name(lo['title'])}"
    )


def comparison_title(summary: pd.DataFrame, draws: Mapping[str, np.ndarray]) -> str:
    """The comparison's finding, in the numbers the section prints: how many times as likely an
    unsafe first AI is in the riskiest scenario as in the safest (the paired ratio of the
    draws, :func:`riskbrief.sampling.compare`), with the two medians."""
    rows = {r["id"]: r for r in summary.to_dict("records")}
    pair = sampling.comparison_pair(summary)
    if pair is None:
        r = next(iter(rows.values()))
        return (
            f"An unsafe first AI: a median {p_of(r)} in {_name(r['title'])} "
            f"(80% interval {iv_of(r)})"
        )
    hi, lo = rows[pair[0]], rows[pair[1]]
    ratio = sampling.compare_draws(draws, *pair)
    both = f"{p_of(hi)} against {p_of(lo)}"
    if ratio["ratio"]["median"] is None:
        return (
            f"An unsafe first AI is far likelier in {_name(hi['title'])} than in "
            f"{_name(lo['title'])}: a median {both}"
        )
    times = _times(ratio["ratio"]["median"], ratio["ratio_median_se"])
    return (
        f"An unsafe first AI is {times} times as likely in {_name(hi['title'])} as in "
        f"{_name(lo['title'])}: a median {both}"
    )


def tornado_title(sensitivity: pd.DataFrame, title: str) -> str:
    """The tornado's finding: the parameter that moves the risk most, and by how much (its
    swing in percentage points, as the section's text prints it)."""
    scenario = f"the {title[:1].lower()}{title[1:]} scenario"
    if sensitivity.empty:
        return f"No parameter of {scenario} has a range to test"
    top = sensitivity.iloc[0]
    label = str(top["label"])
    return (
        f"{label[:1].upper()}{label[1:]} moves the risk most in {scenario}: a swing of "
        f"{swing_points(top['swing'])} points"
    )


#: What each DSAIR zone means for safety, in a few words.
_ZONE_FINDINGS = {
    "compliance": "safety pays on its own",
    "dilemma": "safety needs agreement",
    "innovation": "cutting corners pays",
}


def dsair_title(points: pd.DataFrame) -> str:
    """The zone chart's finding: the zone each scenario's most-likely values fall in, safest
    zone first."""
    by_zone: dict[str, list[str]] = {}
    for p in points.itertuples(index=False):
        by_zone.setdefault(str(p.zone), []).append(_name(p.title))
    rank = {z: i for i, z in enumerate(_ZONE_FINDINGS)}
    order = sorted(by_zone, key=lambda z: rank.get(z, len(rank)))
    parts = []
    for i, zone in enumerate(order):
        names = by_zone[zone]
        verb = ("sits " if len(names) == 1 else "sit ") if i == 0 else ""
        meaning = f" ({_ZONE_FINDINGS[zone]})" if zone in _ZONE_FINDINGS else ""
        parts.append(f"{_and(names)} {verb}in the {zone} zone{meaning}")
    return "At the most-likely values " + "; ".join(parts)


def richardson_title(traj: pd.DataFrame) -> str:
    """The trajectories' finding: in which scenarios the build-up runs away and in which it
    levels off, at the most-likely values."""
    verdicts: dict[str, list[str]] = {}
    for sid in dict.fromkeys(traj["scenario"]):
        d = traj[traj["scenario"] == sid]
        verdicts.setdefault(str(d["stability"].iloc[0]), []).append(_name(d["title"].iloc[0]))
    words = {"runaway": "runs away", "stable": "levels off"}
    parts = [f"{words.get(k, k)} in {_and(v)}" for k, v in sorted(verdicts.items(), reverse=True)]
    return f"At the most-likely values the build-up of AI effort {'; it '.join(parts)}"
