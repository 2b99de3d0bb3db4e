"""Global sensitivity of the scenarios' headline outputs: Sobol first-order and total-effect
indices with bootstrap confidence intervals.

Outputs
    * ``disaster``: the racing model's chance that the first AI is unsafe (Armstrong, Bostrom
      & Shulman 2016);
    * ``unsafe_share``: DSAIR's long-run share of time developers spend all playing unsafe
      (the ``AU`` state of the stationary distribution; Han et al. 2020).

Factors
    Every parameter of the output's model whose range is not a single value (``low < high``),
    drawn as the Monte Carlo draws it: triangular on ``[low, high]`` with its mode at the
    most-likely value, the number of teams rounded to a whole number. The racing model's
    information regime is categorical and fixed in each scenario; here it is a factor too,
    each of the three regimes equally likely, so that the indices show how much of the risk
    hinges on what the sides know of each other's capabilities and how that interacts with
    the other parameters. DSAIR's early/late regime does not enter the stationary
    distribution and is not a factor.

Design and estimators (SALib)
    Saltelli's extension of a scrambled Sobol' sequence (``SALib.sample.sobol``) over the
    factors' quantiles in ``[0, 1]``, mapped through each factor's distribution: ``N`` base
    samples give ``N (D + 2)`` model evaluations for ``D`` factors (no second-order indices).
    ``SALib.analyze.sobol.analyze`` estimates first-order indices with the estimator of
    Saltelli et al. (2010) and total effects with Jansen's (1999), and their confidence
    intervals by bootstrap: ``resamples`` resamples of the base samples, the interval the
    index plus or minus ``z`` times the bootstrap standard deviation (``z`` = 1.96 at 95%).
    ``ST - S1`` is the share of the output's variance a factor causes only through its
    interactions with other factors.

Chunks
    The model is evaluated on blocks of rows of the sample matrix, each a task run by a
    ``task_map`` (:data:`riskbrief.sampling.TaskMap`: here, in turn, by default; on a Dask
    cluster through :mod:`riskbrief.cluster`). Evaluations are deterministic functions of
    their row, and the sample and the bootstrap are seeded from the seed given (the scenario
    file's, as for the Monte Carlo), so the indices do not depend on the chunk size, the
    number of workers or where a task ran.

Everything here is a pure function of its arguments.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskbrief.models import MODELS, dsair, racing
from riskbrief.sampling import TaskMap, racing_disaster, run_here
from riskbrief.scenarios import Scenario

#: The headline outputs analysed: key -> (model, what it is).
OUTPUTS: dict[str, tuple[str, str]] = {
    "disaster": ("racing", "chance that the first advanced AI is unsafe"),
    "unsafe_share": ("dsair", "long-run share of time developers all cut corners"),
}
#: Default settings (params: ``scenarios.sobol``): base samples and bootstrap resamples.
SAMPLES = 512
RESAMPLES = 200
CONF_LEVEL = 0.95
#: Rows of the sample matrix evaluated in one task at least (DSAIR: about half a millisecond
#: per row), and at most this many tasks per design: large sweeps get larger chunks, so the
#: scheduler is not the bottleneck (docs/scaling.md).
ROWS_PER_TASK = 512
MAX_TASKS_PER_DESIGN = 64
#: DSAIR population dynamics, as in the rest of the briefing (riskbrief.sampling.central_dsair).
POPULATION = 100
SELECTION = 0.1

ESTIMATOR = (
    "first-order indices by the estimator of Saltelli et al. (2010), total effects by Jansen's "
    "(1999), as SALib implements them"
)


@dataclass(frozen=True)
class Factor:
    """One uncertain input of an output: a model parameter with a range, or the information
    regime (``parameter == "information"``, categorical)."""

    model: str
    parameter: str
    label: str
    integer: bool = False

    @property
    def categorical(self) -> bool:
        return self.parameter == "information"


INFORMATION = Factor("racing", "information", "information regime")


def factors(scenario: Scenario, output: str) -> tuple[Factor, ...]:
    """The uncertain inputs of ``output`` in ``scenario``, in the model registry's order."""
    model = OUTPUTS[output][0]
    out = [
        Factor(model, p.name, p.label, p.integer)
        for p in MODELS[model].parameters
        if not scenario.ranges[model][p.name].fixed
    ]
    if model == "racing":
        out.append(INFORMATION)
    return tuple(out)


def problem(fs: Sequence[Factor]) -> dict[str, Any]:
    """The SALib problem: each factor's quantile on ``[0, 1]``."""
    return {
        "num_vars": len(fs),
        "names": [f.parameter for f in fs],
        "bounds": [[0.0, 1.0]] * len(fs),
    }


def derived_seed(seed: int, *names: str) -> int:
    """A seed for one use (``"sample"``, ``"bootstrap"``) derived from the analysis's seed with
    ``SeedSequence``; never 0 (SALib takes 0 for "no seed")."""
    key = tuple(zlib.crc32(n.encode("utf-8")) for n in names)
    state = np.random.SeedSequence(int(seed), spawn_key=key).generate_state(1, dtype=np.uint32)
    return int(state[0]) | 1


def check_samples(samples: int) -> int:
    """Sobol' sequences keep their balance only at powers of two."""
    if isinstance(samples, bool) or int(samples) != samples or samples < 2:
        raise ValueError(f"samples must be a whole number of at least 2, got {samples!r}")
    samples = int(samples)
    if samples & (samples - 1):
        raise ValueError(f"samples must be a power of two (Sobol' sequence), got {samples}")
    return samples


def sample(fs: Sequence[Factor], samples: int, seed: int) -> np.ndarray:
    """The Saltelli design over the factors' quantiles: ``samples (D + 2)`` rows, ``D`` columns."""
    from SALib.sample import sobol as sobol_sample

    return sobol_sample.sample(
        problem(fs), check_samples(samples), calc_second_order=False, seed=seed
    )


# --- evaluation ---------------------------------------------------------------------------------


def _values(scenario: Scenario, model: str, fs: Sequence[Factor], q: np.ndarray) -> dict[str, Any]:
    """Model inputs for rows of quantiles ``q``: factors through their distributions, the
    other parameters at their most-likely values."""
    rows = q.shape[0]
    values: dict[str, Any] = {
        p.name: np.full(rows, scenario.ranges[model][p.name].central)
        for p in MODELS[model].parameters
    }
    for j, f in enumerate(fs):
        u = q[:, j]
        if f.categorical:
            k = len(racing.INFORMATION_REGIMES)
            values[f.parameter] = np.minimum(np.floor(u * k), k - 1).astype(int)
            continue
        r = scenario.ranges[model][f.parameter]
        x = r.ppf(u)
        if f.integer:  # as the Monte Carlo does
            x = np.clip(np.floor(x + 0.5), r.low, r.high)
        values[f.parameter] = x
    return values


def evaluate(scenario: Scenario, output: str, fs: Sequence[Factor], q: np.ndarray) -> np.ndarray:
    """The output at each row of quantiles ``q`` (one column per factor). A pure function of
    its arguments: any split of the rows into tasks gives the same values."""
    q = np.atleast_2d(np.asarray(q, dtype=float))
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r} (known: {', '.join(OUTPUTS)})")
    v = _values(scenario, OUTPUTS[output][0], fs, q)
    if output == "disaster":
        info = v.get("information")
        if not isinstance(info, np.ndarray):
            regime = scenario.choices["racing"]["information"]
            info = np.full(q.shape[0], racing.INFORMATION_REGIMES.index(regime))
        out = np.empty(q.shape[0])
        for k, regime in enumerate(racing.INFORMATION_REGIMES):
            sel = info == k
            if sel.any():
                out[sel] = racing_disaster(
                    v["n"][sel].astype(int), v["mu"][sel], v["enmity"][sel], regime
                )
        return out
    if output == "unsafe_share":
        dist = dsair.stationary_distributions(
            {k: v[k] for k in dsair.ARGS},
            Z=POPULATION,
            beta=SELECTION,
        )
        return dist[:, dsair.STRATEGIES.index("AU")]
    raise ValueError(f"unknown output {output!r} (known: {', '.join(OUTPUTS)})")


# --- analysis -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indices:
    """Sobol indices of one output in one scenario, factor by factor (same order as
    ``factors``); ``*_conf`` are the half-widths of the bootstrap confidence intervals.
    ``constant`` outputs (the same value at every sample) have no indices: all zero."""

    scenario: str
    output: str
    factors: tuple[Factor, ...]
    evaluations: int
    S1: tuple[float, ...]
    S1_conf: tuple[float, ...]
    ST: tuple[float, ...]
    ST_conf: tuple[float, ...]
    mean: float
    std: float
    constant: bool = False


def analyse_output(
    problem_: dict[str, Any], y: np.ndarray, *, resamples: int, conf_level: float, seed: int
) -> dict[str, np.ndarray]:
    """SALib's Sobol analysis of model outputs ``y`` (first order and total effects only)."""
    from SALib.analyze import sobol as sobol_analyze

    si = sobol_analyze.analyze(
        problem_,
        np.asarray(y, dtype=float),
        calc_second_order=False,
        num_resamples=int(resamples),
        conf_level=float(conf_level),
        print_to_console=False,
        seed=seed,
    )
    return {k: np.asarray(si[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")}


@dataclass(frozen=True)
class Sobol:
    """Global sensitivity of every scenario's headline outputs, and how it was computed."""

    samples: int
    resamples: int
    conf_level: float
    seed: int
    indices: tuple[Indices, ...]

    def get(self, scenario: str, output: str) -> Indices:
        return next(i for i in self.indices if i.scenario == scenario and i.output == output)

    @property
    def evaluations(self) -> int:
        return sum(i.evaluations for i in self.indices)

    def frame(self) -> pd.DataFrame:
        """Long form: ``scenario``, ``output``, ``parameter``, ``label``, ``S1``, ``S1_lo``,
        ``S1_hi``, ``ST``, ``ST_lo``, ``ST_hi``, ``interaction`` (``ST - S1``), ``constant``."""
        rows = [
            {
                "scenario": ix.scenario,
                "output": ix.output,
                "parameter": f.parameter,
                "label": f.label,
                "S1": ix.S1[j],
                "S1_lo": ix.S1[j] - ix.S1_conf[j],
                "S1_hi": ix.S1[j] + ix.S1_conf[j],
                "ST": ix.ST[j],
                "ST_lo": ix.ST[j] - ix.ST_conf[j],
                "ST_hi": ix.ST[j] + ix.ST_conf[j],
                "interaction": ix.ST[j] - ix.S1[j],
                "constant": ix.constant,
            }
            for ix in self.indices
            for j, f in enumerate(ix.factors)
        ]
        columns = [
            "scenario",
            "output",
            "parameter",
            "label",
            "S1",
            "S1_lo",
            "S1_hi",
            "ST",
            "ST_lo",
            "ST_hi",
            "interaction",
            "constant",
        ]
        return pd.DataFrame(rows, columns=columns)

    def to_results(self) -> dict[str, Any]:
        """The results JSON's ``sobol`` entry: settings, and per scenario and output the
        indices with their intervals."""
        out: dict[str, Any] = {
            "samples": self.samples,
            "resamples": self.resamples,
            "conf_level": self.conf_level,
            "estimator": ESTIMATOR,
            "outputs": {k: v[1] for k, v in OUTPUTS.items()},
            "evaluations": self.evaluations,
            "scenarios": {},
        }
        for ix in self.indices:
            out["scenarios"].setdefault(ix.scenario, {})[ix.output] = {
                "evaluations": ix.evaluations,
                "constant": ix.constant,
                "mean": ix.mean,
                "std": ix.std,
                "factors": {
                    f.parameter: {
                        "label": f.label,
                        "S1": ix.S1[j],
                        "S1_conf": ix.S1_conf[j],
                        "ST": ix.ST[j],
                        "ST_conf": ix.ST_conf[j],
                    }
                    for j, f in enumerate(ix.factors)
                },
            }
        return out


def analysis_task(
    problem_: dict[str, Any], y: np.ndarray, resamples: int, conf_level: float, seed: int
) -> dict[str, np.ndarray]:
    """One task: the bootstrap analysis of one output (what ``task_map`` runs)."""
    return analyse_output(problem_, y, resamples=resamples, conf_level=conf_level, seed=seed)


def evaluate_chunk(
    scenario: Scenario, output: str, fs: tuple[Factor, ...], q: np.ndarray
) -> np.ndarray:
    """One task: the output on a block of rows of the design (what ``task_map`` runs)."""
    return evaluate(scenario, output, fs, q)


def analyse(
    scenarios: Sequence[Scenario],
    *,
    samples: int = SAMPLES,
    resamples: int = RESAMPLES,
    seed: int,
    conf_level: float = CONF_LEVEL,
    outputs: Sequence[str] = tuple(OUTPUTS),
    rows_per_task: int | None = None,
    task_map: TaskMap | None = None,
) -> Sobol:
    """Sobol indices of each scenario's ``outputs`` over its uncertain parameters.

    Every (scenario, output) has its design; all their chunks of rows go to ``task_map`` in
    one call, so a cluster evaluates them side by side, and then the bootstrap analyses, one
    task each. The design depends on the output, its factors and the seed only (scenarios
    with the same factors share their sample points), the bootstrap on the seed, the output
    and the scenario.
    """
    samples = check_samples(samples)
    if int(resamples) < 2:
        raise ValueError(f"resamples must be at least 2, got {resamples!r}")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be between 0 and 1, got {conf_level!r}")
    run = task_map or run_here
    designs = []
    drawn: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}
    tasks: list[tuple[Any, ...]] = []
    for s in scenarios:
        for output in outputs:
            fs = factors(s, output)
            if not fs:
                designs.append((s, output, fs, None, 0, 0))
                continue
            key = (output, tuple(f.parameter for f in fs))
            if key not in drawn:
                drawn[key] = sample(fs, samples, derived_seed(seed, "sobol", output, "sample"))
            q = drawn[key]
            step = chunk_rows(q.shape[0], rows_per_task)
            first = len(tasks)
            tasks += [(s, output, fs, q[i : i + step]) for i in range(0, q.shape[0], step)]
            designs.append((s, output, fs, q, first, step))
    # 1. the model on every chunk of every design, side by side
    parts = run(evaluate_chunk, tasks)
    outs = {}
    for s, output, _, q, first, step in designs:
        if q is not None:
            outs[s.id, output] = np.concatenate(parts[first : first + -(-q.shape[0] // step)])
    # 2. the bootstrap analysis of each output that varies, side by side too (at large N it
    #    costs more than the model: tens of seconds each)
    varying = [
        (s, o, fs) for s, o, fs, q, *_ in designs if q is not None and np.ptp(outs[s.id, o]) > 0
    ]
    analyses = run(
        analysis_task,
        [
            (
                problem(fs),
                outs[s.id, o],
                resamples,
                conf_level,
                derived_seed(seed, "sobol", o, s.id, "bootstrap"),
            )
            for s, o, fs in varying
        ],
    )
    si_of = {(s.id, o): si for (s, o, _), si in zip(varying, analyses, strict=True)}
    found = []
    for s, output, fs, q, *_ in designs:
        if q is None:
            found.append(Indices(s.id, output, fs, 0, (), (), (), (), 0.0, 0.0, True))
            continue
        y = outs[s.id, output]
        mean, std = float(y.mean()), float(y.std())
        si = si_of.get((s.id, output))
        if si is None:  # the same value at every sample: nothing to attribute
            zero = (0.0,) * len(fs)
            found.append(Indices(s.id, output, fs, len(y), zero, zero, zero, zero, mean, std, True))
            continue
        found.append(
            Indices(
                s.id,
                output,
                fs,
                len(y),
                *(tuple(float(v) for v in si[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")),
                mean,
                std,
            )
        )
    return Sobol(samples, int(resamples), float(conf_level), int(seed), tuple(found))


def chunk_rows(rows: int, rows_per_task: int | None = None) -> int:
    """Rows per task for a design of ``rows`` rows: ``rows_per_task`` if given, else at least
    :data:`ROWS_PER_TASK` and few enough for at most :data:`MAX_TASKS_PER_DESIGN` tasks."""
    if rows_per_task is not None:
        return max(1, int(rows_per_task))
    return max(ROWS_PER_TASK, -(-int(rows) // MAX_TASKS_PER_DESIGN))


def evaluations(samples: int, n_factors: int) -> int:
    """Model evaluations of one design: ``N (D + 2)``."""
    return int(samples) * (int(n_factors) + 2)


def z_value(conf_level: float) -> float:
    """The normal quantile SALib multiplies the bootstrap standard deviation by."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + conf_level / 2))
