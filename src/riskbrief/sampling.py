"""The race models run over the scenarios' parameter ranges: Monte Carlo, central values,
paired comparison, one-at-a-time sensitivity, and the grids and trajectories the charts draw.

Uncertainty
    Each numeric parameter is drawn from a triangular distribution on ``[low, high]`` with its
    mode at ``central`` (``low = high`` fixes it); integer parameters (the number of teams)
    are the draw rounded to the nearest whole number. Draws are *paired* across scenarios:
    draw *k* uses the same quantile of every parameter's range in every scenario (common
    random numbers), so comparisons between scenarios reflect the scenarios, not sampling
    noise. Every parameter has one random stream per block of draws, derived from the seed,
    the parameter's name and the block's number (``SeedSequence``), so results do not depend
    on how the draws are split into tasks or where those run.

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
    a one-at-a-time sensitivity (tornado) around one scenario's central values.

Everything here is a pure function of its arguments.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskbrief.models import MODELS, Parameter, dsair, racing, richardson
from riskbrief.scenarios import Range, Scenario

#: Quantiles reported for every sampled quantity: median, 80% and 95% intervals.
QUANTILES: dict[str, float] = {
    "p2_5": 0.025,
    "p10": 0.10,
    "median": 0.50,
    "p90": 0.90,
    "p97_5": 0.975,
}
#: Draws in one block: every parameter has one random stream per block (see
#: :func:`block_uniforms`), so blocks can be evaluated anywhere, in any order.
BLOCK = 1 << 14
#: Blocks evaluated in one task; memory per task is a few dozen arrays of this many draws.
BLOCKS_PER_TASK = 8
#: Draws on which DSAIR's long-run safe share is computed (a stationary distribution per
#: draw costs about half a millisecond): the first draws of every scenario, paired.
DSAIR_DRAWS = 2_000
#: Batches the standard errors of quantiles are estimated from.
SE_BATCHES = 20
ZONES = dsair.ZONES


def block_uniforms(seed: int, name: str, block: int, size: int = BLOCK) -> np.ndarray:
    """The first ``size`` uniforms of one parameter's stream in one block of draws.

    Every (parameter, block) pair has its own generator, derived from the seed with numpy's
    ``SeedSequence`` (the parameter's name and the block number are its spawn key), so a
    draw's values depend only on the seed, the parameter and the draw's position: not on how
    the draws are split into tasks, how many workers run them, or where.
    """
    key = (zlib.crc32(name.encode("utf-8")), int(block))
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=key)).random(size)


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
    per scenario id; ``safe`` and ``by_regime`` as below."""

    ids: tuple[str, ...]
    draws: int
    seed: int
    disaster: Mapping[str, np.ndarray]
    runaway: Mapping[str, np.ndarray]
    growth: Mapping[str, np.ndarray]
    zone: Mapping[str, np.ndarray]
    #: DSAIR's long-run safe share for the first :data:`DSAIR_DRAWS` draws (it is costly)
    safe: Mapping[str, np.ndarray]
    #: the racing model's disaster probability under each information regime, same draws
    by_regime: Mapping[str, Mapping[str, np.ndarray]]


#: What one task of draws returns: per scenario id, the four per-draw arrays.
BlockResult = dict[str, dict[str, np.ndarray]]


def evaluate_blocks(
    scenarios: Sequence[Scenario],
    seed: int,
    draws: int,
    first: int,
    last: int,
    dsair_draws: int = DSAIR_DRAWS,
) -> BlockResult:
    """Evaluate the models on blocks ``first`` to ``last - 1`` of the draws (of :data:`BLOCK`
    draws each; the last block of ``draws`` may be partial). A pure function: any split of the
    blocks into tasks, run anywhere, gives the same draws."""
    specs = [(m, p) for m in MODELS.values() for p in m.parameters]
    sizes = [min(BLOCK, draws - b * BLOCK) for b in range(first, last)]
    u = {
        (m.key, p.name): np.concatenate(
            [
                block_uniforms(seed, f"{m.key}.{p.name}", b, n)
                for b, n in zip(range(first, last), sizes, strict=True)
            ]
        )
        for m, p in specs
    }
    out: BlockResult = {}
    start = first * BLOCK
    k = max(0, min(dsair_draws, start + sum(sizes)) - start)  # draws of the DSAIR subsample here
    for s in scenarios:
        v = {
            (m.key, p.name): _values(s.ranges[m.key][p.name], u[(m.key, p.name)], p)
            for m, p in specs
        }
        a, b, m, n = (v["richardson", q] for q in ("a", "b", "m", "n"))
        teams, mu, enmity = v["racing", "n"].astype(int), v["racing", "mu"], v["racing", "enmity"]
        regimes = {r: racing_disaster(teams, mu, enmity, r) for r in racing.INFORMATION_REGIMES}
        out[s.id] = {
            "disaster": regimes[s.choices["racing"]["information"]],
            **{f"disaster_{r}": x for r, x in regimes.items()},
            "safe": long_run_safe_share({q: v["dsair", q][:k] for q in dsair.ARGS}),
            "runaway": richardson.stability_margin(a, b, m, n) <= 0,
            "growth": richardson.growth_rate(a, b, m, n),
            "zone": _zone_codes(
                v["dsair", "p_r"],
                v["dsair", "speed"],
                v["dsair", "p_fo"],
                v["dsair", "b"],
                v["dsair", "c"],
                s.choices["dsair"]["regime"],
            ),
        }
    return out


#: Runs tasks: (function, list of argument tuples) -> results in the same order. The default
#: runs them here, one after another; ``riskbrief.cluster`` supplies one that runs them on a
#: Dask cluster.
TaskMap = Callable[[Callable[..., Any], list[tuple[Any, ...]]], list[Any]]


def run_here(fn: Callable[..., Any], args: list[tuple[Any, ...]]) -> list[Any]:
    return [fn(*a) for a in args]


def monte_carlo(
    scenarios: Sequence[Scenario],
    draws: int,
    seed: int,
    *,
    blocks_per_task: int = BLOCKS_PER_TASK,
    task_map: TaskMap | None = None,
    dsair_draws: int = DSAIR_DRAWS,
) -> MonteCarlo:
    """Sample every scenario's parameter ranges ``draws`` times and evaluate the models.

    Vectorised, in tasks of ``blocks_per_task`` blocks of :data:`BLOCK` draws, run by
    ``task_map`` (default: here, in turn); paired across scenarios. Results depend on
    ``seed`` and ``draws`` only.
    """
    if isinstance(draws, bool) or int(draws) != draws or draws < 1:
        raise ValueError(f"draws must be a positive integer, got {draws!r}")
    if not scenarios:
        raise ValueError("no scenarios to sample")
    draws, step = int(draws), max(1, int(blocks_per_task))
    n_blocks = -(-draws // BLOCK)
    tasks = [
        (tuple(scenarios), int(seed), draws, b, min(b + step, n_blocks), int(dsair_draws))
        for b in range(0, n_blocks, step)
    ]
    parts = (task_map or run_here)(evaluate_blocks, tasks)
    ids = tuple(s.id for s in scenarios)

    def joined(key: str) -> dict[str, np.ndarray]:
        return {i: np.concatenate([p[i][key] for p in parts]) for i in ids}

    return MonteCarlo(
        ids,
        draws,
        int(seed),
        *(joined(k) for k in ("disaster", "runaway", "growth", "zone", "safe")),
        {r: joined(f"disaster_{r}") for r in racing.INFORMATION_REGIMES},
    )


def long_run_safe_share(params: Mapping[str, np.ndarray], Z: int = 100, beta: float = 0.1):
    """DSAIR's long-run share of time developers play safe (AS or CS) for each draw."""
    dist = dsair.stationary_distributions(params, Z=Z, beta=beta)
    column = dsair.STRATEGIES.index
    return dist[:, column("AS")] + dist[:, column("CS")]


def quantiles(x: np.ndarray) -> dict[str, float]:
    """Median, 80% and 95% interval bounds of a sample (keys of :data:`QUANTILES`)."""
    q = np.quantile(x, list(QUANTILES.values()))
    return {k: float(v) for k, v in zip(QUANTILES, q, strict=True)}


def quantile_ses(x: np.ndarray) -> dict[str, float]:
    """Monte Carlo standard error of each quantile of :func:`quantiles` (keys ``<q>_se``),
    from :data:`SE_BATCHES` batches of consecutive draws (independent, as the draws are)."""
    batches = np.array_split(np.asarray(x), SE_BATCHES)
    per = np.array([np.quantile(b, list(QUANTILES.values())) for b in batches if len(b)])
    se = per.std(axis=0, ddof=1) / np.sqrt(len(per)) if len(per) > 1 else np.zeros(len(QUANTILES))
    return {f"{k}_se": float(v) for k, v in zip(QUANTILES, se, strict=True)}


def share_se(p: float, n: int) -> float:
    """Binomial standard error of a share of ``n`` draws."""
    return float(np.sqrt(max(p * (1 - p), 0.0) / max(n, 1)))


# --- central values -----------------------------------------------------------------------------


def central_disaster(s: Scenario, information: str | None = None) -> float:
    """The racing model's disaster probability at the scenario's most-likely values (under
    another information regime if one is given)."""
    p = s.central("racing")
    regime = information or p["information"]
    return float(racing.disaster_probability(p["n"], p["mu"], p["enmity"], regime))


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
    """One row per scenario: disaster-probability quantiles with their standard errors, the
    central value, the same under every information regime, Richardson and DSAIR results:
    verdicts at the most-likely values *and* the share of draws behind each."""
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
        safe = mc.safe[s.id]
        sq = np.quantile(safe, [0.1, 0.5, 0.9])
        safe_wins = float((safe >= 0.5).mean())
        rows.append(
            {
                "id": s.id,
                "title": s.title,
                "information": s.choices["racing"]["information"],
                **quantiles(d),
                **quantile_ses(d),
                "mean": float(d.mean()),
                "central": central_disaster(s),
                **{f"median_{r}": float(np.median(x[s.id])) for r, x in mc.by_regime.items()},
                **{f"central_{r}": central_disaster(s, information=r) for r in mc.by_regime},
                "runaway_share": float(run.mean()),
                "runaway_share_se": share_se(float(run.mean()), mc.draws),
                "runaway_growth_p10": float(gq[0]),
                "runaway_growth_median": float(gq[1]),
                "runaway_growth_p90": float(gq[2]),
                "stability": rich["stability"],
                "growth_rate": rich["growth_rate"],
                "zone": ds["zone"],
                **{f"zone_{z}": float(v) for z, v in zip(ZONES, zone_share, strict=True)},
                "zone_se": max(share_se(float(v), mc.draws) for v in zone_share),
                "p_r": ds["p_r"],
                "collective_threshold": ds["collective_threshold"],
                "risk_dominance_threshold": ds["risk_dominance_threshold"],
                "safe_share": ds["safe_share"],
                "safe_median": float(sq[1]),
                "safe_p10": float(sq[0]),
                "safe_p90": float(sq[2]),
                "safe_wins": safe_wins,
                "safe_wins_se": share_se(safe_wins, len(safe)),
                "safe_draws": len(safe),
            }
        )
    return pd.DataFrame(rows)


def compare(mc: MonteCarlo, numerator: str, denominator: str) -> dict[str, Any]:
    """Paired comparison of two scenarios' disaster probabilities.

    Ratio and difference are computed draw by draw (the draws are paired), then summarised
    by their quantiles. A draw whose denominator is zero has an unbounded ratio; if such draws
    reach a reported quantile, that quantile is ``None``.
    """
    return compare_draws(mc.disaster, numerator, denominator)


def compare_draws(
    disaster: Mapping[str, np.ndarray], numerator: str, denominator: str
) -> dict[str, Any]:
    """:func:`compare` from the disaster probabilities' draws per scenario (``mc.disaster``),
    for charts that are handed the draws alone."""
    a, b = disaster[numerator], disaster[denominator]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.where(a > 0, np.inf, 1.0))
    rq = np.quantile(ratio, list(QUANTILES.values()), method="inverted_cdf")
    batches = np.array_split(ratio, SE_BATCHES)
    per = np.array([np.quantile(c, 0.5, method="inverted_cdf") for c in batches if len(c)])
    ratio_se = float(per.std(ddof=1) / np.sqrt(len(per))) if np.isfinite(per).all() else None
    return {
        "numerator": numerator,
        "denominator": denominator,
        "ratio": {
            k: (float(v) if np.isfinite(v) else None) for k, v in zip(QUANTILES, rq, strict=True)
        },
        "ratio_median_se": ratio_se,
        "difference": quantiles(a - b),
        "difference_se": quantile_ses(a - b),
        "share_higher": float(np.mean(a > b)),
    }


def comparison_pair(summary: pd.DataFrame) -> tuple[str, str] | None:
    """The scenarios to compare: highest and lowest median disaster probability."""
    if len(summary) < 2:
        return None
    ordered = summary.sort_values("median", ascending=False, kind="stable")
    hi, lo = ordered["id"].iloc[0], ordered["id"].iloc[-1]
    return (hi, lo) if hi != lo else None


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
