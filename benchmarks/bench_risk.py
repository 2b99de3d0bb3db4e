"""Time risk sampling: 10,000 draws of each of 100 risks, median of several runs.

Usage: python benchmarks/bench_risk.py [--draws N] [--risks N] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd

from riskbrief import risk
from riskbrief.register import CATEGORIES


def synthetic_register(n: int) -> pd.DataFrame:
    """``n`` risks with varied three-point estimates (including zero-width ones)."""
    shapes = [((2, 3, 5), (1, 4, 5)), ((3, 4, 5), (4, 5, 5)), ((1, 2, 3), (3, 3, 3))]
    rows = []
    for i in range(n):
        (ll, lm, lh), (il, im, ih) = shapes[i % len(shapes)]
        rows.append(
            {
                "id": f"R{i:03d}",
                "title": f"Risk {i}",
                "category": CATEGORIES[i % len(CATEGORIES)],
                "subdomain": "7.3",
                "trend": "stable",
                "likelihood_low": ll,
                "likelihood_mode": lm,
                "likelihood_high": lh,
                "impact_low": il,
                "impact_mode": im,
                "impact_high": ih,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--risks", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    reg = synthetic_register(args.risks)
    risk.score_register(reg, 100, seed=0)  # warm-up: imports, first allocations
    sample, summarise, rollup = [], [], []
    for i in range(args.repeat):
        t0 = time.perf_counter()
        draws = risk.simulate(reg, args.draws, seed=i)
        t1 = time.perf_counter()
        summary = risk.summarise(reg, draws)
        t2 = time.perf_counter()
        risk.category_rollup(summary, draws)
        t3 = time.perf_counter()
        sample.append(t1 - t0)
        summarise.append(t2 - t1)
        rollup.append(t3 - t2)
    total = [a + b + c for a, b, c in zip(sample, summarise, rollup, strict=True)]
    print(f"risk sampling: {args.draws:,} draws x {args.risks} risks, median of {args.repeat} runs")
    for name, times in (
        ("sample (PERT)", sample),
        ("summarise (quantiles, P(Critical), rank)", summarise),
        ("category roll-up", rollup),
        ("total", total),
    ):
        print(f"  {name:<42} {1000 * statistics.median(times):8.1f} ms")


if __name__ == "__main__":
    main()
