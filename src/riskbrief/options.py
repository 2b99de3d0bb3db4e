"""Options, signposts and the governance record: loading, checking, and the modelled effect of
an option on a scenario.

- ``data/options.yaml``: what could be done, by whom, what it changes, its evidence (ids of the
  governance record or the indicators), costs, feasibility and time frame, the audiences it
  concerns, and optionally how it maps onto the race models' parameters;
- ``data/signposts.yaml``: what to watch, the level or event that would matter, and which
  judgment it would move in which direction;
- ``data/governance.csv``: the sourced record of commitments and statements the options rest on.

:func:`effect` applies an option's parameter mapping to a scenario and runs both on the same
draws, so the difference is the option's modelled effect, with its interval. Every loader
names the file, the entry and the field of each problem, all of them together.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskbrief import sampling
from riskbrief.errors import InputError, Problems, did_you_mean
from riskbrief.models import MODELS
from riskbrief.readers import (
    choices,
    dates,
    matching,
    non_empty,
    read_table,
    read_yaml,
    unique,
)
from riskbrief.scenarios import Range, Scenario

AUDIENCES: tuple[str, ...] = ("policy", "security", "negotiation")
FEASIBILITY: tuple[str, ...] = ("high", "moderate", "low")
DIRECTIONS: tuple[str, ...] = ("raises", "lowers")
OPTION_FIELDS = {
    "id": True,
    "title": True,
    "who": True,
    "what": True,
    "changes": True,
    "evidence": True,
    "costs": True,
    "feasibility": True,
    "time_frame": True,
    "audiences": True,
    "notes": False,
    "model": False,
}
SIGNPOST_FIELDS = {
    "id": True,
    "watch": True,
    "source": True,
    "now": False,
    "trigger": True,
    "judgment": True,
    "direction": True,
    "audiences": True,
    "why": True,
}
GOVERNANCE_COLUMNS = (
    "id",
    "fact_id",
    "event",
    "date",
    "parties",
    "detail",
    "source",
    "locator",
    "url",
    "evidence",
)


# --- the governance record ---------------------------------------------------------------------


def load_governance(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The sourced record of commitments, statements and measures (one row each)."""
    path = Path(path)
    frame = read_table(path, GOVERNANCE_COLUMNS)
    problems = Problems(path)
    matching(frame, "id", r"[a-z0-9][a-z0-9-]*", "lower-case letters, digits and '-'", problems)
    unique(frame, "id", problems)
    matching(frame, "fact_id", r"F\d{3}", "a facts-table id such as F077", problems)
    for field in ("event", "parties", "detail", "source", "locator"):
        non_empty(frame, field, problems)
    matching(frame, "url", r"https?://\S+", "a web address starting http:// or https://", problems)
    choices(frame, "evidence", ("primary-text", "chart-parsed", "secondary", "derived"), problems)
    when = dates(frame, "date", problems)
    problems.raise_if_any()
    out = frame.copy()
    out["date"] = when
    return out.reset_index()


# --- options and signposts ---------------------------------------------------------------------


def _entries(path: Path, key: str) -> list[Any]:
    doc = read_yaml(path)
    if not isinstance(doc, Mapping) or not isinstance(doc.get(key), list) or not doc[key]:
        raise InputError(path, f"expected a non-empty '{key}' list at the top level")
    extra = [k for k in doc if k != key]
    if extra:
        raise InputError(path, f"unknown top-level field (allowed: {key})", field=str(extra[0]))
    return doc[key]


def _check_fields(
    problems: Problems, where: str, entry: Any, fields: Mapping[str, bool]
) -> dict[str, Any] | None:
    if not isinstance(entry, Mapping):
        problems.add("expected a mapping of fields", field=where)
        return None
    for k in entry:
        if k not in fields:
            problems.add(
                f"unknown field{did_you_mean(str(k), fields)} (allowed: {', '.join(fields)})",
                field=f"{where}.{k}",
            )
    ok = True
    for k, required in fields.items():
        if required and k not in entry:
            problems.add("missing field", field=f"{where}.{k}")
            ok = False
    return dict(entry) if ok else None


def _text(problems: Problems, where: str, entry: Mapping[str, Any], *keys: str) -> None:
    for k in keys:
        v = entry.get(k)
        if not isinstance(v, str) or not v.strip():
            problems.add("must be non-empty text", field=f"{where}.{k}")
        else:
            entry[k] = " ".join(v.split())  # type: ignore[index]


def _one_of(
    problems: Problems, where: str, value: Any, allowed: tuple[str, ...], many: bool = False
) -> None:
    values = value if many else [value]
    if many and (not isinstance(value, list) or not value):
        problems.add(f"must list one or more of {', '.join(allowed)}", field=where)
        return
    for v in values:
        if v not in allowed:
            problems.add(
                f"must be one of {', '.join(allowed)}, got {v!r}{did_you_mean(str(v), allowed)}",
                field=where,
            )


def _check_model(problems: Problems, where: str, model: Any) -> None:
    if not isinstance(model, Mapping):
        problems.add("expected a mapping of model -> parameter -> change", field=where)
        return
    for key, params in model.items():
        if key not in MODELS:
            problems.add(
                f"unknown model{did_you_mean(str(key), MODELS)} (models: {', '.join(MODELS)})",
                field=f"{where}.{key}",
            )
            continue
        spec = MODELS[key]
        names = {p.name: p for p in spec.parameters} | {c.name: c for c in spec.choices}
        if not isinstance(params, Mapping) or not params:
            problems.add("expected a mapping of parameter -> change", field=f"{where}.{key}")
            continue
        for name, change in params.items():
            fld = f"{where}.{key}.{name}"
            if name not in names:
                problems.add(
                    f"unknown parameter{did_you_mean(str(name), names)} (of {spec.title}: "
                    f"{', '.join(names)})",
                    field=fld,
                )
                continue
            if not isinstance(change, Mapping) or len(change) != 1:
                problems.add("expected one of {shift: x}, {scale: x}, {set: option}", field=fld)
                continue
            (how, value), choice = (
                next(iter(change.items())),
                name in {c.name for c in spec.choices},
            )
            if choice:
                options = next(c.options for c in spec.choices if c.name == name)
                if how != "set" or value not in options:
                    problems.add(f"a setting: use {{set: one of {', '.join(options)}}}", field=fld)
            elif how not in ("shift", "scale") or isinstance(value, bool):
                problems.add("a numeric parameter: use {shift: x} or {scale: x}", field=fld)
            elif not isinstance(value, int | float) or (how == "scale" and value <= 0):
                problems.add(
                    f"{how} must be a {'positive ' if how == 'scale' else ''}number", field=fld
                )


def load_options(
    path: str | os.PathLike[str], evidence_ids: set[str] | None = None
) -> list[dict[str, Any]]:
    """The options, validated; ``evidence`` ids must be in ``evidence_ids`` when given."""
    path = Path(path)
    problems = Problems(path)
    out, seen = [], set()
    for i, raw in enumerate(_entries(path, "options"), 1):
        where = f"options.{i}"
        e = _check_fields(problems, where, raw, OPTION_FIELDS)
        if e is None:
            continue
        if e["id"] in seen:
            problems.add(f"id '{e['id']}' is used twice", field=f"{where}.id")
        seen.add(e["id"])
        _text(problems, where, e, "title", "who", "what", "changes", "costs", "time_frame")
        _one_of(problems, f"{where}.feasibility", e["feasibility"], FEASIBILITY)
        _one_of(problems, f"{where}.audiences", e["audiences"], AUDIENCES, many=True)
        if not isinstance(e["evidence"], list):
            problems.add("must be a list of record ids ([] if none)", field=f"{where}.evidence")
        elif evidence_ids is not None:
            for ref in e["evidence"]:
                if ref not in evidence_ids:
                    problems.add(
                        f"unknown record '{ref}'{did_you_mean(str(ref), evidence_ids)} (ids of "
                        "data/governance.csv or data/indicators.csv)",
                        field=f"{where}.evidence",
                    )
        if "model" in e:
            _check_model(problems, f"{where}.model", e["model"])
        notes = e.setdefault("notes", {})
        if not isinstance(notes, Mapping):
            problems.add("expected a mapping of audience -> text", field=f"{where}.notes")
        else:
            for aud, text in notes.items():
                _one_of(problems, f"{where}.notes", aud, AUDIENCES)
                if not isinstance(text, str) or not text.strip():
                    problems.add("must be non-empty text", field=f"{where}.notes.{aud}")
            e["notes"] = {a: " ".join(str(t).split()) for a, t in notes.items()}
        out.append(e)
    problems.raise_if_any(sort=False)
    return out


def load_signposts(
    path: str | os.PathLike[str],
    source_ids: set[str] | None = None,
    judgments: set[str] | None = None,
) -> list[dict[str, Any]]:
    """The signposts, validated; ``source`` ids and ``judgment`` names checked when given."""
    path = Path(path)
    problems = Problems(path)
    out, seen = [], set()
    for i, raw in enumerate(_entries(path, "signposts"), 1):
        where = f"signposts.{i}"
        e = _check_fields(problems, where, raw, SIGNPOST_FIELDS)
        if e is None:
            continue
        if e["id"] in seen:
            problems.add(f"id '{e['id']}' is used twice", field=f"{where}.id")
        seen.add(e["id"])
        _text(problems, where, e, "watch", "trigger", "why")
        _one_of(problems, f"{where}.direction", e["direction"], DIRECTIONS)
        _one_of(problems, f"{where}.audiences", e["audiences"], AUDIENCES, many=True)
        if e["source"] is None:
            if not isinstance(e.get("now"), str) or not e["now"].strip():
                problems.add("with no source, say where it stands in 'now'", field=f"{where}.now")
        elif source_ids is not None and e["source"] not in source_ids:
            problems.add(
                f"unknown record '{e['source']}'{did_you_mean(str(e['source']), source_ids)}",
                field=f"{where}.source",
            )
        if judgments is not None and e["judgment"] not in judgments:
            problems.add(
                f"unknown judgment '{e['judgment']}'{did_you_mean(str(e['judgment']), judgments)}"
                f" (one of: {', '.join(sorted(judgments))})",
                field=f"{where}.judgment",
            )
        out.append(e)
    problems.raise_if_any(sort=False)
    return out


def for_audience(entries: list[dict[str, Any]], role: str) -> list[dict[str, Any]]:
    """The entries that concern readers in ``role``, in file order."""
    return [e for e in entries if role in e["audiences"]]


# --- an option's modelled effect ---------------------------------------------------------------


def _clamp(x: float, spec) -> float:
    lo = spec.lower + (1e-6 if spec.lower_open else 0.0)
    return float(min(max(x, lo), spec.upper))


def apply(scenario: Scenario, model: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> Scenario:
    """The scenario with an option's changes applied: shifts and scales of each numeric
    parameter's central, low and high values (kept within the parameter's bounds), and
    categorical settings set."""
    ranges = {k: dict(v) for k, v in scenario.ranges.items()}
    settings = {k: dict(v) for k, v in scenario.choices.items()}
    for key, params in model.items():
        spec = MODELS[key]
        numeric = {p.name: p for p in spec.parameters}
        for name, change in params.items():
            ((how, value),) = change.items()
            if how == "set":
                settings.setdefault(key, {})[name] = value
                continue
            r, p = ranges[key][name], numeric[name]
            fn = (lambda x, v=value: x + v) if how == "shift" else (lambda x, v=value: x * v)
            low, central, high = (_clamp(fn(x), p) for x in (r.low, r.central, r.high))
            ranges[key][name] = Range(central, min(low, central), max(high, central))
    return dataclasses.replace(scenario, ranges=ranges, choices=settings)


def effect(
    scenario: Scenario, option: Mapping[str, Any], *, draws: int, seed: int
) -> dict[str, Any] | None:
    """The option's modelled effect on ``scenario``: the scenario and its changed self on the
    same draws (so the difference is the option's, not sampling noise). None if the option has
    no model mapping. Returned numbers: the racing model's median disaster probability before
    and after with the paired difference's median and 80% interval; Richardson's share of
    runaway draws and DSAIR's compliance share, before and after; ``already_assumed``: the
    settings the option sets that the scenario already has."""
    model = option.get("model")
    if not model:
        return None
    changed = dataclasses.replace(apply(scenario, model), id=f"{scenario.id}+{option['id']}")
    mc = sampling.monte_carlo([scenario, changed], draws, seed, dsair_draws=0)
    a, b = mc.disaster[scenario.id], mc.disaster[changed.id]
    diff = b - a
    q = sampling.quantiles(diff)
    ses = sampling.quantile_ses(diff)
    zone = sampling.ZONES.index("compliance")
    # settings the option would set that the scenario already assumes (no change to model)
    already = [
        name
        for key, params in model.items()
        for name, change in params.items()
        if "set" in change and scenario.choices.get(key, {}).get(name) == change["set"]
    ]
    return {
        "scenario": scenario.id,
        "changes": {k: dict(v) for k, v in model.items()},
        "already_assumed": already,
        "disaster_before": float(np.median(a)),
        "disaster_after": float(np.median(b)),
        "difference_median": q["median"],
        "difference_p10": q["p10"],
        "difference_p90": q["p90"],
        "difference_median_se": ses["median_se"],
        "difference_p10_se": ses["p10_se"],
        "difference_p90_se": ses["p90_se"],
        "runaway_before": float(mc.runaway[scenario.id].mean()),
        "runaway_after": float(mc.runaway[changed.id].mean()),
        "compliance_before": float((mc.zone[scenario.id] == zone).mean()),
        "compliance_after": float((mc.zone[changed.id] == zone).mean()),
        "draws": draws,
    }
