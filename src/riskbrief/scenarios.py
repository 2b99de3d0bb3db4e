"""Scenarios of the US-China AI race run through the published race models, with uncertainty.

Inputs
    ``data/scenarios.yaml``: one entry per scenario with, for every model registered in
    :data:`riskbrief.models.MODELS`, each numeric parameter as ``{central, low, high}`` and
    each categorical setting (the information regime, the DSAIR regime) as a name. The values
    are an analyst's illustrative assessment, not measurements; every scenario says so in
    its ``basis``. :func:`load_scenarios` validates the file; every error names the file, the
    scenario and the field.

Uncertainty
    Each numeric parameter is drawn from a triangular distribution on ``[low, high]`` with its
    mode at ``central`` (``low = high`` fixes it); integer parameters (the number of teams)
    are the draw rounded to the nearest whole number. Draws are *paired* across scenarios:
    draw *k* uses the same quantile of every parameter's range in every scenario (common
    random numbers), so comparisons between scenarios reflect the scenarios, not sampling
    noise. Every parameter has its own random stream, derived from the seed and the
    parameter's name, and is generated in order, so results do not depend on the chunk size.

Per draw
    * the disaster probability of the racing model (Armstrong, Bostrom & Shulman 2016): the
      chance that the first AI is unsafe when teams play the equilibrium for that draw's
      parameters (closed form);
    * whether Richardson's equations (Richardson 1960) run away (``a b >= m n``);
    * the DSAIR zone (Han et al. 2020): compliance, dilemma or innovation.

Outputs
    Per scenario: the median disaster probability with 80% (10th-90th percentile) and 95%
    (2.5th-97.5th) intervals, the share of runaway draws and of draws in each DSAIR zone;
    a paired comparison of two scenarios (ratio and difference of disaster probabilities);
    a one-at-a-time sensitivity (tornado) around one scenario's central values; and the
    generated prose and key judgments of the briefing's scenarios section.

Everything here is a pure function of its arguments except :func:`load_scenarios`, which
reads the file.
"""

from __future__ import annotations

import math
import os
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from riskbrief import paths
from riskbrief.errors import InputError, InputErrors
from riskbrief.models import MODELS, Parameter, dsair, racing, richardson
from riskbrief.narrative import ICD203_SOURCE, estimative_phrase, interval, md_escape, pct

EN_DASH = "\u2013"
TIMES = "\u00d7"

#: The file the section reads when no path is given.
DEFAULT_FILE = "scenarios.yaml"
#: Quantiles reported for every sampled quantity: median, 80% and 95% intervals.
QUANTILES: dict[str, float] = {
    "p2_5": 0.025,
    "p10": 0.10,
    "median": 0.50,
    "p90": 0.90,
    "p97_5": 0.975,
}
#: Draws evaluated at once; memory per chunk is a few dozen arrays of this length.
CHUNK = 1 << 17
ZONES = dsair.ZONES
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

    def central(self, model: str) -> dict[str, Any]:
        """The model's parameters at their central values, settings included."""
        out: dict[str, Any] = {}
        for p in MODELS[model].parameters:
            v = self.ranges[model][p.name].central
            out[p.name] = int(v) if p.integer else float(v)
        out.update(self.choices.get(model, {}))
        return out


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys (PyYAML keeps the last one silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen[key] = True
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def default_path() -> Path:
    return paths.DATA_DIR / DEFAULT_FILE


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


class _Checker:
    """Collects every problem in the file so the analyst can fix them in one pass."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[InputError] = []

    def error(self, sid: str | None, fld: str, problem: str) -> None:
        where = f"scenario '{sid}'" if sid else "the file"
        full = f"{sid}.{fld}" if sid else fld
        self.errors.append(InputError(self.path, f"{where}: {problem}", field=full))

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
    allowed = {"id", *TEXT_FIELDS, *MODELS}
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
    return Scenario(id=sid, ranges=ranges, choices=choices, **text)


def parse_scenarios(text: str, path: str | os.PathLike[str]) -> dict[str, Scenario]:
    """Validate the text of a scenarios file; ``path`` names it in error messages."""
    path = Path(path)
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, f"not valid YAML{where}: {problem}") from None
    if doc is None:
        raise InputError(path, "the file is empty: expected a 'scenarios' list")
    if not isinstance(doc, Mapping):
        raise InputError(path, "expected a mapping with a 'scenarios' list at the top level")
    chk = _Checker(path)
    for k in doc:
        if k != "scenarios":
            chk.error(None, str(k), "unknown top-level field (allowed: scenarios)")
    items = doc.get("scenarios")
    if items is None:
        chk.error(None, "scenarios", "missing field: the list of scenarios")
    elif not isinstance(items, list) or not items:
        chk.error(None, "scenarios", "must be a non-empty list of scenarios")
        items = None
    out: dict[str, Scenario] = {}
    seen: set[str] = set()
    for i, raw in enumerate(items or []):
        s = _check_scenario(chk, i, raw, seen)
        if s is not None:
            out[s.id] = s
    if chk.errors:
        raise InputErrors(chk.errors)
    return out


def load_scenarios(path: str | os.PathLike[str] | None = None) -> dict[str, Scenario]:
    """Read and validate a scenarios file (default: the project's ``data/scenarios.yaml``).

    Returns the scenarios by id, in file order. Raises :class:`~riskbrief.errors.InputError`
    (or :class:`~riskbrief.errors.InputErrors` listing every problem) naming the file, the
    scenario and the field.
    """
    path = Path(path) if path is not None else default_path()
    if not path.is_file():
        raise InputError(path, "file not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            path,
            f"not UTF-8 text: line {line}, byte {exc.start} (0x{raw[exc.start]:02x}) "
            "cannot be decoded; save the file as UTF-8",
        ) from None
    return parse_scenarios(text, path)


def select(
    scenarios: Mapping[str, Scenario],
    shown: Sequence[str],
    path: str | os.PathLike[str] | None = None,
    *,
    focus: str | None = None,
) -> list[Scenario]:
    """The scenarios to show, in the order asked; an unknown name is an InputError."""
    where = path if path is not None else default_path()
    if not shown:
        raise InputError(where, "no scenarios chosen", field="scenarios_shown")
    errors = [
        InputError(
            where,
            f"unknown scenario '{s}' chosen (defined: {', '.join(scenarios)})",
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


# --- Monte Carlo --------------------------------------------------------------------------------


def _stream(seed: int, name: str) -> np.random.Generator:
    """The random stream of one parameter, shared by every scenario (paired draws)."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def _values(r: Range, u: np.ndarray, spec: Parameter) -> np.ndarray:
    x = r.ppf(u)
    if spec.integer:
        x = np.clip(np.floor(x + 0.5), r.low, r.high)
    return x


def racing_disaster(
    n: np.ndarray, mu: np.ndarray, enmity: np.ndarray, information: str
) -> np.ndarray:
    """Disaster probability per draw when the number of teams varies between draws."""
    out = np.empty(mu.shape)
    for k in np.unique(n):
        sel = n == k
        out[sel] = racing.disaster_probability(int(k), mu[sel], enmity[sel], information)
    return out


def _zone_codes(p_r, speed, p_fo, b, c, regime: str) -> np.ndarray:
    collective, dominant = dsair.regime_thresholds(regime, b, c, speed, p_fo)
    codes = np.full(np.shape(p_r), ZONES.index("dilemma"), dtype=np.int8)
    codes[p_r > np.maximum(dominant, collective)] = ZONES.index("compliance")
    codes[p_r < collective] = ZONES.index("innovation")
    return codes


@dataclass(frozen=True)
class MonteCarlo:
    """Paired draws for each scenario: ``disaster`` (float), ``runaway`` (bool), ``growth``
    (Richardson's largest eigenvalue: the long-run growth rate per year, negative when
    stable) and ``zone`` (int codes into :data:`ZONES`), each an array of length ``draws``
    per scenario id."""

    ids: tuple[str, ...]
    draws: int
    seed: int
    disaster: Mapping[str, np.ndarray]
    runaway: Mapping[str, np.ndarray]
    growth: Mapping[str, np.ndarray]
    zone: Mapping[str, np.ndarray]


def monte_carlo(
    scenarios: Sequence[Scenario], draws: int, seed: int, *, chunk: int = CHUNK
) -> MonteCarlo:
    """Sample every scenario's parameter ranges ``draws`` times and evaluate the models.

    Vectorised and chunked (``chunk`` draws at a time); paired across scenarios; each
    parameter has its own seeded stream, so results depend on ``seed`` and ``draws`` only.
    """
    if isinstance(draws, bool) or int(draws) != draws or draws < 1:
        raise ValueError(f"draws must be a positive integer, got {draws!r}")
    if not scenarios:
        raise ValueError("no scenarios to sample")
    draws, chunk = int(draws), max(1, int(chunk))
    specs = [(m, p) for m in MODELS.values() for p in m.parameters]
    streams = {(m.key, p.name): _stream(seed, f"{m.key}.{p.name}") for m, p in specs}
    ids = tuple(s.id for s in scenarios)
    disaster = {i: np.empty(draws) for i in ids}
    runaway = {i: np.empty(draws, dtype=bool) for i in ids}
    growth = {i: np.empty(draws) for i in ids}
    zone = {i: np.empty(draws, dtype=np.int8) for i in ids}
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        sl = slice(start, start + size)
        u = {k: g.random(size) for k, g in streams.items()}
        for s in scenarios:
            v = {
                (m.key, p.name): _values(s.ranges[m.key][p.name], u[(m.key, p.name)], p)
                for m, p in specs
            }
            disaster[s.id][sl] = racing_disaster(
                v["racing", "n"].astype(int),
                v["racing", "mu"],
                v["racing", "enmity"],
                s.choices["racing"]["information"],
            )
            a, b, m, n = (v["richardson", k] for k in ("a", "b", "m", "n"))
            runaway[s.id][sl] = richardson.stability_margin(a, b, m, n) <= 0
            growth[s.id][sl] = richardson.growth_rate(a, b, m, n)
            zone[s.id][sl] = _zone_codes(
                v["dsair", "p_r"],
                v["dsair", "speed"],
                v["dsair", "p_fo"],
                v["dsair", "b"],
                v["dsair", "c"],
                s.choices["dsair"]["regime"],
            )
    return MonteCarlo(ids, draws, int(seed), disaster, runaway, growth, zone)


def quantiles(x: np.ndarray) -> dict[str, float]:
    """Median, 80% and 95% interval bounds of a sample (keys of :data:`QUANTILES`)."""
    q = np.quantile(x, list(QUANTILES.values()))
    return {k: float(v) for k, v in zip(QUANTILES, q, strict=True)}


# --- central values -----------------------------------------------------------------------------


def central_disaster(s: Scenario) -> float:
    p = s.central("racing")
    return racing.disaster_probability(p["n"], p["mu"], p["enmity"], p["information"])


def central_richardson(s: Scenario) -> dict[str, Any]:
    p = s.central("richardson")
    status = richardson.stability(p["a"], p["b"], p["m"], p["n"])
    out: dict[str, Any] = {
        "stability": status,
        "margin": float(p["m"] * p["n"] - p["a"] * p["b"]),
        "growth_rate": richardson.eigenvalues(p["a"], p["b"], p["m"], p["n"])[0],
    }
    if status == "stable":
        x, y = richardson.equilibrium(p["a"], p["b"], p["m"], p["n"], p["g"], p["h"])
        out.update(equilibrium_us=x, equilibrium_china=y)
    return out


def central_dsair(s: Scenario, Z: int = 100, beta: float = 0.1) -> dict[str, Any]:
    p = s.central("dsair")
    collective, dominant = (
        float(t)
        for t in dsair.regime_thresholds(p["regime"], p["b"], p["c"], p["speed"], p["p_fo"])
    )
    dist = dsair.stationary_distribution(
        p["b"], p["c"], p["speed"], p["p_fo"], p["p_r"], p["B"], p["W"], Z=Z, beta=beta
    )
    return {
        "zone": dsair.classify(p["p_r"], collective, dominant),
        "collective_threshold": collective,
        "risk_dominance_threshold": dominant,
        "p_r": p["p_r"],
        "speed": p["speed"],
        "safe_share": dist["AS"] + dist["CS"],
        "stationary": dist,
    }


def summarise(scenarios: Sequence[Scenario], mc: MonteCarlo) -> pd.DataFrame:
    """One row per scenario: disaster-probability quantiles, central value, Richardson and
    DSAIR results (central values and shares of draws)."""
    rows = []
    for s in scenarios:
        d = mc.disaster[s.id]
        rich = central_richardson(s)
        ds = central_dsair(s)
        zone_share = np.bincount(mc.zone[s.id], minlength=len(ZONES)) / mc.draws
        run = mc.runaway[s.id]
        # Growth per year of a runaway build-up, over the draws that run away.
        g = np.expm1(mc.growth[s.id][run]) if run.any() else np.zeros(1)
        gq = np.quantile(g, [0.1, 0.5, 0.9])
        rows.append(
            {
                "id": s.id,
                "title": s.title,
                "information": s.choices["racing"]["information"],
                **quantiles(d),
                "mean": float(d.mean()),
                "central": central_disaster(s),
                "runaway_share": float(run.mean()),
                "runaway_growth_p10": float(gq[0]),
                "runaway_growth_median": float(gq[1]),
                "runaway_growth_p90": float(gq[2]),
                "stability": rich["stability"],
                "growth_rate": rich["growth_rate"],
                "zone": ds["zone"],
                **{f"zone_{z}": float(v) for z, v in zip(ZONES, zone_share, strict=True)},
                "safe_share": ds["safe_share"],
            }
        )
    return pd.DataFrame(rows)


def compare(mc: MonteCarlo, numerator: str, denominator: str) -> dict[str, Any]:
    """Paired comparison of two scenarios' disaster probabilities.

    Ratio and difference are computed draw by draw (the draws are paired), then summarised
    by their quantiles. A draw whose denominator is zero has an unbounded ratio; if such draws
    reach a reported quantile, that quantile is ``None``.
    """
    a, b = mc.disaster[numerator], mc.disaster[denominator]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.where(a > 0, np.inf, 1.0))
    rq = np.quantile(ratio, list(QUANTILES.values()), method="inverted_cdf")
    return {
        "numerator": numerator,
        "denominator": denominator,
        "ratio": {
            k: (float(v) if np.isfinite(v) else None) for k, v in zip(QUANTILES, rq, strict=True)
        },
        "difference": quantiles(a - b),
        "share_higher": float(np.mean(a > b)),
    }


def comparison_pair(summary: pd.DataFrame) -> tuple[str, str] | None:
    """The scenarios to compare: highest and lowest median disaster probability."""
    if len(summary) < 2:
        return None
    ordered = summary.sort_values("median", ascending=False, kind="stable")
    hi, lo = ordered["id"].iloc[0], ordered["id"].iloc[-1]
    return (hi, lo) if hi != lo else None


# --- sensitivity ------------------------------------------------------------------------------


def sensitivity(s: Scenario) -> pd.DataFrame:
    """One-at-a-time sensitivity of the racing model's disaster probability (a tornado).

    Each numeric racing parameter is moved to its low and then its high value with the others
    at their central values; the information regime is switched to each other regime. Rows,
    largest swing first: ``parameter``, ``label``, ``low_setting``, ``high_setting`` (text),
    ``p_low``, ``p_high`` (disaster probability at each), ``base`` and ``swing``.
    """
    base_p = s.central("racing")
    model = MODELS["racing"]

    def p_at(**change: Any) -> float:
        q = {**base_p, **change}
        return racing.disaster_probability(q["n"], q["mu"], q["enmity"], q["information"])

    base = p_at()
    rows = []
    for spec in model.parameters:
        r = s.ranges["racing"][spec.name]
        if r.fixed:
            continue
        lo = int(r.low) if spec.integer else r.low
        hi = int(r.high) if spec.integer else r.high
        rows.append(
            {
                "parameter": spec.name,
                "label": spec.label,
                "low_setting": f"{lo:g}",
                "high_setting": f"{hi:g}",
                "p_low": p_at(**{spec.name: lo}),
                "p_high": p_at(**{spec.name: hi}),
            }
        )
    others = {
        reg: p_at(information=reg)
        for reg in racing.INFORMATION_REGIMES
        if reg != base_p["information"]
    }
    if others:
        safest = min(others, key=others.get)
        riskiest = max(others, key=others.get)
        rows.append(
            {
                "parameter": "information",
                "label": "information regime",
                "low_setting": safest,
                "high_setting": riskiest,
                "p_low": others[safest],
                "p_high": others[riskiest],
            }
        )
    df = pd.DataFrame(
        rows, columns=["parameter", "label", "low_setting", "high_setting", "p_low", "p_high"]
    )
    df["base"] = base
    df["swing"] = (df[["p_low", "p_high"]].max(axis=1) - df[["p_low", "p_high"]].min(axis=1)).clip(
        lower=0
    )
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


# --- model grids and trajectories for the charts ---------------------------------------------


def precipice_grid(
    n: int = 2,
    mu: Sequence[float] = (0.05, 3.0),
    enmity: Sequence[float] = (0.05, 1.0),
    resolution: int = 121,
) -> pd.DataFrame:
    """Disaster probability over a (mu, enmity) grid for each information regime (long form:
    ``information``, ``mu``, ``enmity``, ``p``)."""
    m, e = np.meshgrid(np.linspace(*mu, resolution), np.linspace(*enmity, resolution))
    frames = [
        pd.DataFrame(
            {
                "information": regime,
                "mu": m.ravel(),
                "enmity": e.ravel(),
                "p": racing.disaster_probability(n, m, e, regime).ravel(),
            }
        )
        for regime in racing.INFORMATION_REGIMES
    ]
    return pd.concat(frames, ignore_index=True)


def scenario_points(scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """Each scenario's racing and DSAIR parameters (central and range) for placing it on charts."""
    rows = []
    for s in scenarios:
        r, d = s.ranges["racing"], s.ranges["dsair"]
        rows.append(
            {
                "id": s.id,
                "title": s.title,
                "n": int(r["n"].central),
                "information": s.choices["racing"]["information"],
                "regime": s.choices["dsair"]["regime"],
                **{
                    f"{k}{suffix}": getattr(rng, attr)
                    for k, rng in (
                        ("mu", r["mu"]),
                        ("enmity", r["enmity"]),
                        ("speed", d["speed"]),
                        ("p_r", d["p_r"]),
                    )
                    for suffix, attr in (("", "central"), ("_low", "low"), ("_high", "high"))
                },
                "disaster": central_disaster(s),
                "zone": central_dsair(s)["zone"],
            }
        )
    return pd.DataFrame(rows)


def trajectories(
    scenarios: Sequence[Scenario], years: int, steps_per_year: int = 4
) -> pd.DataFrame:
    """Richardson trajectories at central values (long form: ``scenario``, ``title``,
    ``stability``, ``year``, ``side`` ("United States" / "China"), ``stock``)."""
    frames = []
    for s in scenarios:
        p = s.central("richardson")
        df = richardson.simulate(
            p["a"], p["b"], p["m"], p["n"], p["g"], p["h"], p["x0"], p["y0"], years, steps_per_year
        )
        long = df.rename(columns={"x": "United States", "y": "China"}).melt(
            id_vars="year", var_name="side", value_name="stock"
        )
        long.insert(0, "stability", richardson.stability(p["a"], p["b"], p["m"], p["n"]))
        long.insert(0, "title", s.title)
        long.insert(0, "scenario", s.id)
        frames.append(long)
    return pd.concat(frames, ignore_index=True)


def source_line(models: Sequence[str], path: str | os.PathLike[str] | None = None) -> str:
    """The source line of a figure or table: the models' papers and the scenarios file."""
    where = paths.display_path(path if path is not None else default_path())
    label = "Model" if len(models) == 1 else "Models"
    cites = "; ".join(_SHORT_CITES[m] for m in models)
    return f"{label}: {cites}. Scenario parameters: {where} (illustrative analyst assessment)."


_SHORT_CITES = {
    "racing": "Armstrong, Bostrom & Shulman (2016), Racing to the precipice",
    "dsair": "Han, Pereira, Santos & Lenaerts (2020), To regulate or not",
    "richardson": "Richardson (1960), Arms and Insecurity",
}


# --- tables ---------------------------------------------------------------------------------------


def _p(x: float) -> str:
    return pct(x, 0)


def _iv(lo: float, hi: float) -> str:
    return f"{_p(lo)}{EN_DASH}{_p(hi)}"


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The per-scenario results, formatted for readers."""
    return pd.DataFrame(
        {
            "Scenario": summary["title"],
            "Unsafe first AI (median)": summary["median"].map(_p),
            "80% interval": [
                _iv(a, b) for a, b in zip(summary["p10"], summary["p90"], strict=True)
            ],
            "95% interval": [
                _iv(a, b) for a, b in zip(summary["p2_5"], summary["p97_5"], strict=True)
            ],
            "Arms build-up (central)": summary["stability"],
            "Runaway draws": summary["runaway_share"].map(_p),
            "DSAIR zone (central)": summary["zone"],
            "Safe developers, long run": summary["safe_share"].map(_p),
        }
    )


def parameters_table(scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """Every model parameter per scenario as 'central (low-high)', for the reader's audit."""
    rows = []
    for m in MODELS.values():
        for c in m.choices:
            rows.append(
                {
                    "Model": m.title,
                    "Parameter": c.label,
                    **{s.title: s.choices[m.key][c.name] for s in scenarios},
                }
            )
        for p in m.parameters:
            cells = {}
            for s in scenarios:
                r = s.ranges[m.key][p.name]
                cells[s.title] = (
                    f"{r.central:g}" if r.fixed else f"{r.central:g} ({r.low:g}{EN_DASH}{r.high:g})"
                )
            rows.append({"Model": m.title, "Parameter": p.label, **cells})
    return pd.DataFrame(rows)


def tornado_table(tornado: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Parameter": tornado["label"],
            "Low setting": tornado["low_setting"],
            "Risk at low": tornado["p_low"].map(_p),
            "High setting": tornado["high_setting"],
            "Risk at high": tornado["p_high"].map(_p),
            "Swing (points)": (100 * tornado["swing"]).map(lambda v: f"{v:.0f}"),
        }
    )


# --- prose ----------------------------------------------------------------------------------------


def _times(x: float) -> str:
    return f"{x:.1f}" if x < 10 else f"{x:.0f}"


def _ratio_text(r: Mapping[str, float | None], lo_key: str = "p10", hi_key: str = "p90") -> str:
    lo, hi = r[lo_key], r[hi_key]
    hi_s = "unbounded" if hi is None else f"{_times(hi)}"
    return f"{_times(lo)}{EN_DASH}{hi_s}" if lo is not None else "unbounded"


def _of_draws(share: float, what: str = "draws") -> str:
    """'92% of draws', 'every draw', 'no draw' - a share of draws in words."""
    one = what.removesuffix("s")
    if share >= 0.9995:
        return f"every {one}"
    if share < 0.0005:
        return f"no {one}"
    return f"{_p(share) if share >= 0.005 else '<1%'} of {what}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_REGIME_WORDS = {
    "none": "Neither side knows the other's capabilities.",
    "private": "Each side knows only its own capabilities.",
    "public": "Both sides know each other's capabilities.",
}


def _the(title: str) -> str:
    """'Arms race' -> 'the arms-race scenario' (a scenario named in running text)."""
    return f"the {md_escape(title).lower().replace(' ', '-')} scenario"


def _safe_clause(share: float) -> str:
    if share < 0.005:
        return "unsafe development takes over the population of developers in the long run"
    return f"in the long run the population of developers plays safe {_p(share)} of the time"


def scenario_paragraph(row: Mapping[str, Any]) -> str:
    """One scenario's findings as a short analyst's paragraph (Markdown)."""
    p = row["median"]
    title = md_escape(row["title"])
    share = row["runaway_share"]
    verb = "runs" if share >= 0.9995 or share < 0.0005 else "run"
    if row["stability"] == "runaway":
        build = "Fear outweighs restraint, so the build-up of strategic AI effort runs away"
    else:
        build = "Restraint outweighs fear, so the build-up of strategic AI effort levels off"
    return (
        f"**{title}.** An unsafe first advanced AI is {estimative_phrase(p)}: the racing model "
        f"puts it at {_p(p)} (80% interval {interval(row['p10'], row['p90'])}). "
        f"{_REGIME_WORDS[row['information']]} {build} at the most-likely values; "
        f"{_of_draws(row['runaway_share'])} {verb} away. "
        f"The development race is in the "
        f"{row['zone']} zone, and {_safe_clause(row['safe_share'])}."
    )


def comparison_sentence(comp: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """The paired comparison of two scenarios in two sentences."""
    a, b = _the(titles[comp["numerator"]]), _the(titles[comp["denominator"]])
    r = comp["ratio"]
    d = comp["difference"]
    gap = (
        f"{100 * d['median']:.0f} points "
        f"(80% interval {100 * d['p10']:.0f}{EN_DASH}{100 * d['p90']:.0f})"
    )
    share = _of_draws(comp["share_higher"], "paired draws")
    if r["median"] is None:
        return (
            f"{_cap(a)} carries risk where {b} carries almost none: the gap is {gap}. "
            f"It is the riskier of the two in {share}."
        )
    return (
        f"An unsafe first advanced AI is {_times(r['median'])} times as likely in {a} as in "
        f"{b} (80% interval {_ratio_text(r)} times), a gap of {gap}. {_cap(a)} is the "
        f"riskier of the two in {share}."
    )


def tornado_sentence(tornado: pd.DataFrame, title: str) -> str:
    if tornado.empty:
        return f"No racing parameter of {_the(title)} has a range to test."
    top = tornado.iloc[0]
    text = (
        f"In {_the(title)}, {top['label']} moves the risk most: from "
        f"{_p(min(top['p_low'], top['p_high']))} to {_p(max(top['p_low'], top['p_high']))} "
        f"across its range ({top['low_setting']} to {top['high_setting']})."
    )
    if len(tornado) > 1:
        nxt = tornado.iloc[1]
        text += f" Next is {nxt['label']}, a swing of {100 * nxt['swing']:.0f} points."
    return text


def key_judgments(
    summary: pd.DataFrame,
    comparison: Mapping[str, Any] | None,
    *,
    anchors: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The section's key judgments, most important first.

    ``anchors`` maps ``"comparison"`` and ``"richardson"`` to the HTML ids of the parts of
    the section that compute them. Each judgment has ``text``, ``anchor``, ``value``,
    ``interval`` (80%), ``phrase`` and ``probability``.
    """
    rows = {r["id"]: r for r in summary.to_dict("records")}
    out: list[dict[str, Any]] = []
    worst = max(rows.values(), key=lambda r: r["median"])
    p = worst["median"]
    out.append(
        {
            "text": (
                f"An unsafe first advanced AI is {estimative_phrase(p)} in "
                f"{_the(worst['title'])}: the racing model puts the chance at {_p(p)} "
                f"(80% interval {interval(worst['p10'], worst['p90'])})."
            ),
            "anchor": anchors["comparison"],
            "value": round(p, 4),
            "interval": [round(worst["p10"], 4), round(worst["p90"], 4)],
            "probability": round(p, 4),
            "phrase": estimative_phrase(p),
            "scenario": worst["id"],
        }
    )
    if comparison is not None and comparison["ratio"]["median"] is not None:
        r = comparison["ratio"]
        lo, hi = rows[comparison["denominator"]], rows[comparison["numerator"]]
        out.append(
            {
                "text": (
                    f"Moving from {_the(hi['title'])} to {_the(lo['title'])} cuts that "
                    f"risk about {_times(r['median'])}-fold (80% interval {_ratio_text(r)}), "
                    f"to {_p(lo['median'])}, {estimative_phrase(lo['median'])} "
                    f"(80% interval {interval(lo['p10'], lo['p90'])})."
                ),
                "anchor": anchors["comparison"],
                "value": round(r["median"], 3),
                "interval": [
                    None if r["p10"] is None else round(r["p10"], 3),
                    None if r["p90"] is None else round(r["p90"], 3),
                ],
                "probability": round(lo["median"], 4),
                "phrase": estimative_phrase(lo["median"]),
                "scenario": lo["id"],
            }
        )
    runaway = [r for r in rows.values() if r["runaway_share"] > 0]
    if runaway:
        r = max(runaway, key=lambda x: x["runaway_share"])
        share = r["runaway_share"]
        stable = [x["title"] for x in rows.values() if x["stability"] == "stable"]
        if len(stable) > 1 and len(stable) == len(rows) - 1:
            tail = " In the other scenarios it levels off."
        elif stable:
            tail = f" In {' and '.join(_the(t) for t in stable)} it levels off."
        else:
            tail = ""
        g = (r["runaway_growth_median"], r["runaway_growth_p10"], r["runaway_growth_p90"])
        out.append(
            {
                "text": (
                    f"A runaway build-up of strategic AI effort is {estimative_phrase(share)} "
                    f"in {_the(r['title'])}: fear outweighs restraint in {_p(share)} of draws "
                    f"of Richardson's model, and effort then grows about {pct(g[0], 0)} a year "
                    f"(80% interval {interval(g[1], g[2])}) without limit.{tail}"
                ),
                "anchor": anchors["richardson"],
                "value": round(g[0], 4),
                "interval": [round(g[1], 4), round(g[2], 4)],
                "probability": round(share, 4),
                "phrase": estimative_phrase(share),
                "scenario": r["id"],
            }
        )
    return out


def changes(headline: Mapping[str, Any], previous: Mapping[str, Any] | None) -> list[str]:
    """Sentences on what moved since the previous edition's scenarios results."""
    if not previous:
        return []
    before = (previous.get("headline") or {}).get("scenarios") or {}
    out = []
    for sid, now in headline["scenarios"].items():
        old = before.get(sid)
        title = md_escape(now["title"])
        if old is None:
            out.append(f"{title} is new in this edition.")
            continue
        d = now["disaster_median"] - old.get("disaster_median", now["disaster_median"])
        if abs(d) >= 0.005:
            out.append(
                f"{title}: the median risk of an unsafe first system moved "
                f"{'up' if d > 0 else 'down'} {abs(100 * d):.0f} points, "
                f"to {_p(now['disaster_median'])}."
            )
        if old.get("richardson_stability") not in (None, now["richardson_stability"]):
            out.append(f"{title}: the arms build-up is now {now['richardson_stability']}.")
        if old.get("dsair_zone") not in (None, now["dsair_zone"]):
            out.append(f"{title}: the development race moved to the {now['dsair_zone']} zone.")
    for sid in sorted(set(before) - set(headline["scenarios"])):
        out.append(f"{md_escape(before[sid].get('title', sid))} is no longer shown.")
    return out


# --- results JSON ----------------------------------------------------------------------


def headline(
    summary: pd.DataFrame,
    comparison: Mapping[str, Any] | None,
    tornado: pd.DataFrame,
    *,
    focus: str,
    draws: int,
    seed: int,
    compared_with_previous: bool = False,
) -> dict[str, Any]:
    """The numbers the key judgments and the change log need (plain JSON).

    ``scenarios`` holds, per scenario id, the disaster-probability quantiles
    (``disaster_median``, ``disaster_p10``, ``disaster_p90``, ``disaster_p2_5``,
    ``disaster_p97_5``, ``disaster_mean``, ``disaster_central``), Richardson's stability at
    the central values, share of runaway draws and runaway growth, and the DSAIR zone, zone
    shares and long-run safe share. ``comparison`` holds the paired ratio and difference of
    the riskiest and safest scenario shown.
    """
    per = {}
    for r in summary.to_dict("records"):
        per[r["id"]] = {
            "title": r["title"],
            "information": r["information"],
            **{f"disaster_{k}": round(r[k], 6) for k in QUANTILES},
            "disaster_mean": round(r["mean"], 6),
            "disaster_central": round(r["central"], 6),
            "richardson_stability": r["stability"],
            "richardson_runaway_share": round(r["runaway_share"], 6),
            "richardson_runaway_growth_median": round(r["runaway_growth_median"], 6),
            "richardson_runaway_growth_p10": round(r["runaway_growth_p10"], 6),
            "richardson_runaway_growth_p90": round(r["runaway_growth_p90"], 6),
            "dsair_zone": r["zone"],
            **{f"dsair_share_{z}": round(r[f"zone_{z}"], 6) for z in ZONES},
            "dsair_safe_share": round(r["safe_share"], 6),
        }
    out: dict[str, Any] = {
        "scenarios": per,
        "focus": focus,
        "compared_with_previous": bool(compared_with_previous),
        "draws": int(draws),
        "seed": int(seed),
    }
    if comparison is not None:
        out["comparison"] = {
            "numerator": comparison["numerator"],
            "denominator": comparison["denominator"],
            **{
                f"ratio_{k}": (None if v is None else round(v, 6))
                for k, v in comparison["ratio"].items()
            },
            **{f"difference_{k}": round(v, 6) for k, v in comparison["difference"].items()},
            "share_higher": round(comparison["share_higher"], 6),
        }
    if not tornado.empty:
        top = tornado.iloc[0]
        out["focus_top_driver"] = top["parameter"]
        out["focus_top_swing"] = round(float(top["swing"]), 6)
    return out


def methods(*, draws: int, seed: int) -> dict[str, str]:
    """How the scenario results were made, for the methods appendix."""
    cites = {k: m.citation for k, m in MODELS.items()}
    return {
        "scenarios": (
            "Scenario parameters are an analyst's illustrative assessment of how each scenario "
            "maps onto the models, not measurements; each is a most-likely value with a "
            "plausible range (data/scenarios.yaml)."
        ),
        "racing model": (
            "Disaster probability is the chance that the first AI built is unsafe in the "
            "symmetric Nash equilibrium of the racing model, from its closed forms for the "
            "three information regimes (no, private or public knowledge of capabilities). "
            "Enmity must be above zero: as it falls to zero the private regime's risk does "
            "not vanish and the model is not evaluated there. " + cites["racing"]
        ),
        "DSAIR model": (
            "Zones follow the early-regime thresholds on the disaster probability of unsafe "
            "development (innovation below 1 - 1/speed, compliance above 1 - 1/(3 speed), "
            "dilemma between); the long-run share of safe developers is the stationary "
            "distribution of Fermi imitation dynamics with rare mutations (population 100, "
            "selection intensity 0.1). " + cites["dsair"]
        ),
        "Richardson model": (
            "Stocks of strategic AI effort follow Richardson's equations, integrated with an "
            "adaptive Runge-Kutta solver, stocks held at zero or above; the build-up is stable "
            "when restraint outweighs fear (m n > a b) and runs away otherwise. "
            + cites["richardson"]
        ),
        "sampling": (
            f"{draws:,} draws per scenario. Each parameter is drawn from a triangular "
            "distribution on its range with the mode at its most-likely value; the number of "
            "teams is rounded to a whole number. Draws are paired across scenarios (each draw "
            "takes the same quantile of every range in every scenario), so ratios between "
            "scenarios are computed draw by draw. Reported: median, 80% interval (10th to 90th "
            "percentile) and 95% interval (2.5th to 97.5th)."
        ),
        "sensitivity": (
            "The tornado moves one racing parameter at a time to the ends of its range, the "
            "others at their most-likely values, and switches the information regime."
        ),
        "seed": (
            f"Seed {seed}; every parameter has its own random stream derived from the seed and "
            "its name, so results are reproducible and independent of how the draws are chunked."
        ),
        "caveats": (
            "The models are stylised: their probabilities are conditional on the model and the "
            "assumed parameters and are not forecasts of real-world events. The racing model's "
            "disaster probability is a model output worded on the estimative scale only to "
            "convey its size. " + ICD203_SOURCE + "."
        ),
    }
