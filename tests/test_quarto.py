"""The optional Quarto renderer: the document it is given, its wiring, and a real render when
a `quarto` executable is installed (skipped otherwise)."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import nbformat
import pytest
from projects import run_here

from riskbrief import render

pytestmark = pytest.mark.slow

QUARTO_ABSENT = (
    "quarto is not on PATH: install it with 'pip install quarto-cli' (downloads from GitHub) "
    "or conda's 'quarto'"
)

STUB = """#!/usr/bin/env bash
# Stands in for the quarto CLI: records its arguments and writes the file quarto would write.
set -euo pipefail
echo "$@" >> "$QUARTO_STUB_LOG"
if [ "$1" = "--version" ]; then echo "1.6.0-stub"; exit 0; fi
[ "$1" = render ] || { echo "unexpected: $*" >&2; exit 3; }
src="$2"; stem="${src%.ipynb}"
case "$4" in
  html) printf '<!DOCTYPE html><html lang="en"><body>rendered %s</body></html>' "$src" > "$stem.html" ;;
  typst) printf '%%PDF-1.4 stub for %s' "$src" > "$stem.pdf" ;;
  *) echo "unexpected format $4" >&2; exit 3 ;;
esac
"""


@pytest.fixture
def stub_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "quarto"
    exe.write_text(STUB)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "quarto.log"
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("QUARTO_STUB_LOG", str(log))
    return log


def test_quarto_document_has_front_matter_captions_and_no_parameters(demo_project: Path) -> None:
    run_here(demo_project, "build", "demo", check=True)
    doc = nbformat.read(demo_project / "reports" / "demo" / "v1" / "demo-v1.ipynb", as_version=4)
    qnb = render.quarto_notebook(doc)
    front = qnb.cells[0]
    assert front.cell_type == "raw" and front.source.startswith('---\ntitle: "Demo briefing"')
    assert (
        "embed-resources: true" in front.source
        and "typst:" in front.source
        and "enabled: false" in front.source
    )
    sources = "\n".join(c.source for c in qnb.cells if c.cell_type == "markdown")
    assert (
        "Edition v1" in sources
        and "Figure 1. Values by label." in sources
        and "Source: data/values.csv" in sources
    )
    for c in qnb.cells:
        assert not {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))
        if c.cell_type == "code":
            assert c.source == ""


def test_build_with_quarto_renders_without_executing_and_publishes(
    demo_project: Path, stub_quarto: Path
) -> None:
    proc = run_here(demo_project, "build", "demo", "--renderer", "quarto", check=True)
    assert "published v1" in proc.stdout
    calls = stub_quarto.read_text().splitlines()
    renders = [c for c in calls if c.startswith("render")]
    assert renders == [
        "render demo-v1.ipynb --to html --no-execute",
        "render demo-v1.ipynb --to typst --no-execute",
    ]
    v1 = demo_project / "reports" / "demo" / "v1"
    assert "rendered demo-v1.ipynb" in (v1 / "demo-v1.html").read_text()
    assert (v1 / "demo-v1.pdf").read_bytes().startswith(b"%PDF")
    manifest = json.loads((v1 / "manifest.json").read_text())
    assert manifest["renderer"] == {"name": "quarto", "version": "quarto 1.6.0-stub"}


def test_renderer_is_part_of_the_fingerprint(demo_project: Path, stub_quarto: Path) -> None:
    run_here(demo_project, "build", "demo", check=True)
    proc = run_here(demo_project, "build", "demo", "--renderer", "quarto", check=True)
    assert "published v2" in proc.stdout


def test_quarto_stub_failure_is_reported(
    demo_project: Path, stub_quarto: Path, tmp_path: Path
) -> None:
    exe = Path(shutil.which("quarto") or "")
    exe.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1" = --version ]; then echo 1; exit 0; fi\n'
        "echo 'ERROR: typst failed' >&2; exit 1\n"
    )
    proc = run_here(demo_project, "build", "demo", "--renderer", "quarto")
    assert (
        proc.returncode == 1
        and "quarto render --to html failed" in proc.stderr
        and "typst failed" in proc.stderr
    )
    assert not (demo_project / "reports" / "demo").exists()


@pytest.mark.skipif(shutil.which("quarto") is None, reason=QUARTO_ABSENT)
def test_real_quarto_renders_html_and_typst_pdf(demo_project: Path) -> None:
    proc = run_here(demo_project, "build", "demo", "--renderer", "quarto", check=True)
    v1 = demo_project / "reports" / "demo" / "v1"
    html = (v1 / "demo-v1.html").read_text()
    assert "Demo briefing" in html and '<script src="http' not in html
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() or "" for p in PdfReader(v1 / "demo-v1.pdf").pages)
    assert "Demo briefing" in text and "Chart section" in text
    assert "published v1" in proc.stdout
