"""The evidence section's numbers: what the public datasets in ``data/evidence/`` show.

Pure functions on the tables :mod:`riskbrief.datasets` loads and validates: incidents per year
and MIT domain with the newest, partial year told apart; for each of the source article's
categories (mapped to MIT sub-domains by the analysts) its repository entries, its incidents
and their trend beside the article's urgency; US and Chinese notable models, the largest known
training runs and AI supercomputer capacity; and, for the register, the evidence in each risk's
sub-domain. :func:`figures` computes every number the section states. The words are in
:mod:`riskbrief.narrative.evidence`, the charts in :mod:`riskbrief.charts.evidence`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from riskbrief.datasets import (
    TABLES,
    UNCLASSIFIED,
    CategoryMapping,
    Source,
    load_aiid,
    load_aiid_subdomains,
    load_category_mapping,
    load_epoch_clusters,
    load_epoch_models,
    load_mit_risk,
    load_source,
)
from riskbrief.errors import InputError
from riskbrief.register import urgency_range

US, CHINA = "United States", "China"
#: Complete years in a category's trend window.
TREND_YEARS = 5
#: Below this many incidents a year (window mean), a count's year-to-year noise (about its
#: square root) is as large as any trend: the trend reads "too few to tell".
MIN_PER_YEAR = 5.0
#: The newest complete year against the mean of the years before it in the window: at or
#: above RISING it is "up", at or below FALLING "down", otherwise "level".
RISING, FALLING = 1.25, 0.8
URGENT = ("High", "Critical")


# --- years: complete and partial ----------------------------------------------------------------


def partial_year(years: Iterable[int], data_through: dt.date | None) -> int | None:
    """The year a table covers only in part: the year of its newest record unless that record
    is dated 31 December. With no date known, the newest year is taken to be partial."""
    years = sorted(set(years))
    if not years:
        return None
    if data_through is None:
        return int(years[-1])
    if (data_through.month, data_through.day) == (12, 31):
        return None
    return int(data_through.year) if data_through.year in years else None


def last_complete_year(years: Iterable[int], data_through: dt.date | None) -> int:
    years = sorted(set(years))
    partial = partial_year(years, data_through)
    complete = [y for y in years if y != partial]
    if not complete:
        raise ValueError("the table holds no complete year")
    return int(complete[-1])


def window(last_complete: int, n: int = TREND_YEARS) -> list[int]:
    """The ``n`` complete years ending with ``last_complete``."""
    return list(range(last_complete - n + 1, last_complete + 1))


# --- incidents ---------------------------------------------------------------------------------


def domain_order(codes: Iterable[str]) -> list[str]:
    """Domain codes in numeric order, unclassified last."""
    codes = set(codes)
    return sorted((c for c in codes if c != UNCLASSIFIED), key=int) + (
        [UNCLASSIFIED] if UNCLASSIFIED in codes else []
    )


def incidents_by_domain(aiid: pd.DataFrame, first_year: int | None = None) -> pd.DataFrame:
    """Incidents per year (rows, every year from ``first_year`` to the newest) and domain
    (columns, unclassified last); zeros where the table has no row."""
    years = range(first_year or int(aiid["year"].min()), int(aiid["year"].max()) + 1)
    wide = aiid.pivot_table(
        index="year", columns="domain", values="incidents", aggfunc="sum", fill_value=0
    )
    return wide.reindex(index=years, columns=domain_order(aiid["domain"]), fill_value=0).astype(int)


def incident_growth(by_domain: pd.DataFrame, first: int, last: int) -> dict[str, Any]:
    """How recorded incidents grew from year ``first`` to year ``last`` (a frame of
    :func:`incidents_by_domain`): both years' totals, their ratio, and the classified MIT domain
    with the largest rise, its counts and its share of the whole rise. The evidence section's
    text (:func:`figures`) and its incident chart's title read the same numbers from here."""
    totals = by_domain.sum(axis=1)
    classified = by_domain.drop(columns=[UNCLASSIFIED], errors="ignore")
    growth = classified.loc[last] - classified.loc[first]
    grew = str(growth.idxmax())
    rise = totals[last] - totals[first]
    return {
        "incidents_last_complete_year": int(totals[last]),
        "incidents_first_window_year": int(totals[first]),
        "incidents_growth": float(totals[last] / totals[first]) if totals[first] else None,
        "growth_domain": grew,
        "growth_domain_share_of_rise": float(growth[grew] / rise) if rise > 0 else 0.0,
        "growth_domain_first": int(classified.loc[first, grew]),
        "growth_domain_last": int(classified.loc[last, grew]),
    }


def trend(counts: Mapping[int, int] | pd.Series, last_complete: int) -> dict[str, Any]:
    """A count's trend over the :data:`TREND_YEARS` complete years ending ``last_complete``:
    the counts, their total and mean, the newest against the mean of the years before it
    (``ratio``, None when that mean is zero) and a label: ``up``, ``down``, ``level`` or
    ``too few`` (window mean under :data:`MIN_PER_YEAR`)."""
    years = window(last_complete)
    series = [int(dict(counts).get(y, 0)) for y in years]
    before = series[:-1]
    mean_before = sum(before) / len(before)
    mean = sum(series) / len(series)
    ratio = series[-1] / mean_before if mean_before > 0 else None
    if mean < MIN_PER_YEAR:
        label = "too few"
    elif ratio is None or ratio >= RISING:
        label = "up"
    elif ratio <= FALLING:
        label = "down"
    else:
        label = "level"
    return {
        "years": years,
        "counts": series,
        "total": sum(series),
        "mean": mean,
        "last": series[-1],
        "mean_before": mean_before,
        "ratio": ratio,
        "trend": label,
    }


def reading(urgency: str | None, trend_label: str) -> str:
    """Observation beside urgency: ``same direction`` when the article rates a category High
    or Critical (at its top) and its incidents are up, or rates it lower and they are not;
    ``diverge`` otherwise; ``not rated`` without an urgency."""
    rng = urgency_range(urgency) if urgency else None
    if rng is None:
        return "not rated"
    urgent = rng[1] in URGENT
    return "same direction" if urgent == (trend_label == "up") else "diverge"


def category_evidence(
    mapping: CategoryMapping,
    mit: pd.DataFrame,
    incidents: pd.DataFrame,
    urgency: pd.DataFrame | None,
    last_complete: int,
) -> pd.DataFrame:
    """Per mapped category: its sub-domains, repository entries, incidents (all years and per
    year of the trend window), the trend, the article's urgency and the reading."""
    rated = (
        {} if urgency is None else dict(zip(urgency["category"], urgency["urgency"], strict=True))
    )
    rows = []
    for c in mapping.categories:
        subs = list(c.subdomains)
        mine = incidents[incidents["subdomain"].isin(subs)]
        per_year = mine.groupby("year")["incidents"].sum()
        t = trend(per_year, last_complete)
        rows.append(
            {
                "category": c.name,
                "subdomains": subs,
                "repository_entries": int(mit.loc[mit["subdomain"].isin(subs), "risks"].sum()),
                "incidents_all": int(mine["incidents"].sum()),
                **{f"window_{k}": v for k, v in t.items()},
                "urgency": rated.get(c.name),
                "reading": reading(rated.get(c.name), t["trend"]),
            }
        )
    return pd.DataFrame(rows)


def outside_categories(
    mapping: CategoryMapping, incidents: pd.DataFrame, years: Sequence[int]
) -> pd.Series:
    """Incidents in ``years`` whose sub-domain no category maps, by sub-domain, most first."""
    inside = set(mapping.subdomains())
    rows = incidents[incidents["year"].isin(years) & ~incidents["subdomain"].isin(inside)]
    return rows.groupby("subdomain")["incidents"].sum().sort_values(ascending=False, kind="stable")


def register_evidence(
    register: pd.DataFrame, mit: pd.DataFrame, incidents: pd.DataFrame
) -> pd.DataFrame:
    """Per risk of the register (by id): the entries of the MIT AI Risk Repository and the
    incidents of the AI Incident Database (all years) in the risk's sub-domain."""
    entries = mit.groupby("subdomain")["risks"].sum()
    counts = incidents.groupby("subdomain")["incidents"].sum()
    subs = register["subdomain"]
    return pd.DataFrame(
        {
            "subdomain": subs.to_numpy(),
            "repository_entries": subs.map(entries).fillna(0).astype(int).to_numpy(),
            "incidents": subs.map(counts).fillna(0).astype(int).to_numpy(),
        },
        index=pd.Index(register["id"], name="id"),
    )


# --- models, compute and AI supercomputers ------------------------------------------------------


def models_per_year(
    models: pd.DataFrame, first_year: int, countries: Sequence[str] = (US, CHINA)
) -> pd.DataFrame:
    """Notable models per year (rows, ``first_year`` to the newest) and country (columns)."""
    rows = models[models["country"].isin(countries)]
    wide = rows.pivot_table(
        index="year", columns="country", values="models", aggfunc="sum", fill_value=0
    )
    years = range(first_year, int(models["year"].max()) + 1)
    return wide.reindex(index=years, columns=list(countries), fill_value=0).astype(int)


def frontier_compute(
    models: pd.DataFrame, first_year: int, countries: Sequence[str] = (US, CHINA)
) -> pd.DataFrame:
    """The largest known training compute per year and country from ``first_year``: rows
    (country, year, flop, model), only where a figure is known."""
    rows = models[
        models["country"].isin(countries)
        & (models["year"] >= first_year)
        & models["max_training_compute_flop"].notna()
    ]
    return (
        rows.rename(columns={"max_training_compute_flop": "flop", "top_model": "model"})[
            ["country", "year", "flop", "model"]
        ]
        .sort_values(["country", "year"])
        .reset_index(drop=True)
    )


def compute_record(models: pd.DataFrame, country: str) -> dict[str, Any]:
    """A country's largest known training run in the table: year, FLOP and model."""
    rows = models[(models["country"] == country) & models["max_training_compute_flop"].notna()]
    if rows.empty:
        raise InputError(
            models.attrs.get("path"), f"no training compute is known for {country}", field="country"
        )
    top = rows.loc[rows["max_training_compute_flop"].idxmax()]
    return {
        "year": int(top["year"]),
        "flop": float(top["max_training_compute_flop"]),
        "model": str(top["top_model"]),
    }


def cluster_capacity(clusters: pd.DataFrame, status: str = "Existing") -> pd.DataFrame:
    """H100-equivalents and clusters per country for one status, largest first, with each
    country's share of the status's total (clusters whose country is not recorded included)."""
    rows = clusters[clusters["status"] == status]
    if rows.empty:
        raise InputError(
            clusters.attrs.get("path"), f"no clusters with status '{status}'", field="status"
        )
    out = rows[["country", "clusters", "h100e_total", "largest"]].copy()
    out["h100e_total"] = out["h100e_total"].fillna(0.0)
    total = float(out["h100e_total"].sum())
    out["share"] = out["h100e_total"] / total if total else 0.0
    return out.sort_values(["h100e_total", "country"], ascending=[False, True]).reset_index(
        drop=True
    )


# --- every number the section states -------------------------------------------------------------

#: Complete years the incident and model charts show before the newest complete year.
HISTORY_YEARS = 13


@dataclass(frozen=True)
class Tables:
    """The section's inputs, loaded and validated, with the sidecars of the tables."""

    mit: pd.DataFrame
    aiid: pd.DataFrame
    aiid_subdomains: pd.DataFrame
    models: pd.DataFrame
    clusters: pd.DataFrame
    mapping: CategoryMapping
    urgency: pd.DataFrame | None
    sources: Mapping[str, Source]


def load_tables(
    paths: Mapping[str, str | os.PathLike[str]], urgency: pd.DataFrame | None
) -> Tables:
    """Load the section's tables by data key (``TABLES`` and ``category_mapping``) with their
    sidecars."""
    return Tables(
        mit=load_mit_risk(paths["mit_risk"]),
        aiid=load_aiid(paths["aiid"]),
        aiid_subdomains=load_aiid_subdomains(paths["aiid_subdomains"]),
        models=load_epoch_models(paths["epoch_models"]),
        clusters=load_epoch_clusters(paths["epoch_clusters"]),
        mapping=load_category_mapping(paths["category_mapping"]),
        urgency=urgency,
        sources={k: load_source(paths[k], kind) for k, (kind, _) in TABLES.items()},
    )


def figures(t: Tables) -> dict[str, Any]:
    """Every number the evidence section states, computed from the tables."""
    f: dict[str, Any] = {}
    src = t.sources["aiid"]
    years = t.aiid["year"].unique()
    last = last_complete_year(years, src.data_through)
    win = window(last)
    by_domain = incidents_by_domain(t.aiid, first_year=win[0])
    totals = by_domain.sum(axis=1)
    unclassified = (
        by_domain[UNCLASSIFIED] if UNCLASSIFIED in by_domain else pd.Series(0, index=totals.index)
    )
    classified = by_domain.drop(columns=[UNCLASSIFIED], errors="ignore")
    top = str(classified.loc[last].idxmax())
    partial = partial_year(years, src.data_through)
    f.update(
        data_through=src.data_through,
        partial_year=None if partial is None else int(partial),
        incidents_partial_year=int(totals.get(partial, 0)) if partial else None,
        last_complete_year=int(last),
        window=[int(y) for y in win],
        incidents_window_total=int(totals[win].sum()),
        incidents_all_years=int(t.aiid["incidents"].sum()),
        incidents_records=src.records.get("incidents"),
        unclassified_last=int(unclassified[last]),
        unclassified_share_last=float(unclassified[last] / totals[last]) if totals[last] else 0.0,
        unclassified_share_before_max=float(
            max((unclassified[y] / totals[y] if totals[y] else 0.0) for y in win[:-1])
        ),
        top_domain=top,
        top_domain_last=int(classified.loc[last, top]),
        top_domain_share=float(classified.loc[last, top] / totals[last]),
        **incident_growth(by_domain, win[0], last),
    )
    cats = category_evidence(t.mapping, t.mit, t.aiid_subdomains, t.urgency, last)
    f["categories"] = cats
    in_window = t.aiid_subdomains[t.aiid_subdomains["year"].isin(win)]
    window_total = int(in_window["incidents"].sum())
    outside = outside_categories(t.mapping, t.aiid_subdomains, win)
    critical = cats[[urgency_range(u or "") == ("Critical", "Critical") for u in cats["urgency"]]]
    f.update(
        subdomain_window_total=window_total,
        outside=outside,
        outside_total=int(outside.sum()),
        outside_share=float(outside.sum() / window_total) if window_total else 0.0,
        critical_categories=list(critical["category"]),
        critical_incidents_window=int(critical["window_total"].sum()),
        critical_share_window=float(critical["window_total"].sum() / window_total)
        if window_total
        else 0.0,
    )
    # models and compute
    msrc = t.sources["epoch_models"]
    myears = t.models["year"].unique()
    mlast = last_complete_year(myears, msrc.data_through)
    mpartial = partial_year(myears, msrc.data_through)
    per_year = models_per_year(t.models, mlast - HISTORY_YEARS)
    us, cn = compute_record(t.models, US), compute_record(t.models, CHINA)
    f.update(
        models_data_through=msrc.data_through,
        models_last_complete_year=mlast,
        models_partial_year=mpartial,
        models_us_last_complete=int(per_year.loc[mlast, US]),
        models_china_last_complete=int(per_year.loc[mlast, CHINA]),
        models_us_partial=int(per_year.loc[mpartial, US]) if mpartial else None,
        models_china_partial=int(per_year.loc[mpartial, CHINA]) if mpartial else None,
        models_us_peak_year=int(per_year[US].idxmax()),
        models_us_peak=int(per_year[US].max()),
        compute_us=us,
        compute_china=cn,
        compute_record_ratio=us["flop"] / cn["flop"],
    )
    # AI supercomputers
    cap = cluster_capacity(t.clusters)
    row = cap.set_index("country")
    f.update(
        capacity_total=float(cap["h100e_total"].sum()),
        capacity_clusters=int(cap["clusters"].sum()),
        capacity_countries=int((cap["country"] != "unknown").sum()),
        **{
            f"capacity_{k}_{name}": _get(row, country, col)
            for name, country in (("us", US), ("china", CHINA), ("unknown", "unknown"))
            for k, col in (("h100e", "h100e_total"), ("clusters", "clusters"), ("share", "share"))
        },
    )
    return f


def _get(frame: pd.DataFrame, index: str, column: str) -> float:
    return float(frame.loc[index, column]) if index in frame.index else 0.0
