"""End to end on a small project: build, publish, read the PDF and HTML back, version, fail cleanly."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import make_project, run_here, write_params
from pypdf import PdfReader

pytestmark = pytest.mark.slow


def tree_digest(root: Path) -> dict[str, str]:
    """Every file (and symlink target) under root with its sha256: to prove nothing changed."""
    out = {}
    if not root.exists():
        return out
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + str(p.readlink())
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project with v1 built: once per module (a build costs two kernels and a PDF)."""
    root = make_project(tmp_path_factory.mktemp("built") / "project")
    proc = run_here(root, "build", "demo", check=True)
    assert "published v1" in proc.stdout
    return root


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A copy of the built demo project of its own (reports, section cache and all)."""
    return Path(shutil.copytree(built_once, tmp_path / "project", symlinks=True))


def test_progress_one_line_per_notebook(built: Path) -> None:
    proc = run_here(built, "build", "demo", "--force", check=True)
    lines = proc.stdout.splitlines()
    # unchanged since the first build: each is reused from the section cache, one line each
    assert sum("reusing notebooks/" in ln for ln in lines) == 2
    assert not any("executing notebooks/" in ln for ln in lines)


def test_published_layout_and_manifest(built: Path) -> None:
    v1 = built / "reports" / "demo" / "v1"
    assert (v1 / "demo-v1.pdf").is_file() and (v1 / "demo-v1.html").is_file()
    assert (v1 / "notebooks" / "chart.ipynb").is_file() and (
        v1 / "results" / "chart.json"
    ).is_file()
    assert (built / "reports" / "demo" / "latest").readlink() == Path("v1")
    m = json.loads((v1 / "manifest.json").read_text())
    assert m["version"] == 1 and m["supersedes"] is None and len(m["fingerprint"]) == 64
    assert {"params/demo.yaml", "notebooks/chart.ipynb", "notebooks/notes.ipynb"} <= {
        i["path"] for i in m["inputs"]
    }
    assert all(len(i["sha256"]) == 64 for i in m["inputs"])
    assert m["parameters"]["title"] == "Demo briefing"
    assert m["renderer"]["name"] == "nbconvert" and "weasyprint" in m["renderer"]["version"]
    assert "papermill" in m["packages"] and "git" in m
    assert {o["path"] for o in m["outputs"]} >= {
        "demo-v1.pdf",
        "demo-v1.html",
        "results/chart.json",
    }
    for o in m["outputs"]:
        assert hashlib.sha256((v1 / o["path"]).read_bytes()).hexdigest() == o["sha256"], o["path"]
    index = (built / "reports" / "index.html").read_text()
    assert "Demo briefing" in index and 'href="demo/v1/demo-v1.pdf"' in index


def test_pdf_reads_back(built: Path) -> None:
    pdf = built / "reports" / "demo" / "v1" / "demo-v1.pdf"
    reader = PdfReader(pdf)
    text = pdf_text(pdf)
    assert "Demo briefing" in text
    assert "v1" in text
    for heading in (
        "Key judgments",
        "Contents",
        "Chart section",
        "Notes section",
        "Methods and sources",
        "Provenance",
    ):
        assert heading in text, heading
    n = len(reader.pages)
    assert f"Page 2 of {n}" in text and f"Page {n} of {n}" in text
    assert "DRAFT" in (reader.pages[1].extract_text() or "")
    assert "The values add up to 8." in text
    assert reader.metadata.title.startswith("Demo briefing")


def test_html_has_no_code_prompts_or_network(built: Path) -> None:
    html = (built / "reports" / "demo" / "v1" / "demo-v1.html").read_text()
    assert "Demo briefing" in html and "The values add up to 8." in html
    for code_marker in (
        "write_results",
        "import pandas",
        "jp-InputPrompt",
        "In&nbsp;[",
        "injected-parameters",
        'class="input',
    ):
        assert code_marker not in html, code_marker
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<script" not in html.lower()
    assert "<svg" in html and 'role="img"' in html
    assert html.count("<h1") == 1


def test_unchanged_inputs_publish_nothing(built: Path) -> None:
    before = tree_digest(built / "reports")
    proc = run_here(built, "build", "demo", check=True)
    assert "up to date (v1)" in proc.stdout
    assert tree_digest(built / "reports") == before


def test_changed_input_publishes_next_version_and_keeps_earlier(built: Path) -> None:
    v1_before = tree_digest(built / "reports" / "demo" / "v1")
    write_params(built, "demo", title="Demo briefing, revised")
    proc = run_here(built, "build", "demo", check=True)
    assert "published v2" in proc.stdout
    reports = built / "reports" / "demo"
    assert tree_digest(reports / "v1") == v1_before
    assert (reports / "latest").readlink() == Path("v2")
    m2 = json.loads((reports / "v2" / "manifest.json").read_text())
    assert m2["supersedes"] == 1
    assert "supersedes v1" in pdf_text(reports / "v2" / "demo-v2.pdf")
    index = (built / "reports" / "index.html").read_text()
    assert "demo/v1/demo-v1.pdf" in index and "demo/v2/demo-v2.pdf" in index


def test_changed_notebook_publishes_next_version(built: Path) -> None:
    nb = built / "notebooks" / "notes.ipynb"
    nb.write_text(nb.read_text().replace("Some notes for readers.", "Revised notes."))
    proc = run_here(built, "build", "demo", check=True)
    assert "published v2" in proc.stdout
    assert "Revised notes." in (built / "reports" / "demo" / "v2" / "demo-v2.html").read_text()


def test_failing_notebook_publishes_nothing(built: Path) -> None:
    before = tree_digest(built / "reports")
    write_params(built, "demo", sections="[chart, boom]")
    proc = run_here(built, "build", "demo")
    assert proc.returncode == 1
    assert "notebooks/boom.ipynb" in proc.stderr
    assert "ValueError: deliberate failure for the test" in proc.stderr
    assert "cell" in proc.stderr and "raise ValueError" in proc.stderr
    assert "Traceback" not in proc.stderr
    kept = built / "build" / "demo" / "failed" / "boom.ipynb"
    assert kept.is_file()
    assert "An Exception was encountered" in kept.read_text()  # papermill's error banner
    assert tree_digest(built / "reports") == before


def test_failure_on_first_build_leaves_no_briefing_dir(demo_project: Path) -> None:
    write_params(demo_project, "demo", sections="[boom]")
    proc = run_here(demo_project, "build", "demo")
    assert proc.returncode == 1
    assert not (demo_project / "reports" / "demo").exists()


def test_cell_timeout_names_the_cell(demo_project: Path) -> None:
    from projects import COMMON, notebook

    notebook(
        demo_project / "notebooks" / "slow.ipynb",
        "## Slow",
        COMMON,
        ["import time", "time.sleep(60)"],
    )
    write_params(demo_project, "demo", sections="[slow]", extra="execution:\n  cell_timeout: 2\n")
    proc = run_here(demo_project, "build", "demo")
    assert proc.returncode == 1
    assert (
        "notebooks/slow.ipynb" in proc.stderr
        and "time.sleep(60)" in proc.stderr
        and "timeout of 2 s" in proc.stderr
    )


def test_notebook_without_parameters_cell(demo_project: Path) -> None:
    import nbformat

    nb = nbformat.read(demo_project / "notebooks" / "notes.ipynb", as_version=4)
    for c in nb.cells:
        c.metadata.pop("tags", None)
    nbformat.write(nb, demo_project / "notebooks" / "notes.ipynb")
    proc = run_here(demo_project, "build", "demo")
    assert proc.returncode == 2
    assert "notebooks/notes.ipynb" in proc.stderr and "parameters" in proc.stderr


def test_concurrent_builds_publish_one_version(demo_project: Path) -> None:
    env = {**os.environ, "RISKBRIEF_ROOT": str(demo_project)}
    cmd = [sys.executable, "-m", "riskbrief", "build", "demo"]
    procs = [
        subprocess.Popen(
            cmd,
            cwd=demo_project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    stdout = "".join(o[0] for o in outs)
    assert stdout.count("published v1") == 1 and "up to date (v1)" in stdout
    assert sorted(p.name for p in (demo_project / "reports" / "demo").iterdir()) == [
        "latest",
        "latest.html",
        "latest.pdf",
        "v1",
    ]


def test_nbconvert_exporter_is_registered(built: Path) -> None:
    doc = built / "reports" / "demo" / "v1" / "demo-v1.ipynb"
    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.run(
        [str(jupyter), "nbconvert", "--to", "riskbrief", "--stdout", str(doc)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "<h1>Demo briefing</h1>" in proc.stdout and "<script" not in proc.stdout


def test_list_and_show(built: Path) -> None:
    out = run_here(built, "list", check=True).stdout
    assert re.search(r"^demo\s+v1\s+2026-01-01\s+Demo briefing", out, re.M)
    out = run_here(built, "show", "demo", check=True).stdout
    assert (
        "Demo briefing — v1 (first edition)" in out
        and "demo-v1.pdf" in out
        and "params/demo.yaml" in out
    )
    proc = run_here(built, "show", "demo", "--version", "9")
    assert proc.returncode == 2 and "no version 9" in proc.stderr


@pytest.mark.parametrize("command", ["build", "list", "show", "status", "preview", "deps"])
def test_cli_help(demo_project: Path, command: str) -> None:
    proc = run_here(demo_project, command, "--help", check=True)
    assert proc.stdout.startswith("usage: riskbrief " + command)


def test_quarto_missing_is_a_clear_error(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    if shutil.which("quarto"):
        pytest.skip("quarto is installed; this checks the message when it is absent")
    proc = run_here(demo_project, "build", "demo", "--renderer", "quarto")
    assert proc.returncode == 1
    assert (
        "quarto" in proc.stderr
        and "pip install quarto-cli" in proc.stderr
        and "conda" in proc.stderr
    )
    assert (
        not (demo_project / "build" / "demo").exists()
        and not (demo_project / "reports" / "demo").exists()
    )
