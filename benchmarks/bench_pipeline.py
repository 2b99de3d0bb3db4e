"""Time the briefing pipeline: each stage per briefing, cold and no-op `make briefings`, and the
same notebooks run with the bare tools (papermill CLI, then `jupyter nbconvert --to html`).

Prints medians over several runs. Usage: python benchmarks/bench_pipeline.py [--repeat N] [--only NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from riskbrief import params, paths, sections
from riskbrief.build import build

BIN = Path(sys.executable).parent
STAGES = ("validate", "execute", "assemble", "html", "pdf", "publish")


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def stage_times(name: str, repeat: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {k: [] for k in (*STAGES, "total")}
    with tempfile.TemporaryDirectory(prefix="rb-bench-") as tmp:
        for _ in range(repeat):
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                res = build(
                    name,
                    reports_dir=Path(tmp) / "reports",
                    build_dir=Path(tmp) / "build",
                    force=True,
                )
            runs["total"].append(time.perf_counter() - t0)
            for k in STAGES:
                runs[k].append(res.timings.get(k, 0.0))
    return runs


def bare_tools(name: str, repeat: int) -> list[float]:
    """papermill CLI on each section notebook, then nbconvert's stock HTML exporter on each."""
    b = params.load(name)
    times = []
    with tempfile.TemporaryDirectory(prefix="rb-bare-") as tmp:
        tmp = Path(tmp)
        for _ in range(repeat):
            t0 = time.perf_counter()
            for s in b.params.sections:
                sec = sections.get(s)
                p = sections.parameters(b, sec, tmp / f"{s}.json", None)
                pfile = tmp / f"{s}.params.yaml"
                pfile.write_text(yaml.safe_dump(p))
                out = tmp / f"{s}.ipynb"
                subprocess.run(
                    [
                        str(BIN / "papermill"),
                        str(sec.notebook),
                        str(out),
                        "-f",
                        str(pfile),
                        "-k",
                        "python3",
                        "--no-progress-bar",
                        "--cwd",
                        str(tmp),
                    ],
                    check=True,
                    capture_output=True,
                )
                subprocess.run(
                    [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)],
                    check=True,
                    capture_output=True,
                )
            times.append(time.perf_counter() - t0)
    return times


def make_runs(repeat: int) -> tuple[list[float], list[float]]:
    """Cold `make briefings` in a fresh copy of the project (existing .venv), then a no-op one."""
    cold, noop = [], []
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=paths.ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="rb-make-") as tmp:
            tmp = Path(tmp)
            for f in tracked:
                (tmp / f).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(paths.ROOT / f, tmp / f)
            (tmp / ".venv").symlink_to(paths.ROOT / ".venv")
            env = {**os.environ, "RISKBRIEF_ROOT": str(tmp)}
            cmd = ["make", "--no-print-directory", "-o", ".venv/.installed", "briefings"]
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=tmp, env=env, check=True, capture_output=True)
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            out = subprocess.run(
                cmd, cwd=tmp, env=env, check=True, capture_output=True, text=True
            ).stdout
            noop.append(time.perf_counter() - t0)
            assert "Nothing to be done" in out, out
    return cold, noop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=None, help="one briefing")
    ap.add_argument("--skip-make", action="store_true")
    args = ap.parse_args()
    names = [args.only] if args.only else params.available_briefings()

    print(f"riskbrief pipeline benchmark — medians of {args.repeat} runs, seconds")
    print(f"{'briefing':<14}" + "".join(f"{k:>10}" for k in (*STAGES, "total", "bare", "ratio")))
    for name in names:
        runs = stage_times(name, args.repeat)
        bare = median(bare_tools(name, args.repeat))
        total = median(runs["total"])
        print(
            f"{name:<14}"
            + "".join(f"{median(runs[k]):>10.2f}" for k in (*STAGES, "total"))
            + f"{bare:>10.2f}{total / bare:>10.2f}"
        )
    print(
        "bare = papermill CLI + jupyter nbconvert --to html on the same notebooks (no PDF, no assembly, no publishing);"
    )
    print("ratio = riskbrief total / bare")
    if not args.skip_make:
        cold, noop = make_runs(args.repeat)
        print(f"make briefings, cold (all briefings, fresh copy): {median(cold):.2f} s")
        print(
            f"make briefings, no-op (nothing changed):         {median(noop):.3f} s  (target < 1 s)"
        )


if __name__ == "__main__":
    main()
