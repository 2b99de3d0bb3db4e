"""riskbrief verify: re-hash published files against the manifest; --rebuild from the inputs.

That a rebuild of an edition built from reused sections, without SOURCE_DATE_EPOCH, is byte
for byte the published one is checked on the analyst's loop (tests/test_loop.py); here, what
verify reports when files were changed, and when the package differs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from projects import REAL_PARAMS, copy_project, make_project, run_here, write_params

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_versions(real_v1: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1 of the shared real-sections briefing 'brief' (``real_v1``) and a v2 that changes the
    risk summary's draws, so it reruns that section and reuses the others."""
    root = copy_project(real_v1, tmp_path_factory.mktemp("verify") / "project")
    params = root / "params" / "brief.yaml"
    assert "  draws: 100\n" in REAL_PARAMS and params.read_text(encoding="utf-8") == REAL_PARAMS
    params.write_text(REAL_PARAMS.replace("  draws: 100\n", "  draws: 120\n"), encoding="utf-8")
    out = run_here(root, "build", "brief", check=True).stdout
    assert "published v2" in out and "reusing notebooks/scenarios.ipynb" in out
    return root


@pytest.fixture
def copy(two_versions: Path, tmp_path: Path) -> Path:
    return copy_project(two_versions, tmp_path / "project")


def test_untouched_versions_verify(two_versions: Path) -> None:
    proc = run_here(two_versions, "verify", "brief")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "brief v1: ok" in proc.stdout and "brief v2: ok" in proc.stdout
    one = run_here(two_versions, "verify", "brief", "--version", "1")
    assert one.returncode == 0 and "v2" not in one.stdout


def test_altered_added_and_removed_files_are_reported(copy: Path) -> None:
    v2 = copy / "reports" / "brief" / "v2"
    pdf = v2 / "brief-v2.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0xFF
    pdf.write_bytes(bytes(data))
    (v2 / "results" / "context.json").unlink()
    (v2 / "notes.txt").write_text("added by hand")
    proc = run_here(copy, "verify", "brief")
    assert proc.returncode == 1
    assert "brief v1: ok" in proc.stdout and "brief v2: 3 problem(s)" in proc.stdout
    assert "altered   brief-v2.pdf" in proc.stdout
    assert "removed   results/context.json" in proc.stdout
    assert "added     notes.txt" in proc.stdout
    assert "verification failed: brief v2" in proc.stderr and "Traceback" not in proc.stderr


def test_stale_latest_is_reported(copy: Path) -> None:
    latest = copy / "reports" / "brief" / "latest"
    latest.unlink()
    latest.symlink_to("v1")
    proc = run_here(copy, "verify")
    assert proc.returncode == 1 and "latest points at v1; the newest version is v2" in proc.stdout


def test_unknown_version_and_briefing(two_versions: Path) -> None:
    proc = run_here(two_versions, "verify", "brief", "--version", "9")
    assert proc.returncode == 2 and "no version 9 (published: v1, v2)" in proc.stderr
    proc = run_here(two_versions, "verify", "nothing")
    assert proc.returncode == 2 and "'nothing' has no published version" in proc.stderr


def test_rebuild_shows_which_files_differ(tmp_path: Path) -> None:
    """An HTML file edited by hand with its manifest forged to match passes the hash check;
    the rebuild catches it and names the file and the changed line."""
    root = make_project(tmp_path / "project")
    write_params(root, "demo", sections="[notes]")  # a section that reads no undeclared file
    run_here(root, "build", "demo", check=True)
    v1 = root / "reports" / "demo" / "v1"
    html = v1 / "demo-v1.html"
    html.write_text(html.read_text().replace("Some notes for readers.", "Some forged notes."))
    manifest = json.loads((v1 / "manifest.json").read_text())
    for o in manifest["outputs"]:
        if o["path"] == html.name:
            o["sha256"] = hashlib.sha256(html.read_bytes()).hexdigest()
            o["bytes"] = html.stat().st_size
    (v1 / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    assert run_here(root, "verify", "demo").returncode == 0  # the forgery is consistent

    proc = run_here(root, "verify", "demo", "--rebuild")
    assert proc.returncode == 1
    assert "1 of" in proc.stdout or "2 of" in proc.stdout
    assert "differs   demo-v1.html" in proc.stdout and "Some forged notes." in proc.stdout
    assert "demo-v1.pdf" not in proc.stdout.split("rebuilt from its inputs")[1]  # the PDF is intact
    kept = root / "build" / "verify" / "demo" / "v1" / "demo-v1.html"
    assert "Some notes for readers." in kept.read_text()


def test_rebuild_says_when_the_package_differs(two_versions: Path) -> None:
    from riskbrief import verify
    from riskbrief.provenance import Manifest

    manifest = Manifest.read(two_versions / "reports" / "brief" / "v1" / "manifest.json")
    assert verify.package_differences(manifest) == []
    for i in manifest.inputs:
        if i["path"] == "riskbrief/build.py":
            i["sha256"] = "0" * 64
    assert verify.package_differences(manifest) == ["changed riskbrief/build.py"]


def test_package_versions_are_what_importlib_metadata_says() -> None:
    """The header-only reading of each distribution gives the names and versions the full
    metadata parse gives."""
    from importlib import metadata

    from riskbrief import provenance

    full = {
        d.metadata["Name"].lower(): d.version
        for d in metadata.distributions()
        if d.metadata["Name"]
    }
    assert provenance.package_versions() == dict(sorted(full.items()))
    assert "weasyprint" in full and "papermill" in full
