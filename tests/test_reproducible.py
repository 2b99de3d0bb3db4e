"""Identical rebuilds: the same inputs built twice, into two fresh report directories in
different places, with SOURCE_DATE_EPOCH set, give byte-identical HTML, PDF, manifest and every
other published file — with the real section notebooks (charts as SVG, Monte Carlo, tables)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from projects import run_here
from pypdf import PdfReader

pytestmark = pytest.mark.slow
REPO = Path(__file__).parents[1]
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

PARAMS = """\
title: "Reproducible briefing"
as_of: 2026-01-01
audience: "Tests"
classification: DRAFT
sections: [context, risk_summary, scenarios]
seed: 11
risk:
  draws: 200
scenarios:
  draws: 2000
  horizon_years: 5
  sobol:
    samples: 64
    bootstrap: 20
"""


def real_sections_project(root: Path, params: str = PARAMS, name: str = "repro") -> Path:
    """A project with the repository's data files and section notebooks and small draws."""
    shutil.copytree(REPO / "data", root / "data")
    (root / "notebooks").mkdir(parents=True)
    for nb in ("context", "risk_summary", "scenarios"):
        shutil.copyfile(REPO / "notebooks" / f"{nb}.ipynb", root / "notebooks" / f"{nb}.ipynb")
    (root / "params").mkdir()
    (root / "params" / f"{name}.yaml").write_text(params, encoding="utf-8")
    return root


def build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_here(root, "build", "repro", *args, check=True, env={"SOURCE_DATE_EPOCH": EPOCH})


def files(vdir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vdir).as_posix(): p.read_bytes()
        for p in sorted(vdir.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("repro")
    a = real_sections_project(tmp / "first" / "project")
    b = tmp / "second" / "somewhere" / "else" / "project"
    b.mkdir(parents=True)
    for sub in ("params", "data", "notebooks"):
        shutil.copytree(a / sub, b / sub)
    build(a)
    build(
        b, "--reports-dir", str(tmp / "second" / "out"), "--build-dir", str(tmp / "second" / "work")
    )
    return a / "reports" / "repro" / "v1", tmp / "second" / "out" / "repro" / "v1", tmp


def test_html_pdf_and_manifest_are_byte_identical(two_builds: tuple[Path, Path, Path]) -> None:
    first, second, _ = two_builds
    for name in ("repro-v1.html", "repro-v1.pdf", "manifest.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_every_published_file_is_byte_identical(two_builds: tuple[Path, Path, Path]) -> None:
    first, second, _ = two_builds
    a, b = files(first), files(second)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert any(k.startswith("notebooks/") for k in a) and any(k.startswith("results/") for k in a)


def test_no_build_location_leaks_into_outputs(two_builds: tuple[Path, Path, Path]) -> None:
    first, _, tmp = two_builds
    for name, data in files(first).items():
        assert str(tmp).encode() not in data, f"{name} records where it was built"
    nb = nbformat.read(first / "notebooks" / "risk_summary.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'risk_register_path = "data/risk_register.csv"' in injected.source
    assert 'results_path = "risk_summary.json"' in injected.source
    assert injected.id == "injected-parameters"
    assert "start_time" not in json.dumps(nb.metadata) and "execution" not in json.dumps(
        [c.metadata for c in nb.cells]
    )


def test_manifest_keys_sorted_and_times_from_source_date_epoch(
    two_builds: tuple[Path, Path, Path],
) -> None:
    first, _, _ = two_builds

    def check_sorted(pairs: list[tuple[str, object]]) -> dict:
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    m = json.loads((first / "manifest.json").read_text(), object_pairs_hook=check_sorted)
    assert m["built_at"] == "2026-01-01T00:00:00Z"
    meta = PdfReader(first / "repro-v1.pdf").metadata
    assert meta["/CreationDate"].startswith("D:20260101")
