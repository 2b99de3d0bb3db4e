"""Time the briefing pipeline: each stage per briefing, cold and no-op `make briefings`, and the
same notebooks run with the bare tools (papermill CLI, then `jupyter nbconvert --to html`).

The cold `make briefings` is measured side by side with a reference commit (``--against``,
default: the last commit before the package was reshaped into section specs and stages),
alternating runs in fresh copies that share the project's .venv, so the two are timed under
the same load. Target: the current tree takes at most 0.6x the reference's time.

Prints medians over several runs.
Usage: python benchmarks/bench_pipeline.py [--repeat N] [--only NAME] [--against COMMIT]
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

from riskbrief import params, sections
from riskbrief.build import build
from riskbrief.paths import Project

BIN = Path(sys.executable).parent
STAGES = ("validate", "execute", "assemble", "html", "pdf", "publish")
PROJECT = Project(Path(__file__).resolve().parents[1])
#: The last commit before the reshaping: what the cold-build target is measured against.
REFERENCE = "cab0f12"
TARGET_RATIO = 0.6


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def stage_times(name: str, repeat: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {k: [] for k in (*STAGES, "total")}
    with tempfile.TemporaryDirectory(prefix="rb-bench-") as tmp:
        for i in range(repeat):
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                res = build(
                    name,
                    project=PROJECT,
                    reports_dir=Path(tmp) / "reports",
                    build_dir=Path(tmp) / f"build-{i}",  # a fresh section cache: every stage runs
                    force=True,
                )
            runs["total"].append(time.perf_counter() - t0)
            for k in STAGES:
                runs[k].append(res.timings.get(k, 0.0))
    return runs


def bare_tools(name: str, repeat: int) -> list[float]:
    """papermill CLI on each section notebook, then nbconvert's stock HTML exporter on each."""
    b = sections.load(name, PROJECT)
    times = []
    with tempfile.TemporaryDirectory(prefix="rb-bare-") as tmp:
        tmp = Path(tmp)
        for _ in range(repeat):
            t0 = time.perf_counter()
            for step in sections.plan(b):
                s = step.section.name
                pfile = tmp / f"{s}.params.yaml"
                pfile.write_text(yaml.safe_dump(step.parameters))
                out = tmp / f"{s}.ipynb"
                subprocess.run(
                    [
                        str(BIN / "papermill"),
                        str(step.notebook),
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


def _tree(commit: str | None, dest: Path) -> Path:
    """The project's tracked files at ``commit`` (None: the working tree) in ``dest``, with the
    project's .venv; PYTHONPATH makes its own src/ win over the installed package."""
    if commit is None:
        tracked = subprocess.run(
            ["git", "ls-files"], cwd=PROJECT.root, capture_output=True, text=True, check=True
        ).stdout.split()
        for f in tracked:
            if (PROJECT.root / f).is_file():
                (dest / f).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PROJECT.root / f, dest / f)
    else:
        dest.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", commit], cwd=PROJECT.root, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    (dest / ".venv").symlink_to(PROJECT.root / ".venv")
    return dest


def _cold_and_noop(tree: Path) -> tuple[float, float]:
    env = {**os.environ, "RISKBRIEF_ROOT": str(tree), "PYTHONPATH": str(tree / "src")}
    env.pop("SOURCE_DATE_EPOCH", None)
    cmd = ["make", "--no-print-directory", "-o", ".venv/.installed", "briefings"]
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=tree, env=env, check=True, capture_output=True)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=tree, env=env, check=True, capture_output=True, text=True).stdout
    noop = time.perf_counter() - t0
    # nothing built: no briefing's progress line (make itself may print nothing at all)
    assert not any(w in out for w in ("executing", "published", "assembling")), out
    return cold, noop


def make_runs(repeat: int, against: str) -> dict[str, tuple[list[float], list[float]]]:
    """Cold and no-op `make briefings` of the working tree and of ``against``, alternating."""
    runs: dict[str, tuple[list[float], list[float]]] = {"current": ([], []), against: ([], [])}
    for _ in range(repeat):
        for label, commit in (("current", None), (against, against)):
            with tempfile.TemporaryDirectory(prefix="rb-make-") as tmp:
                cold, noop = _cold_and_noop(_tree(commit, Path(tmp) / "project"))
            runs[label][0].append(cold)
            runs[label][1].append(noop)
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=None, help="one briefing")
    ap.add_argument("--skip-make", action="store_true")
    ap.add_argument("--skip-stages", action="store_true")
    ap.add_argument("--against", default=REFERENCE, help="reference commit for the cold build")
    args = ap.parse_args()
    names = [args.only] if args.only else params.available_briefings(PROJECT)

    print(f"riskbrief pipeline benchmark — medians of {args.repeat} runs, seconds")
    print(f"{'briefing':<14}" + "".join(f"{k:>10}" for k in (*STAGES, "total", "bare", "ratio")))
    for name in [] if args.skip_stages else names:
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
        runs = make_runs(args.repeat, args.against)
        cold, noop = runs["current"]
        ref_cold, _ = runs[args.against]
        ratio = median(cold) / median(ref_cold)
        verdict = "within" if ratio <= TARGET_RATIO else "OVER"
        print(f"make briefings, cold (all briefings, fresh copy): {median(cold):.2f} s")
        print(f"  same, at {args.against} (side by side):        {median(ref_cold):.2f} s")
        print(f"  ratio {ratio:.2f} (target at most {TARGET_RATIO}): {verdict}")
        print(
            f"make briefings, no-op (nothing changed):         {median(noop):.3f} s  (target < 1 s)"
        )


if __name__ == "__main__":
    main()
