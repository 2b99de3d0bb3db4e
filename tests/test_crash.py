"""Crashes lose nothing, and builds run side by side safely.

A real build in a subprocess is killed with SIGKILL at several points — mid-cell, before
rendering, with the new version staged, after it is renamed into place but before ``latest``
moves, before the index is rewritten — and ``reports/`` must still be consistent: every
version complete, ``latest`` and ``index.html`` pointing at complete versions. The next build
then succeeds and leaves everything up to date.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from projects import COMMON, make_project, notebook, run_here, write_params

from riskbrief import publish, verify

pytestmark = pytest.mark.slow
REPO = Path(__file__).parents[1]


def start_build(root: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "riskbrief", "build", "demo", *args],
        cwd=root,
        env={**os.environ, "RISKBRIEF_ROOT": str(root), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_hard(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the build; then its kernel, which a real crash would orphan."""
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]


def wait_for_line(proc: subprocess.Popen[str], pattern: str) -> str:
    """Read the build's output until a line matches (EOF first means the build ended: a failure)."""
    seen = []
    for line in proc.stdout:  # type: ignore[union-attr]
        seen.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(
        f"the build ended before {pattern!r}:\n{''.join(seen)}{proc.stderr.read()}"
    )  # type: ignore[union-attr]


def assert_consistent(reports: Path, name: str = "demo") -> list[int]:
    """Every version complete and intact, latest and the index pointing at complete versions."""
    bdir = reports / name
    vs = publish.versions(bdir)
    for entry in bdir.iterdir():
        # besides versions and `latest`, only hidden leftovers the next build removes
        assert (
            entry.name in ("latest", "latest.pdf", "latest.html")
            or re.fullmatch(r"v\d+", entry.name)
            or entry.name.startswith(".")
        ), entry
        if re.fullmatch(r"v\d+", entry.name):
            assert int(entry.name[1:]) in vs, f"{entry} has no manifest: a partial version"
    for v in vs:
        check = verify.check_version(bdir, v)
        assert check.ok, [str(f) for f in check.findings]
    latest = (bdir / "latest").readlink()
    assert re.fullmatch(r"v\d+", latest.name) and int(latest.name[1:]) in vs
    index = (reports / "index.html").read_text()
    for href in re.findall(r'href="([^"]+)"', index):
        assert (reports / href).is_file(), f"index.html links to missing {href}"
    return vs


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("crash") / "project")
    run_here(root, "build", "demo", check=True)
    return root


@pytest.fixture
def built(published: Path, tmp_path: Path) -> Path:
    """A copy of a project with v1 published; params changed so the next build publishes v2."""
    root = tmp_path / "project"
    shutil.copytree(published, root, symlinks=True)
    write_params(root, "demo", title="Demo briefing, second edition")
    return root


@pytest.mark.parametrize("point", ["render", "publish", "latest", "index"])
def test_killed_build_leaves_reports_consistent_and_next_build_succeeds(
    built: Path, point: str
) -> None:
    reports = built / "reports"
    proc = start_build(built, RISKBRIEF_PAUSE_AT=point)
    wait_for_line(proc, rf"^paused at {point}\b")
    # only the title changed, so every section came from the cache and no kernel server started
    assert psutil.Process(proc.pid).children(recursive=True) == []
    kill_hard(proc)

    vs = assert_consistent(reports)
    if point in {"render", "publish"}:
        assert vs == [1] and (reports / "demo" / "latest").readlink() == Path("v1")
        assert "demo/v2/" not in (reports / "index.html").read_text()
    else:  # the new version was complete and renamed into place before the kill
        assert vs == [1, 2]

    again = run_here(built, "build", "demo", check=True)
    assert ("up to date (v2)" if point in {"latest", "index"} else "published v2") in again.stdout
    assert assert_consistent(reports) == [1, 2]
    assert (reports / "demo" / "latest").readlink() == Path("v2")
    assert 'href="demo/v2/demo-v2.pdf"' in (reports / "index.html").read_text()
    assert not [p for p in (reports / "demo").iterdir() if p.name.startswith(".")], (
        "leftovers removed"
    )
    assert not list(reports.glob(".index.html.tmp-*"))


def test_build_killed_mid_cell(built: Path) -> None:
    marker = built / "cell-started"
    notebook(
        built / "notebooks" / "slow.ipynb",
        "## Slow section",
        COMMON,
        [
            f"from pathlib import Path\nPath({str(marker)!r}).write_text('x')\nimport time\ntime.sleep(120)"
        ],
    )
    write_params(built, "demo", title="Demo briefing, second edition", sections="[chart, slow]")
    proc = start_build(built)
    deadline = time.monotonic() + 120  # a guard against hanging, not a measurement
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read()  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the slow cell never started"
        time.sleep(0.1)
    kill_hard(proc)

    assert assert_consistent(built / "reports") == [1]
    write_params(built, "demo", title="Demo briefing, second edition")
    assert "published v2" in run_here(built, "build", "demo", check=True).stdout
    assert assert_consistent(built / "reports") == [1, 2]


# --- concurrency --------------------------------------------------------------------------


def test_concurrent_forced_builds_get_distinct_versions(built: Path) -> None:
    """Two builds of one briefing that both must publish: one after the other, v2 and v3."""
    procs = [start_build(built, "--force") for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    published = sorted(re.findall(r"published v(\d+)", "".join(o[0] for o in outs)))
    assert published == ["2", "3"]
    assert "waiting for another build of demo" in "".join(o[0] for o in outs)
    assert assert_consistent(built / "reports") == [1, 2, 3]


RENDEZVOUS = """
from pathlib import Path
import time
here, other = Path({mine!r}), Path({theirs!r})
here.write_text("started")
for _ in range(1200):
    if other.exists():
        break
    time.sleep(0.1)
else:
    raise RuntimeError("the other briefing never started: builds did not run in parallel")
"""


def test_make_j2_builds_different_briefings_in_parallel(tmp_path: Path) -> None:
    """Each briefing's notebook waits until the other's has started: they only both finish
    if make -j2 really runs them at the same time."""
    root = make_project(tmp_path / "project")
    meet = tmp_path / "meet"
    meet.mkdir()
    for name, other in (("one", "two"), ("two", "one")):
        code = RENDEZVOUS.format(mine=str(meet / name), theirs=str(meet / other))
        results = f"from riskbrief.results import write_results\nwrite_results(results_path, '{name}', {{}})"
        notebook(
            root / "notebooks" / f"wait_{name}.ipynb",
            f"## Briefing {name}",
            COMMON,
            [code, results],
        )
        write_params(root, name, title=f"Briefing {name}", sections=f"[wait_{name}, notes]")
    (root / "params" / "demo.yaml").unlink()
    shutil.copyfile(REPO / "Makefile", root / "Makefile")
    shutil.copyfile(REPO / "requirements.lock", root / "requirements.lock")
    (root / ".venv").symlink_to(Path(sys.executable).parents[1])
    (root / "src").symlink_to(REPO / "src")
    proc = subprocess.run(
        ["make", "--no-print-directory", "-j2", "-o", ".venv/.installed", "briefings"],
        cwd=root,
        env={**os.environ, "RISKBRIEF_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[one] published v1" in proc.stdout and "[two] published v1" in proc.stdout
    for name in ("one", "two"):
        assert assert_consistent(root / "reports", name) == [1]
    index = (root / "reports" / "index.html").read_text()
    assert 'href="one/v1/one-v1.pdf"' in index and 'href="two/v1/two-v1.pdf"' in index
