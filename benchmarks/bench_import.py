"""Time each import of data/evidence/sources.yaml on the real downloads: reading, locating the
table, aggregating and the provenance record (source sha256), median of several runs; the
first run (cold: the reader's first import) is shown apart. The MIT workbook must import in
under 3 s: the benchmark fails if it does not.

Usage: python benchmarks/bench_import.py [--repeat N] [--config PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from riskbrief import importers
from riskbrief.importers.output import render
from riskbrief.paths import Project, display_path

ROOT = Project(Path(__file__).resolve().parents[1]).root

#: kind -> seconds an import may take
LIMITS = {"mit-risk": 3.0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--config", type=Path, default=ROOT / importers.DEFAULT_CONFIG)
    args = ap.parse_args()

    print(f"imports in {display_path(args.config)}: median of {args.repeat} runs")
    over = []
    with tempfile.TemporaryDirectory(prefix="rb-bench-import-") as tmp:
        for kind, sources in importers.load_config(args.config, root=ROOT):
            missing = [s for s in sources if not s.is_file()]
            if missing:
                print(f"  {kind:<16} skipped: {display_path(missing[0])} not found")
                continue
            times = []
            for _ in range(args.repeat + 1):
                t0 = time.perf_counter()
                out, table = importers.prepare(kind, sources, Path(tmp) / f"{kind}.csv", root=ROOT)
                render(table, out)
                times.append(time.perf_counter() - t0)
            cold, warm = times[0], statistics.median(times[1:])
            size = sum(s.stat().st_size for s in sources) / 1e6
            read = sum(s.rows_read for s in table.sources)
            limit = LIMITS.get(kind)
            verdict = ""
            if limit is not None:
                ok = max(cold, warm) < limit
                verdict = f"  (limit {limit:.0f} s: {'ok' if ok else 'OVER'})"
                if not ok:
                    over.append(kind)
            print(
                f"  {kind:<16} {1000 * warm:8.1f} ms  (first run {1000 * cold:7.1f} ms)  "
                f"{size:5.1f} MB, {read:,} rows read, {len(table.rows)} rows out{verdict}"
            )
    if over:
        print(f"bench_import: over the limit: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
