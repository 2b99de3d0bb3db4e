"""The implications section in words: what the analysis means for the briefing's readers, the
options before them (with each one's modelled effect, or a plain statement that it is not
modelled), and the signposts to watch. Numbers come from :mod:`riskbrief.options`; the
mapping of an option onto model parameters is always labelled an analyst assumption (A13).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from riskbrief.models import MODELS
from riskbrief.narrative import md_escape, pct, resolution

EN_DASH = "\u2013"

ROLE_NAMES = {
    "policy": "policy staff",
    "security": "national-security and defence staff",
    "negotiation": "negotiators",
}
ROLE_HEADINGS = {
    "policy": "Implications and options for policy staff",
    "security": "Implications and options for national-security staff",
    "negotiation": "Implications and options for negotiators",
}
#: The assumption (docs/assumptions.md) every option's model mapping rests on.
MAPPING_ASSUMPTION = "A13"


def _points(x: float, se: float) -> str:
    step = max(resolution(se), 0.01)
    return f"{abs(round(x / step) * step) * 100:.0f}"


def _change_words(model: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    parts = []
    for key, params in model.items():
        spec = MODELS[key]
        labels = {p.name: p.label for p in spec.parameters} | {
            c.name: c.label for c in spec.choices
        }
        for name, change in params.items():
            ((how, value),) = change.items()
            label = labels[name]
            if how == "set":
                parts.append(f"{label} set to {value}")
            elif how == "shift":
                parts.append(f"{label} {'up' if value > 0 else 'down'} by {abs(value):g}")
            else:
                parts.append(f"{label} {'up' if value > 1 else 'down'} by {abs(value - 1):.0%}")
    return "; ".join(parts)


def effect_sentence(option: Mapping[str, Any], eff: Mapping[str, Any] | None, title: str) -> str:
    """The option's modelled effect in one or two sentences, or why there is none."""
    if eff is None:
        return (
            "*Modelled effect:* none computed: this option does not map onto a parameter of the "
            "race models, so its effect is a matter of judgment, not of the models."
        )
    d, lo, hi = eff["difference_median"], eff["difference_p10"], eff["difference_p90"]
    ses = (eff["difference_median_se"], eff["difference_p10_se"], eff["difference_p90_se"])
    if change_phrase(eff).startswith("no "):
        return (
            f"*Modelled effect* ({_change_words(eff['changes'])}, in the {title.lower()} "
            f"scenario): none. {_why_no_change(eff)} The mapping of the option onto these "
            f"parameters is an analyst's assumption ({MAPPING_ASSUMPTION})."
        )
    if abs(d) < 0.005 and lo <= 0 <= hi:
        move = "leaves the modelled chance of an unsafe first AI about where it is"
    else:
        verb = "lowers" if d < 0 else "raises"
        move = (
            f"{verb} the modelled chance of an unsafe first AI from {pct(eff['disaster_before'])} "
            f"to {pct(eff['disaster_after'])}: a median {_points(d, ses[0])} points "
            f"(80% interval {_signed(lo, ses[1])} to {_signed(hi, ses[2])} points)"
        )
    extra = []
    rb, ra = eff["runaway_before"], eff["runaway_after"]
    if abs(ra - rb) >= 0.01:
        extra.append(f"runaway build-ups in {pct(rb)} → {pct(ra)} of draws")
    cb, ca = eff["compliance_before"], eff["compliance_after"]
    if abs(ca - cb) >= 0.01:
        extra.append(f"draws in DSAIR's compliance zone {pct(cb)} → {pct(ca)}")
    tail = f"; {', '.join(extra)}" if extra else ""
    return (
        f"*Modelled effect* ({_change_words(eff['changes'])}, in the {title.lower()} scenario): "
        f"it {move}{tail}. The mapping of the option onto these parameters is an analyst's "
        f"assumption ({MAPPING_ASSUMPTION}), not an estimate of what the option would achieve."
    )


def change_phrase(eff: Mapping[str, Any] | None) -> str:
    """The option's modelled change in a few words, in the model it acts on: the racing
    model's chance of an unsafe first AI, DSAIR's compliance share, Richardson's runaway
    share, before → after, as the section prints them; where nothing moves, says so (and why,
    when the scenario already assumes what the option would bring about)."""
    if eff is None:
        return "not modelled"
    parts = []
    before, after = pct(eff["disaster_before"]), pct(eff["disaster_after"])
    if before != after:
        parts.append(f"unsafe first AI {before} → {after}")
    rb, ra = pct(eff["runaway_before"]), pct(eff["runaway_after"])
    if rb != ra:
        parts.append(f"runaway build-up in {rb} → {ra} of draws")
    cb, ca = pct(eff["compliance_before"]), pct(eff["compliance_after"])
    if cb != ca:
        parts.append(f"DSAIR compliance zone in {cb} → {ca} of draws")
    if parts:
        return "; ".join(parts)
    if eff.get("already_assumed"):
        return f"no change: the scenario already assumes it (unsafe first AI {before})"
    return f"no modelled change (unsafe first AI {before})"


def _why_no_change(eff: Mapping[str, Any]) -> str:
    """Why an option's mapping moves none of the models' outputs, in the models' terms."""
    if eff.get("already_assumed"):
        return (
            "The scenario already assumes what the option would bring about, so the models have "
            f"nothing to change: the chance of an unsafe first AI stays at "
            f"{pct(eff['disaster_before'])}."
        )
    if set(eff["changes"]) == {"dsair"} and set(eff["changes"]["dsair"]) == {"p_fo"}:
        return (
            "In DSAIR, being found out costs an unsafe developer only its per-round gains, and in "
            "this scenario the prize for winning the race outweighs them, so more detection "
            f"leaves the share of draws in the compliance zone at {pct(eff['compliance_before'])}."
            " The models do not represent what the option may do for trust or for enmity."
        )
    return (
        "Within the scenario's ranges the changed parameters move none of the models' headline "
        f"outputs by a printed point (an unsafe first AI stays at {pct(eff['disaster_before'])})."
    )


def _signed(x: float, se: float) -> str:
    value = round(x / max(resolution(se), 0.01)) * max(resolution(se), 0.01) * 100
    return f"{value:+.0f}".replace("-", "\u2212")


def evidence_sentence(option: Mapping[str, Any], record: pd.DataFrame) -> str:
    """The governance record that bears on an option, as a sentence with dates."""
    rows = record.set_index("id")
    found = [rows.loc[r] for r in option["evidence"] if r in rows.index]
    if not found:
        return "*Record:* no sourced commitment or statement in this briefing's record bears on it."
    parts = [
        f"{md_escape(r['event'])} ({r['date'].strftime('%B %Y')}: {md_escape(r['parties'])})"
        for r in found
    ]
    return "*Record:* " + "; ".join(parts) + "."


NOTE_LEADS = {
    "negotiation": "On the table",
    "security": "For defence staff",
    "policy": "For policy",
}


def option_paragraph(
    option: Mapping[str, Any],
    eff: Mapping[str, Any] | None,
    record: pd.DataFrame,
    title: str,
    role: str = "policy",
) -> str:
    """One option as a short block, in the reader's terms: for negotiators what to put on the
    table leads; for defence staff what it means for them follows what it is."""
    note = (option.get("notes") or {}).get(role)
    lead = f"**{md_escape(option['title'])}.**"
    what = f"{md_escape(option['what'])} *Who acts:* {md_escape(option['who'])}."
    noted = f"*{NOTE_LEADS[role]}:* {md_escape(note)}" if note else ""
    if role == "negotiation" and note:
        head = f"{lead} {noted} {what}"
    else:
        head = f"{lead} {what} {noted}".rstrip()
    return "\n\n".join(
        [
            f"{head} *What it changes:* {md_escape(option['changes'])}",
            effect_sentence(option, eff, title),
            evidence_sentence(option, record),
            f"*Costs and trade-offs:* {md_escape(option['costs'])} *Feasibility:* "
            f"{option['feasibility']}; *time frame:* {md_escape(option['time_frame'])}.",
        ]
    )


def options_table(
    options: list[dict[str, Any]], effects: Mapping[str, Any], role: str = "negotiation"
) -> pd.DataFrame:
    """The options at a glance; for policy staff the table is the overview itself, so it also
    says what each option changes and costs."""
    rows = []
    for o in options:
        e = effects.get(o["id"])
        row = {
            "Option": o["title"],
            "Who acts": o["who"],
            "Modelled change": change_phrase(e),
            "Feasibility": o["feasibility"],
            "Time frame": o["time_frame"],
        }
        if role == "policy":
            row = {
                "Option": o["title"],
                "Who acts": o["who"],
                "What it changes": o["changes"],
                "Costs and trade-offs": o["costs"],
                **{k: v for k, v in row.items() if k not in ("Option", "Who acts")},
            }
        rows.append(row)
    return pd.DataFrame(rows)


def overview_sentences(
    options: list[dict[str, Any]], effects: Mapping[str, Any], title: str
) -> str:
    """For policy staff: the modelled effects in one short paragraph (the table has the rest)."""
    modelled = [(o, effects[o["id"]]) for o in options if effects.get(o["id"])]
    if not modelled:
        return "None of these options maps onto the race models; their effects are judgments."
    best = min(modelled, key=lambda oe: oe[1]["difference_median"])
    unmodelled = [o["title"] for o in options if not effects.get(o["id"])]
    text = (
        f"Of the options the models can represent, {md_escape(best[0]['title'].lower())} moves "
        f"the racing model's risk most in the {title.lower()} scenario "
        f"({pct(best[1]['disaster_before'])} to {pct(best[1]['disaster_after'])}), on the "
        f"analysts' assumed mapping ({MAPPING_ASSUMPTION})."
    )
    if unmodelled:
        text += (
            f" {len(unmodelled)} option{'s' if len(unmodelled) > 1 else ''} "
            f"({md_escape('; '.join(unmodelled).lower())}) act on risks the models do not "
            "represent, so their effect rests on judgment alone."
        )
    return text


def now_text(sp: Mapping[str, Any], indicators: pd.DataFrame, record: pd.DataFrame) -> str:
    """Where a signpost stands, from its source row (value and date) or the analyst's note."""
    src = sp["source"]
    if src is None:
        return sp["now"]
    ind = indicators.set_index("id")
    if src in ind.index:
        r = ind.loc[src]
        return f"{r['indicator']}: {r['value']:g} {r['unit']} ({r['year']})"
    rec = record.set_index("id").loc[src]
    return f"{rec['event']}, {rec['date'].strftime('%B %Y')}: {rec['parties']}"


def record_refs(ids: list[str], record: pd.DataFrame, indicators: pd.DataFrame) -> list[str]:
    """The reference keys of the sources of governance records and indicators, by their ids."""
    from riskbrief.references import source_key

    rows = pd.concat([record[["id", "source"]], indicators[["id", "source"]]])
    found = rows[rows["id"].isin(ids)]["source"]
    return list(dict.fromkeys(source_key(s) for s in found))


def signposts_table(
    signposts: list[dict[str, Any]], indicators: pd.DataFrame, record: pd.DataFrame
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Watch": sp["watch"],
                "Where it stands": now_text(sp, indicators, record),
                "What would matter": sp["trigger"],
                "Judgment it moves": f"{sp['judgment']} ({sp['direction']} the risk)",
            }
            for sp in signposts
        ]
    )


def role_paragraph(role: str, focus: Mapping[str, Any], disclosure: Mapping[str, Any]) -> str:
    """What the analysis means for this audience, in their terms (computed numbers only)."""
    title = focus["title"].lower()
    runaway = focus["runaway_before"]
    if role == "security":
        return (
            "**Crisis stability, military integration and escalation.** In the "
            f"{title} scenario, Richardson's model has the build-up of strategic AI effort run "
            f"away in {pct(runaway)} of draws: each side's effort answers the other's, so an "
            "incident or a misread test can set off the next round. Weaponization is rated "
            "Critical on the analysts' scores, with autonomous weapons without meaningful human "
            "control the most serious single risk. The options below that touch escalation are "
            "those that add restraint in a crisis or lower the fear each side has of the other: "
            "crisis communication, verification and confidence-building, incident reporting."
        )
    if role == "negotiation":
        thr = disclosure.get("enmity_threshold")
        line = (
            f"below an enmity of {thr:.2f}"
            if thr is not None and thr < 1
            else "only where rivalry is already low"
        )
        return (
            "**What to put on the table.** The models point to an order of business. Measures "
            "that lower enmity and make unsafe practice likelier to be found out (incident "
            "reporting, verification and confidence-building, red lines) help in every scenario. "
            "Sharing capability evaluations helps only once enmity is low: in the racing model "
            f"disclosure beats private knowledge in the safety race only {line}, and above it "
            "makes a race more dangerous. Put confidence-building and verification first, "
            "disclosure second, and tie each step to a signpost both sides can check."
        )
    return (
        "**The overall picture.** The models and the register agree on the direction: the arms "
        "race carries the highest modelled risk and the safety race the lowest, and the options "
        "that move between them work through enmity, the chance unsafe practice is found out, "
        "and how much safety costs in speed. None of the options below is free; several are "
        "cheap to start. These are options set out for decision, not recommendations."
    )


def methods(*, draws: int, seed: int, scenario_title: str) -> dict[str, str]:
    return {
        "Options": (
            "Options are an analyst's framing of measures discussed in the field "
            "(data/options.yaml), each with who would act, what it would change, the sourced "
            "record that bears on it (data/governance.csv), its costs, feasibility and time "
            "frame. They are set out for decision, not recommended."
        ),
        "Modelled effects": (
            "Where an option maps onto a race model's parameters, the mapping (a shift or scale "
            "of the parameter's range, or a changed setting) is applied to the "
            f"{scenario_title.lower()} scenario and both are sampled on the same {draws:,} draws "
            f"(seed {seed}), so the difference is the option's, not sampling noise. The mapping "
            f"is an analyst's assumption ({MAPPING_ASSUMPTION}): it says what the models would "
            "do if the option moved those parameters so, not that it would."
        ),
        "Signposts": (
            "Signposts (data/signposts.yaml) name what to watch, where it stands (from the "
            "indicators or the governance record where the project holds a source), the level "
            "or event that would matter, and which judgment it would move."
        ),
    }
