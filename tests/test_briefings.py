"""The project's own briefings build end to end and read back, and make is incremental."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdftext
import pytest
from projects import small_draws

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def baseline(real_reports: Path) -> Path:
    """The real baseline briefing, built once per test run (tests/conftest.py)."""
    return real_reports / "baseline" / "v1"


def test_pdf_holds_title_version_sections_and_page_numbers(baseline: Path) -> None:
    pages = pdftext.texts(baseline / "baseline-v1.pdf")
    text = "\n".join(pages)
    assert "The US–China AI race and AI safety" in text
    assert "v1 — first edition" in text
    for heading in (
        "Key judgments",
        "Contents",
        "Context: the US–China AI race in numbers",
        "Risk summary",
        "Scenarios",
        "Methods and sources",
        "Provenance",
    ):
        assert heading in text, heading
    n = len(pages)
    assert n >= 8
    assert f"Page 2 of {n}" in text and f"Page {n} of {n}" in text
    assert "PUBLIC" in pages[3]


def test_key_judgments_come_from_the_results(baseline: Path) -> None:
    manifest = json.loads((baseline / "manifest.json").read_text())
    assert 3 <= len(manifest["key_judgments"]) <= 6
    results = {p.stem: json.loads(p.read_text()) for p in (baseline / "results").glob("*.json")}
    generated = {kj["text"] for r in results.values() for kj in r["key_judgments"]}
    assert set(manifest["key_judgments"]) <= generated
    html = (baseline / "baseline-v1.html").read_text()
    for text in manifest["key_judgments"]:
        assert re.sub(r"\s+", " ", text.split("(")[0])[:40] in re.sub(r"\s+", " ", html)


def test_html_is_self_contained_without_code(baseline: Path) -> None:
    html = (baseline / "baseline-v1.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert "write_results" not in html and "injected-parameters" not in html
    # no line of the notebooks' imports shows (prose may say "import": the evidence section
    # quotes a dataset's import notes)
    imports = [
        line
        for nb in (ROOT / "notebooks").glob("*.ipynb")
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith(("import ", "from "))
    ]
    assert imports and not [line for line in imports if line in html]
    assert html.count("<figure") >= 10


def test_manifest_hashes_match_files(baseline: Path) -> None:
    manifest = json.loads((baseline / "manifest.json").read_text())
    for o in manifest["outputs"]:
        assert hashlib.sha256((baseline / o["path"]).read_bytes()).hexdigest() == o["sha256"]
    inputs = {i["path"] for i in manifest["inputs"]}
    assert {
        "params/baseline.yaml",
        "data/risk_register.csv",
        "data/indicators.csv",
        "data/scenarios.yaml",
    } <= inputs
    assert {
        "notebooks/context.ipynb",
        "notebooks/risk_summary.ipynb",
        "notebooks/scenarios.ipynb",
    } <= inputs
    assert "requirements.lock" in inputs


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the tracked project (sharing .venv) with only the arms-race briefing."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for f in tracked:
        if (ROOT / f).is_file():
            (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, tmp_path / f)
    for f in (tmp_path / "params").glob("*.yaml"):
        if f.stem != "arms-race":
            f.unlink()
        else:  # every section, with small draws: what make does is under test, not the numbers
            f.write_text(small_draws(f.read_text("utf-8")), "utf-8")
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])
    return tmp_path


def _make(root: Path, *args: str) -> str:
    env = {**os.environ, "RISKBRIEF_ROOT": str(root)}
    proc = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_make_is_incremental(project_copy: Path) -> None:
    out = _make(project_copy, "briefings")
    assert "published v1" in out
    assert "[arms-race]" not in _make(project_copy, "briefings")  # nothing to do
    # a data file arms-race does not read (the baseline's evidence tables): nothing to do
    os.utime(project_copy / "data" / "evidence" / "epoch-models.csv")
    assert "[arms-race]" not in _make(project_copy, "briefings")
    # a data file it reads: make runs the build, which finds the content unchanged
    os.utime(project_copy / "data" / "scenarios.yaml")
    assert "up to date (v1)" in _make(project_copy, "briefings")
    # a deleted report is rebuilt
    shutil.rmtree(project_copy / "reports" / "arms-race")
    assert "published v1" in _make(project_copy, "briefings")
    # clean removes build/ and never reports/
    _make(project_copy, "clean")
    assert (
        not (project_copy / "build").exists()
        and (project_copy / "reports" / "arms-race" / "v1").is_dir()
    )


def test_make_help_lists_every_public_target() -> None:
    out = subprocess.run(
        ["make", "--no-print-directory"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for target in ("help", "briefings", "briefing", "test", "lab", "clean", "bench", "site"):
        assert re.search(rf"^\s+{target}\s+\S", out, re.M), target


def test_make_briefing_without_name_explains() -> None:
    proc = subprocess.run(
        ["make", "--no-print-directory", "briefing"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode != 0 and "usage: make briefing B=<name>" in proc.stdout
