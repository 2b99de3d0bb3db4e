"""The summary that opens every briefing (one page): the bottom line, the key judgments, what it
means for this audience and what to watch; and the front and back matter around it: what
prompted the briefing, with a note on how far its source can be relied on, and a suggested
citation.

The bottom line is written for the briefing's audience (params: ``role``) from the sections'
results; every number in it is a number of those results, printed as the sections print it.
A sentence whose numbers a briefing does not have is left out, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskbrief.narrative import mc_estimate, mc_pct, md_escape

ROLE_READERS = {
    "policy": "policy staff",
    "security": "national-security and defence staff",
    "negotiation": "negotiators",
}


def _scenario(results: Mapping[str, Any], sid: str) -> Mapping[str, Any] | None:
    return ((results.get("scenarios") or {}).get("headline") or {}).get("scenarios", {}).get(sid)


def _risk(row: Mapping[str, Any]) -> str:
    return mc_estimate(
        row["disaster_median"],
        row["disaster_p10"],
        row["disaster_p90"],
        (row["disaster_median_se"], row["disaster_p10_se"], row["disaster_p90_se"]),
    )[0]


def _ratio(results: Mapping[str, Any]) -> str | None:
    comp = ((results.get("scenarios") or {}).get("headline") or {}).get("comparison") or {}
    r = comp.get("ratio_median")
    if r is None:
        return None
    return f"{r:.0f}" if r >= 10 else f"{r:.1f}"


def _critical(results: Mapping[str, Any]) -> list[str]:
    return ((results.get("risk_summary") or {}).get("headline") or {}).get(
        "critical_categories", []
    )


def _gap(results: Mapping[str, Any]) -> str | None:
    head = (results.get("context") or {}).get("headline") or {}
    if "benchmark_gap_median_end_2024" not in head:
        return None
    return (
        f"the lead of the best US model over the best Chinese one on public benchmarks fell "
        f"from {head['benchmark_gap_median_end_2023']:.1f} to "
        f"{head['benchmark_gap_median_end_2024']:.1f} percentage points in 2024"
    )


def bottom_line(results: Mapping[str, Any], role: str) -> str:
    """A few sentences: what is happening, why it matters to this reader, what to do."""
    arms, safe = _scenario(results, "arms-race"), _scenario(results, "safety-race")
    managed = _scenario(results, "managed-competition")
    crit = _critical(results)
    parts: list[str] = []
    race = ""
    if arms and safe:
        race = (
            f"in the racing model an unsafe first advanced AI comes out of {_risk(arms)} of "
            f"arms-race outcomes against {_risk(safe)} in a safety race"
        )
    elif arms and managed:
        race = (
            f"in the racing model an unsafe first advanced AI comes out of {_risk(arms)} of "
            f"arms-race outcomes against {_risk(managed)} under managed competition"
        )
    models_caveat = "model outputs under illustrative assumptions, held with low confidence"
    # what the options do is said only where the briefing has its options section
    options = bool(results.get("implications"))
    if role == "security":
        if arms:
            parts.append(
                "Unchecked, the US–China AI race is unstable: Richardson's model has strategic AI "
                "effort run away in "
                f"{mc_pct(arms['richardson_runaway_share'], arms['richardson_runaway_share_se'])}"
                f" of arms-race draws, and {race} ({models_caveat})."
            )
        top = _top_risk(results)
        if top and top["category"] in crit:
            parts.append(
                f"On the analysts' scores {top['category']} is Critical, and its risk "
                f"\u201c{md_escape(top['title'])}\u201d is the most serious single risk."
            )
        if options:
            parts.append(
                "What matters for crisis stability is restraint in a crisis and less fear of the "
                "other's programme: crisis communication, verification and incident reporting "
                "are the options that act on those."
            )
    elif role == "negotiation":
        if race:
            ratio = _ratio(results)
            parts.append(
                f"A safety race is the safest path the models know: {race}"
                + (f", about {ratio} times lower" if ratio else "")
                + f" ({models_caveat})."
            )
        if options:
            parts.append(
                "The order of steps matters: in the racing model, disclosing capabilities raises "
                "risk unless rivalry has already cooled, so confidence-building, verification and "
                "incident reporting come before shared capability evaluations."
            )
        parts.append(
            "Chinese researchers' own alarm about the race, and the scientists' Beijing consensus "
            "on red lines, give common ground to start from."
        )
    else:
        if race:
            parts.append(
                f"An unchecked US–China AI race is the riskiest path the models know: {race} "
                f"({models_caveat})."
            )
        if crit:
            article = _article_critical(results)
            rated = "are" if len(crit) > 1 else "is"
            line = f"On the analysts' scores, {_join(crit)} {rated} rated Critical"
            if article:
                line += f"; the source article rates {_join(article)} Critical"
            parts.append(line + ".")
        gap = _gap(results)
        if gap:
            parts.append(f"The race is tightening: {gap}.")
        if options:
            parts.append(
                "The options that move the models towards a safety race lower enmity and make "
                "unsafe practice likelier to be found out; sharing capability evaluations helps "
                "only once rivalry has cooled."
            )
    return " ".join(parts)


def _top_risk(results: Mapping[str, Any]) -> dict[str, str] | None:
    risk = results.get("risk_summary") or {}
    head = risk.get("headline") or {}
    rid = head.get("top_risk_id")
    if not rid:
        return None
    return {"title": head["top_risk_title"], "category": risk["risks"][rid]["category"]}


def _article_critical(results: Mapping[str, Any]) -> list[str]:
    cats = (results.get("risk_summary") or {}).get("categories") or {}
    return [c for c, v in cats.items() if v.get("article_urgency") == "Critical"]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def means_for_you(results: Mapping[str, Any], role: str, limit: int = 3) -> list[str]:
    """The options for this audience, each with its modelled effect where it has one (who
    acts, costs and evidence are in the options section)."""
    imp = results.get("implications") or {}
    head = (imp.get("headline") or {}).get("options") or {}
    out = []
    for o in (imp.get("options") or [])[:limit]:
        h = head.get(o["id"], {})
        change = h.get("change", "not modelled")
        effect = change if change.startswith("no") else f"modelled: {change}"
        out.append(f"{md_escape(o['title'])} ({md_escape(effect)}).")
    return out


def options_lead(results: Mapping[str, Any]) -> str | None:
    """The line before the options: the scenario their modelled effects are computed in."""
    head = ((results.get("implications") or {}).get("headline")) or {}
    title = head.get("scenario_title")
    if not title:
        return None
    return f"Modelled in the {md_escape(title.lower())} scenario (option mapping: A13)."


def what_to_watch(results: Mapping[str, Any], limit: int = 2) -> list[str]:
    imp = results.get("implications") or {}
    return [
        f"{md_escape(sp['watch'])}: {md_escape(sp['trigger'].rstrip('.'))} "
        f"({sp['direction']} the risk: {md_escape(sp['judgment'])})."
        for sp in (imp.get("signposts") or [])[:limit]
    ]


# --- what prompted the briefing, and how to cite it ---------------------------------------------


def prompted_markdown(source: Mapping[str, Any]) -> str:
    """ "What prompted this briefing": who said what, when, and how far to rely on it."""
    e = md_escape
    return "\n".join(
        [
            "## What prompted this briefing {#prompted}",
            "",
            f"**Who and when.** {e(source['who']).capitalize()}, as reported by {e(source['outlet'])} "
            f"relaying {e(source['relays'])} (\u201c{e(source['title'])}\u201d; date "
            f"{e(source['date'])}).",
            "",
            f"**What they said.** {e(source['what'])}",
            "",
            f"**How far to rely on it.** Source reliability {e(source['reliability'])}, "
            f"information credibility {e(source['credibility'])} on the Admiralty scale (A–F, "
            f"1–6). {e(source['reliability_note'])}",
        ]
    )


def citation(cover: Mapping[str, Any], stem: str) -> str:
    """A suggested citation: issuer, title, version, date, and where to find it."""
    e = md_escape
    return (
        f"{e(cover['issued_by'])} ({cover['as_of'][:4]}). *{e(cover['title'])}*"
        + (f": {e(cover['subtitle'])}" if cover.get("subtitle") else "")
        + f". Briefing, version {cover['version']}, as of {cover['as_of']}; "
        f"{e(cover['classification'])}. riskbrief reports, {stem}.pdf and {stem}.html "
        f"(reports/{e(cover['name'])}/v{cover['version']}/)."
    )
