"""Time the scenario Monte Carlo: 1,000,000 draws per scenario on one core.

Usage: python benchmarks/bench_scenarios.py [--draws N] [--repeats R]

Prints, for each scenario of data/scenarios.yaml alone and for all of them together (paired
draws), the median wall time of R runs, and the time per million draws per scenario. The
budget is 2 s per million draws per scenario; the exit status is 1 if it is exceeded.
Thread pools of numerical libraries are pinned to one thread before numpy is imported.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from riskbrief import sampling, scenarios  # noqa: E402

SCENARIOS = Path(__file__).resolve().parents[1] / "data" / "scenarios.yaml"

BUDGET_SECONDS_PER_MILLION = 2.0


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    defined = scenarios.load_scenarios(SCENARIOS)
    per_million = args.draws / 1_000_000
    print(f"scenario Monte Carlo: {args.draws:,} draws per scenario, median of {args.repeats} runs")
    worst = 0.0
    for s in defined.values():
        t = median_time(lambda s=s: sampling.monte_carlo([s], args.draws, args.seed), args.repeats)
        rate = t / per_million
        worst = max(worst, rate)
        print(f"  {s.id:<24} {t:6.3f} s   ({rate:.3f} s per million draws)")
    everything = list(defined.values())
    t = median_time(lambda: sampling.monte_carlo(everything, args.draws, args.seed), args.repeats)
    rate = t / per_million / len(everything)
    print(
        f"  {'all ' + str(len(everything)) + ' (paired)':<24} {t:6.3f} s   "
        f"({rate:.3f} s per million draws per scenario)"
    )
    ok = worst <= BUDGET_SECONDS_PER_MILLION
    verdict = "within" if ok else "OVER"
    print(f"budget: {BUDGET_SECONDS_PER_MILLION:.1f} s per million draws per scenario: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
