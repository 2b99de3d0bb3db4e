"""Throughput of the scenario analysis in-process and on a local Dask cluster.

Usage: python benchmarks/bench_cluster.py [--samples N] [--draws D] [--tasks T] [--repeats R]
                                          [--build]

Measures (best of R runs), in this process and on a local cluster of 1 and then 2 single-threaded worker
processes (``distributed.LocalCluster``):

* the Sobol sweep: DSAIR's long-run unsafe share over every scenario of data/scenarios.yaml,
  ``N (D + 2)`` stationary distributions per scenario, in chunks of ``sobol.chunk_rows``
  rows; model evaluations per second;
* the Monte Carlo: ``D`` paired draws per scenario in tasks of ``sampling.BLOCKS_PER_TASK``
  blocks; draws per second;
* the per-task overhead: ``T`` empty tasks submitted at once (wall time per task), and the
  round trip of one empty task;
* the parts of a large sweep (N = 65,536) besides the model: drawing the design (on the
  client) and SALib's bootstrap analysis (a task per scenario and output).

Then prints the cost model these give (docs/scaling.md uses it) and the speedup of the sweep
from one worker to two, with a control: how much faster two busy processes run than one on
the machine at that moment. The exit status is 1 if the speedup is below 1.7 while the
control shows two free cores (on a busy or one-core machine the target is not judged).
``--build`` also builds the baseline briefing in a temporary copy of the project, in-process
and on the 2-worker cluster, and prints its stages (a few minutes).
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import functools  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from riskbrief import cluster, sampling, sobol  # noqa: E402
from riskbrief.scenarios import load_scenarios  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SPEEDUP_TARGET = 1.7
LARGE_SAMPLES = 65_536


def _noop(i: int) -> int:
    return i


def _busy(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def parallelism(n: int = 4_000_000) -> float:
    """How many cores this machine gives two processes right now (2.0: both free): a control
    for the speedup, since other work on the machine takes cores from the workers."""
    import multiprocessing as mp

    one, _ = timed(lambda: _busy(n))
    with mp.get_context("spawn").Pool(2) as pool:
        pool.map(_busy, [1000, 1000])
        two, _ = timed(lambda: pool.map(_busy, [n, n]))
    return 2 * one / two


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


#: Each measurement is the best of this many runs: other work on a shared machine only ever
#: makes a run slower, so the minimum is the estimate least disturbed by it.
REPEATS = 3


def best(fn, repeats: int) -> float:
    return min(timed(fn)[0] for _ in range(repeats))


def sweep(shown, samples: int, task_map, repeats: int = 1) -> float:
    return best(
        lambda: sobol.analyse(
            shown,
            samples=samples,
            resamples=100,
            seed=1,
            outputs=["unsafe_share"],
            task_map=task_map,
        ),
        repeats,
    )


def monte_carlo(shown, draws: int, task_map, repeats: int = 1) -> float:
    return best(
        lambda: sampling.monte_carlo(shown, draws=draws, seed=1, task_map=task_map), repeats
    )


def overhead(client, tasks: int) -> tuple[float, float]:
    """(wall time per task for ``tasks`` empty tasks at once, round trip of one task)."""
    client.gather([client.submit(_noop, i, pure=False) for i in range(20)])  # warm up
    t = best(
        lambda: client.gather([client.submit(_noop, i, pure=False) for i in range(tasks)]), REPEATS
    )
    trips = []
    for i in range(20):
        s, _ = timed(lambda i=i: client.submit(_noop, i, pure=False).result())
        trips.append(s)
    return t / tasks, statistics.median(trips)


def build_stages(scheduler: str | None) -> dict[str, float]:
    """Build the baseline briefing in a temporary copy of the project; its stage timings."""
    from riskbrief.build import build
    from riskbrief.paths import Project

    with tempfile.TemporaryDirectory(prefix="riskbrief-bench-") as tmp:
        root = Path(tmp) / "project"
        for sub in ("params", "data", "notebooks", "docs"):
            shutil.copytree(ROOT / sub, root / sub)
        shutil.copyfile(ROOT / "requirements.lock", root / "requirements.lock")
        os.environ["RISKBRIEF_ROOT"] = str(root)
        try:
            result = build("baseline", project=Project(root), force=True, scheduler=scheduler)
        finally:
            os.environ.pop("RISKBRIEF_ROOT", None)
        return result.timings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=1024, help="Sobol base samples of the sweep")
    ap.add_argument("--draws", type=int, default=1_000_000, help="Monte Carlo draws per scenario")
    ap.add_argument("--tasks", type=int, default=400, help="empty tasks for the overhead")
    ap.add_argument("--repeats", type=int, default=REPEATS, help="runs per measurement (best)")
    ap.add_argument("--build", action="store_true", help="also time baseline builds")
    args = ap.parse_args(argv)
    from distributed import Client, LocalCluster

    shown = list(load_scenarios(ROOT / "data" / "scenarios.yaml").values())
    n_fact = len(sobol.factors(shown[0], "unsafe_share"))
    evals = len(shown) * sobol.evaluations(args.samples, n_fact)
    rows = sobol.evaluations(args.samples, n_fact)
    sweep_tasks = len(shown) * -(-rows // sobol.chunk_rows(rows))
    mc_draws = args.draws * len(shown)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"cluster throughput: Sobol sweep of DSAIR's unsafe share, N = {args.samples:,} "
        f"({evals:,} stationary distributions in {sweep_tasks} tasks); Monte Carlo "
        f"{args.draws:,} draws x {len(shown)} scenarios; {cores} cores, load {load:.1f}"
    )

    sweep(shown, 16, None)  # warm up imports and caches
    t_sweep = {"in-process": sweep(shown, args.samples, None, args.repeats)}
    t_mc = {"in-process": monte_carlo(shown, args.draws, None, args.repeats)}
    per_task: dict[str, tuple[float, float]] = {}
    stages: dict[str, dict[str, float]] = {}
    for n in (1, 2):
        with (
            LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            ) as lc,
            Client(lc, set_as_default=False) as client,
        ):
            client.wait_for_workers(n)
            on = functools.partial(cluster.map_tasks, client)
            sweep(shown, 16, on)  # warm up the workers
            monte_carlo(shown, sampling.BLOCK, on)
            label = f"{n} worker{'s' if n > 1 else ''}"
            t_sweep[label] = sweep(shown, args.samples, on, args.repeats)
            t_mc[label] = monte_carlo(shown, args.draws, on, args.repeats)
            per_task[label] = overhead(client, args.tasks)
            if args.build and n == 2:
                stages[label] = build_stages(lc.scheduler_address)
    if args.build:
        stages["in-process"] = build_stages(None)

    print(f"\n  {'':<12} {'sweep':>9} {'evals/s':>9} {'speedup':>8}   {'MC':>8} {'draws/s':>11}")
    for label in t_sweep:
        ts, tm = t_sweep[label], t_mc[label]
        print(
            f"  {label:<12} {ts:8.2f}s {evals / ts:9.0f} {t_sweep['in-process'] / ts:7.2f}x"
            f"   {tm:7.2f}s {mc_draws / tm:11.3g}"
        )
    print("\n  per-task overhead (empty tasks)")
    for label, (each, trip) in per_task.items():
        print(
            f"  {label:<12} {1e3 * each:6.2f} ms per task at {args.tasks} at once, "
            f"{1e3 * trip:6.2f} ms round trip"
        )

    # the serial part of a large sweep: the design and the analysis run on the client
    fs = sobol.factors(shown[0], "unsafe_share")
    t_design, q = timed(lambda: sobol.sample(fs, LARGE_SAMPLES, 1))
    y = np.random.default_rng(1).random(q.shape[0])
    t_analysis, _ = timed(
        lambda: sobol.analyse_output(sobol.problem(fs), y, resamples=200, conf_level=0.95, seed=3)
    )
    c_eval = t_sweep["in-process"] / evals
    c_task = per_task["2 workers"][0]
    speedup = t_sweep["1 worker"] / t_sweep["2 workers"]
    print("\n  cost model")
    print(f"  one stationary distribution          {1e3 * c_eval:7.3f} ms (in-process)")
    print(f"  one task, scheduling and transfer    {1e3 * c_task:7.3f} ms")
    print(f"  design at N = {LARGE_SAMPLES:,} (client, serial)  {t_design:7.2f} s per output")
    print(
        f"  bootstrap analysis at N = {LARGE_SAMPLES:,}    {t_analysis:7.2f} s per scenario and "
        "output (one task each)"
    )
    for label, n in (("1 worker", 1), ("2 workers", 2)):
        model = evals * c_eval / n + sweep_tasks * c_task
        print(f"  sweep on {label:<10} model {model:6.2f} s, measured {t_sweep[label]:6.2f} s")
    for label, timings in stages.items():
        shown_stages = ", ".join(
            f"{k} {v:.1f} s"
            for k, v in timings.items()
            if k in ("validate", "execute", "assemble", "render", "publish")
        )
        print(f"  baseline build, {label}: {shown_stages}")
    free = parallelism()
    print(f"\nsweep speedup 1 -> 2 workers: {speedup:.2f}x (target {SPEEDUP_TARGET}x)")
    print(f"control: two busy processes ran {free:.2f}x as fast as one on this machine just now")
    if (cores or 1) < 2 or free < 1.8:
        print("not judged: the machine did not give two processes two cores (busy or one core)")
        return 0
    ok = speedup >= SPEEDUP_TARGET
    print("target met" if ok else "target NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
