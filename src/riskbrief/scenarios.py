"""The scenario file (``data/scenarios.yaml``): scenarios of the US-China AI race as inputs to
the published race models.

One entry per scenario with, for every model registered in :data:`riskbrief.models.MODELS`,
each numeric parameter as ``{central, low, high}`` and each categorical setting (the
information regime, the DSAIR regime) as a name. The values are an analyst's illustrative
assessment, not measurements; every scenario says so in its ``basis``. :func:`load_scenarios`
validates the file; every error names the file, the scenario and the field.

Sampling and the models' outputs are in :mod:`riskbrief.sampling`; the words in
:mod:`riskbrief.narrative.scenarios`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from riskbrief.errors import InputError, InputErrors, Problems, did_you_mean
from riskbrief.models import MODELS, Parameter
from riskbrief.readers import decode, parse_yaml, read_bytes

TEXT_FIELDS = ("title", "summary", "basis")
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


# --- the scenario file ------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """An analyst's three-point estimate: most likely value and plausible range."""

    central: float
    low: float
    high: float

    @property
    def fixed(self) -> bool:
        return self.low == self.high

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF of the triangular distribution (low, mode = central, high)."""
        u = np.asarray(u, dtype=float)
        lo, mode, hi = self.low, self.central, self.high
        if self.fixed:
            return np.full(u.shape, float(lo))
        width = hi - lo
        f_mode = (mode - lo) / width
        left = lo + np.sqrt(u * width * (mode - lo))
        right = hi - np.sqrt((1.0 - u) * width * (hi - mode))
        return np.where(u < f_mode, left, right)


@dataclass(frozen=True)
class Scenario:
    """One validated scenario: text, and for each model its ranges and settings."""

    id: str
    title: str
    summary: str
    basis: str
    ranges: Mapping[str, Mapping[str, Range]]  # model -> parameter name -> range
    choices: Mapping[str, Mapping[str, str]] = field(
        default_factory=dict
    )  # model -> name -> option
    #: category -> {"likelihood": whole-step shift, "rationale": text} (see risk_shifts)
    risk_shifts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def central(self, model: str) -> dict[str, Any]:
        """The model's parameters at their central values, settings included."""
        out: dict[str, Any] = {}
        for p in MODELS[model].parameters:
            v = self.ranges[model][p.name].central
            out[p.name] = int(v) if p.integer else float(v)
        out.update(self.choices.get(model, {}))
        return out


#: The Monte Carlo seed of a scenario file that names none.
DEFAULT_SEED = 20261127


class ScenarioSet(dict[str, Scenario]):
    """The scenarios of one file by id, in file order, and the file's Monte Carlo ``seed``.

    The seed belongs to the scenarios, not to a briefing: every briefing that shows a
    scenario samples it from the same random streams (common random numbers), so the same
    scenario with the same inputs reports the same numbers wherever it appears."""

    seed: int = DEFAULT_SEED


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


class _Checker(Problems):
    """The problems of one scenarios file, each named by scenario and field."""

    def error(self, sid: str | None, fld: str, problem: str) -> None:
        where = f"scenario '{sid}'" if sid else "the file"
        self.add(f"{where}: {problem}", field=f"{sid}.{fld}" if sid else fld)

    def range_(self, sid: str, fld: str, raw: Any, spec: Parameter) -> Range | None:
        if _is_number(raw):
            self.error(sid, fld, f"expected {{central, low, high}}, got a single number {raw!r}")
            return None
        if not isinstance(raw, Mapping):
            self.error(sid, fld, f"expected a mapping {{central, low, high}}, got {raw!r}")
            return None
        ok = True
        for key in ("central", "low", "high"):
            if key not in raw:
                self.error(sid, f"{fld}.{key}", "missing field")
                ok = False
            elif not _is_number(raw[key]):
                self.error(sid, f"{fld}.{key}", f"must be a finite number, got {raw[key]!r}")
                ok = False
        for key in sorted(set(raw) - {"central", "low", "high"}, key=str):
            self.error(sid, f"{fld}.{key}", "unknown field (allowed: central, low, high)")
            ok = False
        if not ok:
            return None
        r = Range(float(raw["central"]), float(raw["low"]), float(raw["high"]))
        for key in ("central", "low", "high"):
            problem = spec.problem(getattr(r, key))
            if problem:
                prob = (spec.lower, spec.upper, spec.lower_open) == (0, 1, False)
                what = "a probability" if prob else spec.label
                self.error(sid, f"{fld}.{key}", f"{what} {problem} (allowed {spec.bounds_text})")
                ok = False
        if r.low > r.high:
            self.error(sid, fld, f"low ({r.low:g}) is above high ({r.high:g})")
            ok = False
        elif not r.low <= r.central <= r.high:
            self.error(
                sid, f"{fld}.central", f"central ({r.central:g}) is outside [{r.low:g}, {r.high:g}]"
            )
            ok = False
        return r if ok else None


def _lookup(block: Mapping[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    cur: Any = block
    for key in path:
        if not isinstance(cur, Mapping) or key not in cur:
            return False, None
        cur = cur[key]
    return True, cur


def _known_keys(params: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], set[str]]:
    """For each nesting level of a model block, the keys allowed there."""
    allowed: dict[tuple[str, ...], set[str]] = {}
    for path in params:
        for i in range(len(path)):
            allowed.setdefault(path[:i], set()).add(path[i])
    return allowed


def _check_model(chk: _Checker, sid: str, key: str, block: Any) -> tuple[dict, dict] | None:
    model = MODELS[key]
    if not isinstance(block, Mapping):
        chk.error(sid, key, f"expected a mapping of {model.title} parameters, got {block!r}")
        return None
    before = len(chk.errors)
    allowed = _known_keys([p.path for p in model.parameters] + [c.path for c in model.choices])

    def unknown(node: Mapping[str, Any], prefix: tuple[str, ...]) -> None:
        for k in node:
            here = (*prefix, str(k))
            if str(k) not in allowed.get(prefix, set()):
                ok = ", ".join(sorted(allowed.get(prefix, set())))
                chk.error(sid, ".".join((key, *here)), f"unknown field (allowed here: {ok})")
            elif here in allowed and isinstance(node[k], Mapping):
                unknown(node[k], here)

    unknown(block, ())
    ranges: dict[str, Range] = {}
    for p in model.parameters:
        fld = ".".join((key, *p.path))
        found, raw = _lookup(block, p.path)
        if not found:
            chk.error(sid, fld, f"missing field ({p.label})")
            continue
        r = chk.range_(sid, fld, raw, p)
        if r is not None:
            ranges[p.name] = r
    choices: dict[str, str] = {}
    for c in model.choices:
        fld = ".".join((key, *c.path))
        found, raw = _lookup(block, c.path)
        if not found:
            chk.error(sid, fld, f"missing field ({c.label}: one of {', '.join(c.options)})")
        elif raw not in c.options:
            chk.error(sid, fld, f"unknown {c.label} {raw!r} (allowed: {', '.join(c.options)})")
        else:
            choices[c.name] = raw
    if key == "dsair" and {"speed", "W"} <= set(ranges):
        if ranges["W"].low < ranges["speed"].high:
            chk.error(sid, "dsair.W.low", "rounds W must be at least the highest speed")
    if len(chk.errors) > before:
        return None
    return ranges, choices


def _check_scenario(chk: _Checker, i: int, raw: Any, seen: set[str]) -> Scenario | None:
    if not isinstance(raw, Mapping):
        chk.error(None, f"scenarios.{i}", f"expected a mapping for scenario {i + 1}, got {raw!r}")
        return None
    sid = raw.get("id")
    if not isinstance(sid, str) or not sid:
        chk.error(None, f"scenarios.{i}.id", f"scenario {i + 1} has no 'id' (a short name)")
        return None
    if not set(sid) <= _ID_CHARS or sid.startswith("-"):
        chk.error(sid, "id", "must be lower-case letters, digits and '-'")
        return None
    if sid in seen:
        chk.error(sid, "id", "defined twice")
        return None
    seen.add(sid)
    before = len(chk.errors)
    allowed = {"id", *TEXT_FIELDS, *MODELS, "risk_shifts"}
    for k in raw:
        if k not in allowed:
            chk.error(sid, str(k), f"unknown field (allowed: {', '.join(sorted(allowed))})")
    text: dict[str, str] = {}
    for fld in TEXT_FIELDS:
        v = raw.get(fld)
        if fld not in raw:
            chk.error(sid, fld, "missing field")
        elif not isinstance(v, str) or not v.strip():
            chk.error(sid, fld, "must be non-empty text")
        else:
            text[fld] = " ".join(v.split())
    ranges, choices = {}, {}
    for key in MODELS:
        if key not in raw:
            chk.error(sid, key, f"missing field (the {MODELS[key].title} parameters)")
            continue
        checked = _check_model(chk, sid, key, raw[key])
        if checked:
            ranges[key], choices[key] = checked
    if len(chk.errors) > before:
        return None
    shifts = _check_shifts(chk, sid, raw.get("risk_shifts", {}))
    if len(chk.errors) > before:
        return None
    return Scenario(id=sid, ranges=ranges, choices=choices, risk_shifts=shifts, **text)


def _check_shifts(chk: _Checker, sid: str, raw: Any) -> dict[str, dict[str, Any]]:
    """``risk_shifts``: per register category, a whole-step likelihood shift and a rationale."""
    from riskbrief.register import CATEGORIES

    if not isinstance(raw, Mapping):
        chk.error(sid, "risk_shifts", "expected a mapping of category -> {likelihood, rationale}")
        return {}
    out: dict[str, dict[str, Any]] = {}
    for cat, entry in raw.items():
        fld = f"risk_shifts.{cat}"
        if cat not in CATEGORIES:
            chk.error(
                sid,
                fld,
                f"unknown category{did_you_mean(str(cat), CATEGORIES)} (categories: {', '.join(CATEGORIES)})",
            )
            continue
        if not isinstance(entry, Mapping) or set(entry) != {"likelihood", "rationale"}:
            chk.error(sid, fld, "expected exactly {likelihood, rationale}")
            continue
        step, why = entry["likelihood"], entry["rationale"]
        if isinstance(step, bool) or not isinstance(step, int) or not -4 <= step <= 4:
            chk.error(
                sid, f"{fld}.likelihood", f"must be a whole number from -4 to 4, got {step!r}"
            )
            continue
        if not isinstance(why, str) or not why.strip():
            chk.error(
                sid, f"{fld}.rationale", "must be non-empty text: say why the scenario shifts it"
            )
            continue
        out[str(cat)] = {"likelihood": step, "rationale": " ".join(why.split())}
    return out


def parse_scenarios(text: str, path: str | os.PathLike[str]) -> ScenarioSet:
    """Validate the text of a scenarios file; ``path`` names it in error messages."""
    path = Path(path)
    doc = parse_yaml(text, path)
    if doc is None:
        raise InputError(path, "the file is empty: expected a 'scenarios' list")
    if not isinstance(doc, Mapping):
        raise InputError(path, "expected a mapping with a 'scenarios' list at the top level")
    chk = _Checker(path)
    for k in doc:
        if k not in ("scenarios", "seed"):
            chk.error(None, str(k), "unknown top-level field (allowed: seed, scenarios)")
    seed = doc.get("seed", DEFAULT_SEED)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        chk.error(None, "seed", f"must be a whole number from 0 to {2**32 - 1}, got {seed!r}")
    items = doc.get("scenarios")
    if items is None:
        chk.error(None, "scenarios", "missing field: the list of scenarios")
    elif not isinstance(items, list) or not items:
        chk.error(None, "scenarios", "must be a non-empty list of scenarios")
        items = None
    out = ScenarioSet()
    seen: set[str] = set()
    for i, raw in enumerate(items or []):
        s = _check_scenario(chk, i, raw, seen)
        if s is not None:
            out[s.id] = s
    if chk:
        raise InputErrors(chk.errors)
    out.seed = int(seed)
    return out


def load_scenarios(path: str | os.PathLike[str]) -> ScenarioSet:
    """Read and validate a scenarios file such as ``data/scenarios.yaml``.

    Returns the scenarios by id, in file order. Raises :class:`~riskbrief.errors.InputError`
    (or :class:`~riskbrief.errors.InputErrors` listing every problem) naming the file, the
    scenario and the field.
    """
    return parse_scenarios(decode(read_bytes(path), path), path)


def used_scenarios(path: str | os.PathLike[str], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """What a briefing uses of a scenarios file: the entries of the scenarios its params name
    anywhere (those shown, the one the register is scored under, the one options are evaluated
    in…), as written (comments, layout and the other scenarios left out). The fingerprint
    hashes this, and the change log compares it row by row."""
    doc = parse_yaml(decode(read_bytes(path), path), path)
    items = doc.get("scenarios") if isinstance(doc, Mapping) else None
    ids = [
        str(e["id"])
        for e in (items if isinstance(items, list) else [])
        if isinstance(e, Mapping) and "id" in e
    ]
    named: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str) and value in ids and value not in named:
            named.append(value)
        elif isinstance(value, Mapping):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk({k: v for k, v in parameters.items() if k != "data"})
    shown = named
    entries = {
        str(e["id"]): e
        for e in (items if isinstance(items, list) else [])
        if isinstance(e, Mapping) and e.get("id") in shown
    }
    settings = (
        {str(k): v for k, v in doc.items() if k != "scenarios"} if isinstance(doc, Mapping) else {}
    )
    return {**settings, "scenarios": {sid: entries[sid] for sid in shown if sid in entries}}


def select(
    scenarios: Mapping[str, Scenario],
    shown: Sequence[str],
    path: str | os.PathLike[str] | None = None,
    *,
    focus: str | None = None,
) -> list[Scenario]:
    """The scenarios to show, in the order asked; an unknown name is an InputError."""
    where = path
    if not shown:
        raise InputError(where, "no scenarios chosen", field="scenarios_shown")
    errors = [
        InputError(
            where,
            f"unknown scenario '{s}' chosen{did_you_mean(s, scenarios)} "
            f"(defined: {', '.join(scenarios)})",
            field=f"scenarios_shown.{i}",
        )
        for i, s in enumerate(shown)
        if s not in scenarios
    ]
    if focus is not None and focus not in shown:
        errors.append(
            InputError(
                where,
                f"focus scenario '{focus}' is not among the scenarios shown ({', '.join(shown)})",
                field="focus",
            )
        )
    if len(set(shown)) != len(shown):
        errors.append(InputError(where, "a scenario is chosen twice", field="scenarios_shown"))
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return [scenarios[s] for s in shown]
