from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import pdftext
from projects import build_real_v1, make_project

ROOT = Path(__file__).parents[1]
#: The real briefings: one per params file.
BRIEFINGS = sorted(p.stem for p in (ROOT / "params").glob("*.yaml"))


@pytest.fixture
def demo_project(tmp_path: Path) -> Path:
    """A throw-away project with a 'demo' briefing (sections 'chart' and 'notes') and a failing 'boom' section."""
    return make_project(tmp_path / "project")


@pytest.fixture
def in_project(demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the demo project the default project (``RISKBRIEF_ROOT``) for in-process tests."""
    monkeypatch.setenv("RISKBRIEF_ROOT", str(demo_project))
    return demo_project


def _shared_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test run's temporary folder: under pytest-xdist each worker has its own basetemp
    inside the run's, which every worker shares."""
    import os

    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def _shared_pdf_text(tmp_path_factory: pytest.TempPathFactory) -> None:
    """PDF texts read by one test worker are kept for the others (tests/pdftext.py)."""
    pdftext.CACHE_DIR = _shared_temp(tmp_path_factory) / "pdf-text"


def _built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build) -> Path:
    """``build(folder)`` run once per test run, in a folder every test worker shares: the first
    worker to get here builds while the others wait for it under a file lock, then all reuse
    the result. What it builds is read-only to the tests."""
    import fcntl

    shared = _shared_temp(tmp_path_factory) / name
    shared.mkdir(parents=True, exist_ok=True)
    done = shared / "built"
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.is_file():
            build(shared)
            done.touch()
    return shared


@pytest.fixture(scope="session")
def real_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's real briefings (one per params file), built once per test run into one
    reports directory shared by every test worker. Tests must treat it as read-only."""
    from riskbrief.build import build

    def build_all(shared: Path) -> None:
        for name in BRIEFINGS:
            result = build(name, reports_dir=shared / "reports", build_dir=shared / "build")
            assert result.published, name

    return _built_once(tmp_path_factory, "real-briefings", build_all) / "reports"


@pytest.fixture(scope="session")
def real_v1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the real sections and small draws (``projects.real_sections_project``),
    its briefing built as v1 once per test run (``projects.build_real_v1``) and shared by every
    test worker. Read-only: tests that change it work on ``projects.copy_project`` of it."""

    def build(shared: Path) -> None:
        shutil.rmtree(shared / "project", ignore_errors=True)  # what a failed attempt left
        build_real_v1(shared / "project")

    return _built_once(tmp_path_factory, "real-v1", build) / "project"


@pytest.fixture(scope="session")
def public_site(real_reports: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public site exported from the real briefings (``riskbrief site``), once per worker
    into the worker's own temporary folder; the reports it reads are left as they are."""
    from riskbrief import site

    return site.export(real_reports, tmp_path_factory.mktemp("site") / "site").out


#: The longest files, in the order the two test workers should start them (``make test`` keeps
#: this order: ``--no-loadscope-reorder``). pytest-xdist gives each worker two files to start
#: with, alternately, then the next file as each finishes: the first worker builds the real
#: briefings (``real_reports``) and goes on to a file that reads them, while the other runs
#: long builds of its own; the quick files fill in at the end.
FIRST = (
    "test_decision_ready.py",
    "test_crash.py",
    "test_layout.py",
    "test_cluster.py",
    "test_loop.py",
    "test_verify.py",
    "test_fresh_clone.py",
    "test_kernels.py",
    "test_pipeline.py",
    "test_briefings.py",
    "test_make_loop.py",
    "test_quarto.py",
    "test_reproducible.py",
    "test_diff.py",
    "test_accessibility.py",
    "test_conformance.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (``FIRST``), then other files with slow tests, then the rest
    (stable within each): the long builds start at once and the quick tests fill in at the end,
    instead of one worker finishing a long build alone."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> tuple[int, int]:
        name = item.path.name
        if name in FIRST:
            return (0, FIRST.index(name))
        return (1 if item.path in slow_files else 2, 0)

    items.sort(key=rank)
