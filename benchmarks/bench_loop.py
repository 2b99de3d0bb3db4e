"""Time the analyst's loop on a copy of the project: a cold build, a rebuild after one data row
changed (only the section that reads it runs: target at most 0.5x the cold build), and the live
preview — its first page from the cached state (target 30 s) and the re-render after the text of
a notebook's Markdown cell changed (target 10 s).

Usage: python benchmarks/bench_loop.py [--briefing baseline]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from riskbrief.build import build
from riskbrief.paths import Project

REPO = Path(__file__).resolve().parents[1]
REBUILD_TARGET = 0.5
FIRST_PAGE_TARGET = 30.0
RERENDER_TARGET = 10.0
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def copy_project(dest: Path) -> Project:
    for d in ("params", "data", "notebooks", "docs"):
        shutil.copytree(REPO / d, dest / d)
    shutil.copyfile(REPO / "requirements.lock", dest / "requirements.lock")
    return Project(dest)


def timed_build(name: str, project: Project, tmp: Path) -> tuple[float, str]:
    out = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out):
        build(name, project=project, reports_dir=tmp / "reports", build_dir=tmp / "build")
    return time.perf_counter() - t0, out.getvalue()


def edit_register_row(project: Project) -> None:
    path = project.data_dir / "risk_register.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[2]["impact_high"] = "5" if rows[2]["impact_high"] != "5" else "4"  # R03: mode 3
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def get(url: str) -> str:
    with _LOCAL.open(url, timeout=10) as r:
        return r.read().decode("utf-8")


def wait(url: str, predicate, timeout: float) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        with contextlib.suppress(OSError):
            if predicate(get(url)):
                return time.perf_counter() - t0
        time.sleep(0.1)
    return float("inf")


def preview_times(name: str, project: Project, tmp: Path) -> tuple[float, float]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RISKBRIEF_ROOT": str(project.root)}
    t0 = time.perf_counter()
    command = [sys.executable, "-m", "riskbrief", "preview", name, "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--build-dir", str(tmp / "build")],
        cwd=project.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait(base + "/", lambda t: "Key judgments" in t, 300)
        first = time.perf_counter() - t0
        version = get(base + "/version")
        nb_path = project.notebooks_dir / "context.ipynb"
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
        md["source"] = [*md["source"], " A sentence added while previewing."]
        nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        rerender = wait(base + "/version", lambda v: v != version, 120)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    return first, rerender


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--briefing", default="baseline")
    args = ap.parse_args()
    name = args.briefing
    with tempfile.TemporaryDirectory(prefix="rb-loop-") as tmp:
        tmp = Path(tmp)
        project = copy_project(tmp / "project")
        os.environ["RISKBRIEF_ROOT"] = str(project.root)  # the kernels' project
        cold, _ = timed_build(name, project, tmp)
        edit_register_row(project)
        one, out = timed_build(name, project, tmp)
        ran = [ln.split("executing ")[1] for ln in out.splitlines() if " executing " in ln]
        first, rerender = preview_times(name, project, tmp)
    ratio = one / cold
    print(f"analyst's loop ({name})")
    print(f"  cold build                         {cold:7.1f} s")
    print(
        f"  rebuild after one data row changed {one:7.1f} s  = {ratio:.2f}x cold "
        f"(target <= {REBUILD_TARGET}x: {'met' if ratio <= REBUILD_TARGET else 'MISSED'}); "
        f"ran {', '.join(ran) or 'nothing'}"
    )
    print(
        f"  preview, first page (cached)       {first:7.1f} s  "
        f"(target <= {FIRST_PAGE_TARGET:.0f} s: {'met' if first <= FIRST_PAGE_TARGET else 'MISSED'})"
    )
    print(
        f"  preview, re-render after a text edit {rerender:5.1f} s  "
        f"(target <= {RERENDER_TARGET:.0f} s: {'met' if rerender <= RERENDER_TARGET else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
