"""Identical rebuilds: the same inputs built twice, into two fresh report directories in
different places, with SOURCE_DATE_EPOCH set, give byte-identical HTML, PDF, manifest and every
other published file — with the real section notebooks (charts as SVG, Monte Carlo, tables)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from projects import REAL_EPOCH, REAL_NAME, run_here
from pypdf import PdfReader

pytestmark = pytest.mark.slow


def files(vdir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vdir).as_posix(): p.read_bytes()
        for p in sorted(vdir.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def two_builds(real_v1: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """v1 of the shared real-sections briefing (``real_v1``), and the same inputs built again
    elsewhere, with reports and work folders in other places."""
    second = tmp_path_factory.mktemp("repro") / "second"
    other = second / "somewhere" / "else" / "project"
    other.mkdir(parents=True)
    for sub in ("params", "data", "notebooks", "docs"):
        shutil.copytree(real_v1 / sub, other / sub)
    run_here(
        other,
        "build",
        REAL_NAME,
        "--reports-dir",
        str(second / "out"),
        "--build-dir",
        str(second / "work"),
        check=True,
        env={"SOURCE_DATE_EPOCH": REAL_EPOCH},
    )
    return real_v1 / "reports" / REAL_NAME / "v1", second / "out" / REAL_NAME / "v1"


def test_html_pdf_and_manifest_are_byte_identical(two_builds: tuple[Path, Path]) -> None:
    first, second = two_builds
    for name in (f"{REAL_NAME}-v1.html", f"{REAL_NAME}-v1.pdf", "manifest.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_every_published_file_is_byte_identical(two_builds: tuple[Path, Path]) -> None:
    first, second = two_builds
    a, b = files(first), files(second)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert any(k.startswith("notebooks/") for k in a) and any(k.startswith("results/") for k in a)


def test_no_build_location_leaks_into_outputs(two_builds: tuple[Path, Path]) -> None:
    for vdir in two_builds:
        where = str(vdir.parents[2]).encode()  # the folder holding the project and its outputs
        for name, data in files(vdir).items():
            assert where not in data, f"{name} records where it was built"
    first = two_builds[0]
    nb = nbformat.read(first / "notebooks" / "risk_summary.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'risk_register_path = "data/risk_register.csv"' in injected.source
    assert 'results_path = "risk_summary.json"' in injected.source
    assert injected.id == "injected-parameters"
    assert "start_time" not in json.dumps(nb.metadata) and "execution" not in json.dumps(
        [c.metadata for c in nb.cells]
    )


def test_manifest_keys_sorted_and_times_from_source_date_epoch(
    two_builds: tuple[Path, Path],
) -> None:
    first, _ = two_builds

    def check_sorted(pairs: list[tuple[str, object]]) -> dict:
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    m = json.loads((first / "manifest.json").read_text(), object_pairs_hook=check_sorted)
    assert m["built_at"] == "2026-01-01T00:00:00Z"
    meta = PdfReader(first / f"{REAL_NAME}-v1.pdf").metadata
    assert meta["/CreationDate"].startswith("D:20260101")
