"""The scenarios section written for its audience (params: ``role``): which parts each reader
gets, the section's introduction, and each scenario's paragraph in that reader's terms.

- policy staff get the whole picture: every model, every chart;
- national-security staff get escalation first: the racing risk, whether the build-up runs
  away (crisis stability), what drives the risk, and whether safety can enforce itself;
- negotiators get what a deal must change: the racing risk, what disclosure does, whether
  safety is self-enforcing (the dilemma zone needs agreement), and what drives the risk.

Every reader gets the global sensitivity (Sobol indices), right after the one-at-a-time
sensitivity: which assumptions a finding rests on, alone and in combination, matters to all
three.

The numbers are the section's own (:mod:`riskbrief.narrative.scenarios`); only the framing and
the selection change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskbrief.narrative import estimative_phrase, md_escape, pct
from riskbrief.narrative.scenarios import (
    REGIME_WORDS,
    _the,
    iv_of,
    of_draws,
    p_of,
    safe_verdict,
    scenario_paragraph,
    zone_verdict,
)

PARTS: dict[str, tuple[str, ...]] = {
    "policy": (
        "scenarios",
        "comparison",
        "precipice",
        "disclosure",
        "tornado",
        "sobol",
        "dsair",
        "richardson",
    ),
    "security": ("comparison", "richardson", "tornado", "sobol", "dsair"),
    "negotiation": ("comparison", "disclosure", "dsair", "tornado", "sobol", "richardson"),
}
HEADINGS: dict[str, str] = {
    "scenarios": "The scenarios",
    "comparison": "How likely an unsafe first AI is",
    "precipice": "Where the scenarios sit on the precipice",
    "disclosure": "What disclosure does",
    "tornado": "What drives the risk",
    "sobol": "Which assumptions matter, alone and together",
    "dsair": "Will safety enforce itself?",
    "richardson": "Does the build-up settle?",
}
ROLE_HEADINGS: dict[tuple[str, str], str] = {
    ("security", "richardson"): "Crisis stability: does the build-up run away?",
    ("security", "dsair"): "Will either side hold back on its own?",
    ("negotiation", "disclosure"): "Disclosure: what to share, and when",
    ("negotiation", "dsair"): "What an agreement has to fix",
}


def shows(role: str, part: str) -> bool:
    """Whether readers in ``role`` get this part of the section."""
    return part in PARTS.get(role, PARTS["policy"])


def heading(role: str, part: str) -> str:
    """The part's heading (with its anchor, which key judgments link to)."""
    text = ROLE_HEADINGS.get((role, part), HEADINGS[part])
    return f'### {text}\n\n<a id="scen-{part}"></a>'


def intro(role: str) -> str:
    if role == "security":
        return (
            "For defence staff, three published models of the race answer two questions: does "
            "the build-up of strategic AI effort settle or run away, and how likely is the first "
            "advanced AI to be unsafe when each side races the other? Every number is a model "
            "output over an analyst's illustrative parameter ranges, not a measurement or a "
            "forecast."
        )
    if role == "negotiation":
        return (
            "For negotiators, three published models of the race say what a deal would have to "
            "change: how far a safety race lowers the chance of an unsafe first AI, what sharing "
            "information about capabilities does, and whether safe development holds without an "
            "agreement. The parameters are an analyst's illustrative placements with explicit "
            "ranges; the results are model outputs, not forecasts."
        )
    return (
        "The source article describes a security dilemma: each side's AI effort looks like "
        "offensive posturing to the other, and the cycle of escalation squeezes out time for "
        "safety. It asks for a move from an arms race to a safety race. This section runs three "
        "published models of that dynamic under the scenarios below. The racing model asks how "
        "likely the first advanced AI is to be unsafe. The DSAIR model asks whether safe "
        "development can enforce itself. Richardson's equations ask whether the build-up "
        "settles or runs away. The scenario parameters are an analyst's illustrative assessment "
        "with explicit ranges, not measurements, and every result carries their uncertainty."
    )


def paragraph(row: Mapping[str, Any], role: str) -> str:
    """One scenario's findings in the reader's terms."""
    if role == "security":
        return _security(row)
    if role == "negotiation":
        return _negotiation(row)
    return scenario_paragraph(row)


def _security(row: Mapping[str, Any]) -> str:
    title = md_escape(row["title"])
    share, se = row["runaway_share"], row["runaway_share_se"]
    if share >= 0.5:
        g = row["runaway_growth_median"]
        escalation = (
            f"The build-up runs away in {of_draws(share, se)}: fear outweighs restraint, and "
            f"effort then grows about {pct(g)} a year without a ceiling, so each incident or "
            "misread test feeds the next round."
        )
    else:
        escalation = (
            f"The build-up levels off in {of_draws(1 - share, se)}: restraint outweighs fear, so "
            "an incident need not set off the next round."
        )
    return (
        f"**{title}.** {escalation} Racing for an edge, the first advanced AI is unsafe in a "
        f"median {p_of(row, 'median')} of the racing model's outcomes (80% interval "
        f"{iv_of(row)}; {estimative_phrase(row['median'])} as a model output)."
    )


def _negotiation(row: Mapping[str, Any]) -> str:
    title = md_escape(row["title"])
    return (
        f"**{title}.** With {REGIME_WORDS[row['information']]}, the racing model puts an unsafe "
        f"first advanced AI at a median {p_of(row, 'median')} (80% interval {iv_of(row)}). "
        f"Without an agreement, the development race is {zone_verdict(row)}; over the first "
        f"{row['safe_draws']:,} draws, {safe_verdict(row)}."
    )


def comparison_sentence(comp: Mapping[str, Any], titles: Mapping[str, str], role: str) -> str:
    """The paired comparison, framed for the reader (numbers as the section prints them)."""
    from riskbrief.narrative.scenarios import _ratio_text, _times
    from riskbrief.narrative.scenarios import comparison_sentence as plain

    r = comp["ratio"]
    if role == "policy" or r["median"] is None:
        return plain(comp, titles)
    se = comp.get("ratio_median_se")
    hi, lo = _the(titles[comp["numerator"]]), _the(titles[comp["denominator"]])
    share = of_draws(comp["share_higher"], 0.0, "paired draws")
    if role == "negotiation":
        return (
            f"A deal that moved the race from {hi} to {lo} would cut the modelled chance of an "
            f"unsafe first AI about {_times(r['median'], se)}-fold (80% interval "
            f"{_ratio_text(r, se)}); {lo} is the safer of the two in {share}."
        )
    return (
        f"Racing as in {hi} makes an unsafe first AI {_times(r['median'], se)} times as likely as "
        f"in {lo} (80% interval {_ratio_text(r, se)}), on the same draws; {hi} is the riskier in "
        f"{share}."
    )


def disclosure(title: str, disc: Mapping[str, Any], role: str) -> str:
    """What disclosure does in one scenario, framed for the reader."""
    from riskbrief.narrative.scenarios import disclosure_paragraph

    if role != "negotiation":
        return disclosure_paragraph(title, disc)
    r, thr = disc["risks"], disc["enmity_threshold"]
    if thr is None:
        when = "Sharing capabilities never beats each side knowing only its own here."
    elif thr >= 1.0:
        when = (
            "Sharing capabilities beats each side knowing only its own at any enmity here, but "
            "ignorance of capabilities remains safer still."
        )
    else:
        when = (
            f"Sharing capabilities beats each side knowing only its own only while enmity is "
            f"below {thr:.2f} (the scenario assumes {disc['enmity']:g}): agree verification and "
            "confidence-building first, so that disclosure lands on lowered enmity."
        )
    return (
        f"**At the table, in {_the(title)}.** If both sides disclose capabilities the racing model "
        f"gives an unsafe first AI at {pct(r['public'])}; if each knows only its own, "
        f"{pct(r['private'])}; if neither knows any, {pct(r['none'])}. {when}"
    )
