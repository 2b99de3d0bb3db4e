"""The evidence section in words: findings, the category comparison (sentences and the reader
table), chart titles, alt texts, source lines, key judgments, headline numbers and methods.

Every number comes from :func:`riskbrief.evidence.figures`. Counts are counts of what the
datasets record: recorded incidents are not an incidence rate, and the comparison of the record
with the source article's urgency says where the evidence is, never whether the article is
right.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from riskbrief.datasets import UNCLASSIFIED, CategoryMapping, Source
from riskbrief.evidence import (
    FALLING,
    MIN_PER_YEAR,
    RISING,
    TREND_YEARS,
)
from riskbrief.narrative import md_escape, pct
from riskbrief.register import MIT_TAXONOMY

EN_DASH = "\u2013"
TIMES = "\u00d7"
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_SUPERSCRIPT = str.maketrans(
    "0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b"
)


# --- formats ------------------------------------------------------------------------------------


def count(n: int) -> str:
    """A count in words up to ten, in figures above (with thousands separators)."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def day(d: dt.date) -> str:
    """'17 February 2026'."""
    return f"{d.day} {d:%B %Y}"


def short_day(d: dt.date) -> str:
    """'17 Feb 2026' (chart labels)."""
    return f"{d.day} {d:%b %Y}"


def flop(x: float) -> str:
    """Training compute as '5.0 × 10²⁶ FLOP'."""
    exponent = math.floor(math.log10(x))
    mantissa = x / 10**exponent
    if round(mantissa, 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.1f} {TIMES} 10{str(exponent).translate(_SUPERSCRIPT)} FLOP"


def spoken_flop(x: float) -> str:
    """Training compute for a screen reader: '5.0 times 10 to the 26 FLOP'."""
    exponent = math.floor(math.log10(x))
    mantissa = x / 10**exponent
    if round(mantissa, 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.1f} times 10 to the {exponent} FLOP"


def times(x: float) -> str:
    """A ratio: one decimal below 10, whole above."""
    return f"{x:.1f}" if x < 10 else f"{x:.0f}"


def years_span(years: Sequence[int]) -> str:
    return f"{years[0]}{EN_DASH}{years[-1]}"


def domain_name(code: str) -> str:
    """'4' -> 'Malicious Actors & Misuse'; unclassified as such."""
    return "unclassified" if code == UNCLASSIFIED else MIT_TAXONOMY.get(code, f"domain {code}")


def subdomain_name(code: str) -> str:
    """'4.3' -> 'fraud, scams, and targeted manipulation (4.3)'."""
    if code == UNCLASSIFIED:
        return "unclassified"
    name = MIT_TAXONOMY.get(code)
    return f"{name[0].lower()}{name[1:]} ({code})" if name else code


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _ratio(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


# --- findings ----------------------------------------------------------------------------------


def rise_words(f: Mapping[str, Any]) -> str:
    """'most of the rise in malicious actors and misuse' (or 'the largest part of the rise')."""
    share = f["growth_domain_share_of_rise"]
    name = domain_name(f["growth_domain"]).lower().replace(" & ", " and ")
    return f"{'most' if share > 0.5 else 'the largest part'} of the rise in {name}"


def summary_paragraph(f: Mapping[str, Any]) -> str:
    """The section's findings, bottom line first."""
    w = f["window"]
    cats = f["categories"].set_index("category")
    crit = f["critical_categories"]
    parts = [
        f"The AI Incident Database recorded {f['incidents_last_complete_year']:,} AI incidents in "
        f"{f['last_complete_year']}, {times(f['incidents_growth'])} times the "
        f"{f['incidents_first_window_year']:,} of {w[0]}, {rise_words(f)}."
    ]
    if crit:
        s = (
            "The record is thinnest where the source article is most alarmed: the categories it "
            f"rates Critical ({_and(crit)}) account for {count(f['critical_incidents_window'])} "
            f"of the {f['subdomain_window_total']:,} incidents of {years_span(w)}"
        )
        if "Societal Disruption" in cats.index and cats.loc["Societal Disruption", "urgency"]:
            row = cats.loc["Societal Disruption"]
            s += (
                f", while Societal Disruption, which it rates {row['urgency']}, accounts for "
                f"{row['window_total']:,}"
            )
        parts.append(s + ".")
    parts.append(
        f"In Epoch AI's notable-models table the United States has "
        f"{f['models_us_last_complete']} models in {f['models_last_complete_year']} to China's "
        f"{f['models_china_last_complete']}; its largest known training run is about "
        f"{times(f['compute_record_ratio'])} times China's, and it holds "
        f"{pct(f['capacity_share_us'])} of the existing AI supercomputer capacity the data "
        f"records, China {pct(f['capacity_share_china'])}."
    )
    return " ".join(parts)


def incidents_paragraph(f: Mapping[str, Any]) -> str:
    w, last = f["window"], f["last_complete_year"]
    parts = [
        f"Recorded incidents rose from {f['incidents_first_window_year']:,} in {w[0]} to "
        f"{f['incidents_last_complete_year']:,} in {last}. The largest rise is in "
        f"{domain_name(f['growth_domain'])} (MIT domain {f['growth_domain']}): "
        f"{f['growth_domain_first']:,} incidents in {w[0]}, {f['growth_domain_last']:,} in {last}."
    ]
    if f["unclassified_last"]:
        parts.append(
            f"{f['unclassified_last']:,} of {last}'s incidents "
            f"({pct(f['unclassified_share_last'])}) had no MIT classification yet in this copy, "
            f"against {pct(f['unclassified_share_before_max'])} at most in {years_span(w[:-1])}, "
            f"so the {last} counts per domain are lower bounds."
        )
    if f["partial_year"]:
        through = f" to {day(f['data_through'])}" if f["data_through"] else ""
        parts.append(
            f"{f['partial_year']} is partial: {count(f['incidents_partial_year'])} incidents"
            f"{through}."
        )
    parts.append(
        "A rise in recorded incidents mixes more incidents with more reporting and cataloguing; "
        "it is not a measured incidence rate."
    )
    return " ".join(parts)


def trend_clause(row: Mapping[str, Any]) -> str:
    """What a category's incident record did over the trend window."""
    years = row["window_years"]
    label = row["window_trend"]
    if label == "too few":
        return (
            f"{count(int(row['window_total']))} incident"
            f"{'' if row['window_total'] == 1 else 's'} in {years_span(years)}, too few to read "
            "a trend"
        )
    ratio = _ratio(row["window_ratio"])
    base = (
        f"{row['window_last']:,} incidents in {years[-1]} against a mean of "
        f"{row['window_mean_before']:.0f} a year in {years_span(years[:-1])}"
    )
    if ratio is not None:
        base += f" ({ratio:.1f}{TIMES})"
    word = {"up": "rising", "down": "falling", "level": "about level"}[label]
    return f"{base}: {word}"


def category_sentence(row: Mapping[str, Any], f: Mapping[str, Any], mapping: CategoryMapping):
    """One category: its sub-domains, entries, incidents and trend, then where observation and
    the article's urgency agree or diverge."""
    cat = {c.name: c for c in mapping.categories}[row["category"]]
    name = md_escape(row["category"])
    urgency = row["urgency"]
    head = (
        f"**{name}**"
        + (f" (article: {urgency})" if urgency else " (no urgency in the article)")
        + f" maps to {_and(row['subdomains'])}: {row['repository_entries']:,} entries in the "
        f"repository; {trend_clause(row)}."
    )
    reading, label = row["reading"], row["window_trend"]
    if reading == "not rated":
        tail = "The article discusses the race as a dynamic and gives it no urgency rating."
    elif reading == "same direction":
        tail = (
            f"Observation and urgency point the same way: the article rates it {urgency} and "
            f"the record is {'rising' if label == 'up' else 'not rising'}."
        )
    elif label == "too few":
        tail = f"They diverge: the article rates it {urgency}, yet the record holds almost none."
    elif label == "up":
        tail = f"They diverge: the record is rising although the article rates it only {urgency}."
    else:
        tail = (
            f"They diverge: the article rates it {urgency}, but the record is "
            f"{'falling' if label == 'down' else 'not rising'}."
        )
        if f["unclassified_share_last"] >= 0.1:
            tail += (
                f" With {pct(f['unclassified_share_last'])} of {f['last_complete_year']}'s "
                "incidents not yet classified, part of the gap may be classification lag."
            )
    if reading == "diverge" and cat.observability:
        tail += f" {md_escape(cat.observability)}"
    elif reading == "not rated" and cat.observability:
        tail += f" {md_escape(cat.observability)}"
    return f"{head} {tail}"


def category_paragraphs(f: Mapping[str, Any], mapping: CategoryMapping) -> list[str]:
    return [category_sentence(r, f, mapping) for r in f["categories"].to_dict("records")]


def comparison_paragraph(f: Mapping[str, Any]) -> str:
    """Where observation and urgency diverge overall, and what falls outside the categories."""
    w = f["window"]
    out = f["outside"]
    named = [
        f"{subdomain_name(code).removesuffix(f' ({code})')} ({code}: {n:,})"
        for code, n in out.items()
        if code != UNCLASSIFIED
    ][:2]
    unclassified = int(out.get(UNCLASSIFIED, 0))
    text = (
        f"Most recorded incidents fall outside the article's categories: "
        f"{f['outside_total']:,} of the {f['subdomain_window_total']:,} of {years_span(w)} "
        f"({pct(f['outside_share'])})"
    )
    if named:
        text += f", led by {_and(named)}"
    if unclassified:
        text += f"; {unclassified:,} are unclassified"
    text += "."
    return (
        f"{text} Observation measures what has happened and been reported; the article's urgency "
        "measures what could happen. Setting one beside the other shows where the evidence is, "
        "and where the judgment must rest on other grounds; it does not confirm or refute the "
        "article's ratings."
    )


def models_paragraph(f: Mapping[str, Any], source: Source) -> str:
    last, partial = f["models_last_complete_year"], f["models_partial_year"]
    us, cn = f["compute_us"], f["compute_china"]
    files = ", ".join(source.files) or "the publisher's file"
    parts = [
        f"Epoch AI's notable-models table ({files}; this copy has no large-scale-models table) "
        f"lists {f['models_us_last_complete']} US and {f['models_china_last_complete']} Chinese "
        f"models for {last}, the newest complete year"
    ]
    if partial:
        through = f" to {day(f['models_data_through'])}" if f["models_data_through"] else ""
        parts[0] += (
            f"; in {partial}{through.replace(f' {partial}', '')}, {f['models_us_partial']} and "
            f"{f['models_china_partial']}"
        )
    parts[0] += f". The US count peaked at {f['models_us_peak']} in {f['models_us_peak_year']}."
    parts.append(
        f"The largest known US training run is {md_escape(us['model'])} ({us['year']}, "
        f"{flop(us['flop'])}), about {times(f['compute_record_ratio'])} times the largest known "
        f"Chinese one, {md_escape(cn['model'])} ({cn['year']}, {flop(cn['flop'])}). Training "
        "compute is not published for many models, so a larger undisclosed run would not show."
    )
    return " ".join(parts)


def capacity_paragraph(f: Mapping[str, Any], source: Source) -> str:
    text = (
        f"Of the {f['capacity_total'] / 1e6:.1f} million H100-equivalents in existing AI "
        f"supercomputers that Epoch AI records, the United States holds "
        f"{pct(f['capacity_share_us'])} ({f['capacity_clusters_us']:.0f} clusters) and China "
        f"{pct(f['capacity_share_china'])} ({f['capacity_clusters_china']:.0f} clusters)"
    )
    if f["capacity_share_unknown"]:
        text += f"; {pct(f['capacity_share_unknown'])} is in clusters whose country is not recorded"
    text += ". The data covers the systems its publisher has found, not every system."
    note = next((n for n in source.notes if "Chinese" in n), None)
    if note:
        text += f" From the import notes: “{md_escape(note)}”"
    return text


# --- the comparison table ----------------------------------------------------------------------


def category_table(f: Mapping[str, Any]) -> pd.DataFrame:
    """The categories beside the article's urgency, formatted for readers."""
    cats = f["categories"]
    w = f["window"]
    last, before = w[-1], years_span(w[:-1])

    def trend_cell(r: Mapping[str, Any]) -> str:
        ratio = _ratio(r["window_ratio"])
        if r["window_trend"] == "too few":
            return "too few to tell"
        shown = f"{ratio:.1f}{TIMES}" if ratio is not None else "new"
        return f"{shown} ({r['window_trend']})"

    return pd.DataFrame(
        {
            "Category": cats["category"],
            "Article's urgency": cats["urgency"].fillna("not rated"),
            "MIT sub-domains": [", ".join(s) for s in cats["subdomains"]],
            "Repository entries": [f"{n:,}" for n in cats["repository_entries"]],
            f"Incidents per year, {years_span(w)}": [
                " · ".join(str(c) for c in counts) for counts in cats["window_counts"]
            ],
            f"{last} against {before} mean": [trend_cell(r) for r in cats.to_dict("records")],
            "Observation and urgency": cats["reading"],
        }
    )


# --- source lines ------------------------------------------------------------------------------


def source_line(tables: Sequence[tuple[str, Source]], extra: str = "") -> str:
    """Who published the data (each dataset once), which copy and its licence; then the
    project's derived tables (path, as the reader should see it, and its source), each with
    the licence it carries; then any further sources (``extra``)."""
    parts, seen = [], set()
    for _, s in tables:
        if (s.title, s.publisher) in seen:
            continue
        seen.add((s.title, s.publisher))
        many = "s" if len(s.files) > 1 else ""
        files = f"; file{many} {' and '.join(s.files)}" if s.files else ""
        if s.release:
            copy = f"release of {day(s.release)}"
        elif s.data_through:
            copy = f"records to {day(s.data_through)}, no release date stated"
        else:
            copy = "no release date stated"
        who = "" if s.title.startswith(s.publisher) else f", {s.publisher}"
        parts.append(f"{s.title}{who}{files}: {copy}; {s.licence}.")
    derived = ", ".join(f"{path} ({s.licence})" for path, s in tables)
    many = "s" if len(tables) > 1 else ""
    line = " ".join(parts) + f" Derived table{many}: {derived}."
    return f"{line} {extra}".strip()


# --- key judgments, headline, methods -----------------------------------------------------------

#: The assumptions (docs/assumptions.md) the judgments rest on: the incident record (A15) and
#: the analysts' mapping of the article's categories (A16).
RESTS_ON = {"incidents": ["A15"], "comparison": ["A15", "A16"]}


def key_judgments(f: Mapping[str, Any], anchor: str = "evidence") -> list[dict[str, Any]]:
    """The section's key judgments, most important first: where the incident record sits
    against the article's urgency, then what the record shows. Counts from a dataset, so no
    estimative phrase."""
    w = f["window"]
    out = []
    if f["critical_categories"]:
        crit = f["critical_categories"]
        out.append(
            {
                "text": (
                    "The incident record is thinnest where the source article is most "
                    f"alarmed: the categories it rates Critical ({_and(crit)}) account for "
                    f"{count(f['critical_incidents_window'])} of the "
                    f"{f['subdomain_window_total']:,} incidents recorded in {years_span(w)} "
                    f"({pct(f['critical_share_window'])}); observation measures what has "
                    "happened, urgency what could."
                ),
                "anchor": anchor,
                "value": f["critical_incidents_window"],
                "interval": None,
                "interval_kind": "count",
                "unit": "incidents",
                "assumptions": RESTS_ON["comparison"],
                "evidence": "public dataset, analyst's mapping",
            }
        )
    out.append(
        {
            "text": (
                f"Recorded AI incidents rose {times(f['incidents_growth'])}-fold in "
                f"{count(len(w) - 1)} years, from {f['incidents_first_window_year']:,} in {w[0]} "
                f"to {f['incidents_last_complete_year']:,} in {w[-1]} in the AI Incident "
                f"Database, {rise_words(f)}; the count mixes more incidents with more reporting."
            ),
            "anchor": anchor,
            "value": f["incidents_last_complete_year"],
            "interval": None,
            "interval_kind": "count",
            "unit": "incidents",
            "assumptions": RESTS_ON["incidents"],
            "evidence": "public dataset",
        }
    )
    return out


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


def headline(f: Mapping[str, Any]) -> dict[str, Any]:
    """The numbers the key judgments and the change log need (plain JSON)."""
    cats = {
        r["category"]: {
            "urgency": r["urgency"],
            "subdomains": list(r["subdomains"]),
            "repository_entries": int(r["repository_entries"]),
            "incidents_all": int(r["incidents_all"]),
            "incidents_window": int(r["window_total"]),
            "incidents_last": int(r["window_last"]),
            "mean_before": _r(r["window_mean_before"]),
            "ratio": _r(_ratio(r["window_ratio"])),
            "trend": r["window_trend"],
            "reading": r["reading"],
        }
        for r in f["categories"].to_dict("records")
    }
    us, cn = f["compute_us"], f["compute_china"]
    return {
        "data_through": f["data_through"].isoformat() if f["data_through"] else None,
        "partial_year": f["partial_year"],
        "last_complete_year": f["last_complete_year"],
        "window": list(f["window"]),
        "incidents_last_complete_year": f["incidents_last_complete_year"],
        "incidents_first_window_year": f["incidents_first_window_year"],
        "incidents_growth": _r(f["incidents_growth"]),
        "incidents_window_total": f["subdomain_window_total"],
        "incidents_partial_year": f["incidents_partial_year"],
        "unclassified_last": f["unclassified_last"],
        "unclassified_share_last": _r(f["unclassified_share_last"]),
        "growth_domain": f["growth_domain"],
        "top_domain": f["top_domain"],
        "categories": cats,
        "outside_total": f["outside_total"],
        "outside_share": _r(f["outside_share"]),
        "critical_incidents_window": f["critical_incidents_window"],
        "models_last_complete_year": f["models_last_complete_year"],
        "models_us_last_complete": f["models_us_last_complete"],
        "models_china_last_complete": f["models_china_last_complete"],
        "models_partial_year": f["models_partial_year"],
        "models_us_partial": f["models_us_partial"],
        "models_china_partial": f["models_china_partial"],
        "compute_us_model": us["model"],
        "compute_us_year": us["year"],
        "compute_us_flop": us["flop"],
        "compute_china_model": cn["model"],
        "compute_china_year": cn["year"],
        "compute_china_flop": cn["flop"],
        "compute_record_ratio": _r(f["compute_record_ratio"]),
        "capacity_total": round(f["capacity_total"], 1),
        "capacity_h100e_us": round(f["capacity_h100e_us"], 1),
        "capacity_h100e_china": round(f["capacity_h100e_china"], 1),
        "capacity_share_us": _r(f["capacity_share_us"]),
        "capacity_share_china": _r(f["capacity_share_china"]),
        "capacity_share_unknown": _r(f["capacity_share_unknown"]),
    }


def _quote(notes: Sequence[str]) -> str:
    return " ".join(f"“{n}”" for n in notes)


def methods(
    f: Mapping[str, Any],
    mapping: CategoryMapping,
    sources: Mapping[str, Source],
    tables: Mapping[str, str],
) -> dict[str, str]:
    """How the evidence was made, for the methods appendix: prose, one paragraph per topic
    (the appendix prints topics in alphabetical order; these names read in a sensible one).
    ``sources`` and ``tables`` are keyed by data key (the tables' paths as readers see them)."""
    aiid = sources["aiid"]
    held = aiid.records.get("incidents")
    once = (
        f"In this copy the counts add up to the {held:,} incidents the database holds, so no "
        "incident is counted twice."
        if held == f["incidents_all_years"]
        else "An incident with classifications in two domains is counted in both."
    )
    cats = " ".join(
        f"{md_escape(c.name)} ({', '.join(c.subdomains)}): {md_escape(c.rationale)}"
        for c in mapping.categories
    )
    w = f["window"]
    return {
        "Datasets and licences": (
            "The tables in data/evidence/ were imported with `riskbrief import` from the "
            "publishers' files; each keeps a provenance sidecar with the source files' sha256, "
            "publisher, release and licence. "
            + source_line([(tables[k], sources[k]) for k in sources])
            + " Tables derived from the AI Incident Database carry its licence, CC BY-SA 4.0."
        ),
        "Incident counts": (
            "An incident is counted in the year of its date under the MIT domain and sub-domain "
            f"of its published classifications. {once} The newest year is partial and is drawn "
            "hatched and left out of every trend. Classifications lag the incidents: "
            f"{f['unclassified_last']:,} of {f['last_complete_year']}'s incidents have none yet. "
            "The database collects incidents reported in the media and elsewhere, so a count "
            "reflects reporting as well as events. Import notes: " + _quote(aiid.notes)
        ),
        "Mapping the article's categories": (
            f"{md_escape(mapping.basis)} It is kept in data/evidence/category_mapping.yaml; a "
            "sub-domain belongs to one category at most, and incidents and entries coded only to "
            "a domain (n.0) or to a sub-domain no category names are counted outside the "
            f"categories. {cats}"
        ),
        "Observation against urgency": (
            f"A category's trend compares its incidents in the newest complete year with the "
            f"mean of the {TREND_YEARS - 1} complete years before it ({years_span(w)}): up at "
            f"{RISING:g} times or more, down at {FALLING:g} or less, otherwise level. Below "
            f"{MIN_PER_YEAR:g} incidents a year on average, the chance variation of a count "
            "(about its square root) is as large as any trend, and the trend reads too few to "
            "tell. Observation and urgency point the same way when the article rates a category "
            "High or Critical (at the top of its range) and its incidents are up, or rates it "
            "lower and they are not; otherwise they diverge. This sets what has been recorded "
            "beside what the article fears; it is not a test of the article's ratings."
        ),
        "Notable models and training compute": (
            "Epoch AI's notable-models table: a model counts once for each distinct country of "
            "its developers; Hong Kong and Taiwan are counted apart from China. The Stanford AI "
            "Index's counts of notable models come from an earlier release of the same data and "
            "can differ. The largest known training run is the highest training-compute figure "
            "the table gives for a country. Import notes: " + _quote(sources["epoch_models"].notes)
        ),
        "Supercomputer capacity": (
            "Capacity is the sum of H100-equivalents (the publisher's measure of a cluster's "
            "performance in Nvidia H100 chips) over clusters marked Existing, by the country the "
            "data gives; planned and decommissioned clusters are left out. Import notes: "
            + _quote(sources["epoch_clusters"].notes)
        ),
    }
