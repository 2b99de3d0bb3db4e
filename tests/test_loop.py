"""The analyst's loop on the real sections: edits that change nothing a briefing uses publish
nothing, `riskbrief status` names what changed, and a rebuild runs only the sections whose
inputs changed and publishes exactly what a full rebuild would."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest
from projects import (
    REAL_EPOCH,
    REAL_NAME,
    REAL_PARAMS,
    copy_project,
    real_sections_project,
    run_here,
)
from test_pipeline import tree_digest

pytestmark = pytest.mark.slow
E1, E2 = REAL_EPOCH, "1767312000"  # two build times, a day apart (v3: the build's own time)
NAME = REAL_NAME


def riskbrief(root: Path, *args: str, epoch: str | None = E1) -> subprocess.CompletedProcess[str]:
    return run_here(root, *args, check=True, env={"SOURCE_DATE_EPOCH": epoch})


def executed(out: str) -> list[str]:
    return [ln.split("executing ")[1] for ln in out.splitlines() if " executing notebooks/" in ln]


def reused(out: str) -> list[str]:
    return [ln.split("reusing ")[1].split()[0] for ln in out.splitlines() if " reusing " in ln]


def set_cell(path: Path, rid: str, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if r["id"] == rid:
            r[column] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_the_loop(real_v1: Path, tmp_path: Path) -> None:
    """From v1 (every section executed, at E1: the ``real_v1`` fixture), through edits."""
    root = copy_project(real_v1, tmp_path / "project")
    reports = root / "reports" / NAME
    assert f"{NAME:<20} up to date (v1)" in riskbrief(root, "status").stdout
    quarto = riskbrief(root, "status", "--renderer", "quarto").stdout
    assert f"{NAME:<20} stale (v1): renderer quarto (v1 was rendered with nbconvert)" in quarto

    # edits that change nothing the briefing uses: comments and key order in the params file,
    # a comment and a scenario it does not show in the scenarios file, and a notebook saved
    # with outputs; none publishes a version or runs anything
    params = root / "params" / f"{NAME}.yaml"
    lines = params.read_text(encoding="utf-8").splitlines(keepends=True)
    params.write_text(
        "# reordered, with comments\n" + "".join([lines[5], *lines[1:5], *lines[6:]]) + "# end\n",
        encoding="utf-8",
    )
    scenarios = root / "data" / "scenarios.yaml"
    text = scenarios.read_text(encoding="utf-8")
    start = text.index("  - id: managed-competition")
    end = text.index("  - id: safety-race")
    managed = text[start:end].replace("title: Managed competition", "title: Managed rivalry")
    assert managed != text[start:end]
    scenarios.write_text(
        "# an analyst's note\n" + text[:start] + managed + text[end:], encoding="utf-8"
    )
    nb_path = root / "notebooks" / "context.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["saved in Lab\n"]}]
    code["execution_count"] = 3
    nb_path.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    before = tree_digest(root / "reports")
    assert "up to date (v1)" in riskbrief(root, "status").stdout
    assert "up to date (v1)" in riskbrief(root, "build", NAME).stdout
    assert tree_digest(root / "reports") == before

    # one CSV row: status names it, and the rebuild runs only the section that reads it
    set_cell(root / "data" / "risk_register.csv", "R03", "impact_high", "5")
    status = riskbrief(root, "status").stdout
    assert f"{NAME:<20} stale (v1): data/risk_register.csv changed" in status, status
    assert "scenarios.yaml" not in status and "params" not in status
    out = riskbrief(root, "build", NAME, epoch=E2).stdout
    assert executed(out) == ["notebooks/risk_summary.ipynb"], out
    assert reused(out) == ["notebooks/context.ipynb", "notebooks/scenarios.ipynb"], out
    assert "published v2" in out
    changes = json.loads((reports / "v2" / "changes.json").read_text(encoding="utf-8"))
    assert changes["inputs"]["changed"] == ["data/risk_register.csv"]

    # the text of a Markdown cell: nothing runs, and the result is a full rebuild's (built
    # without SOURCE_DATE_EPOCH: the rebuild takes the build time from the manifest)
    nb_path = root / "notebooks" / "scenarios.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    md["source"] = [*md["source"], "\n\nAn analyst's added sentence."]
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert "notebooks/scenarios.ipynb changed" in riskbrief(root, "status").stdout
    out = riskbrief(root, "build", NAME, epoch=None).stdout
    assert executed(out) == [] and len(reused(out)) == 3, out
    assert "An analyst's added sentence." in (reports / "v3" / f"{NAME}-v3.html").read_text()
    # v3 holds a section run for v1 (context), one run for v2 (risk_summary) and one whose
    # Markdown was put in place (scenarios): byte for byte what running everything gives,
    # as verify --rebuild finds by running every section again from v3's input snapshot
    proc = run_here(root, "verify", NAME, "--version", "3", "--rebuild", check=True)
    assert f"{NAME} v3: rebuilt from its inputs: all" in proc.stdout, proc.stdout
    assert "files byte-identical" in proc.stdout and "differs" not in proc.stdout

    # the stable links follow the newest version, and verify checks them
    assert (reports / "latest.pdf").readlink() == Path(f"v3/{NAME}-v3.pdf")
    assert (reports / "latest.html").readlink() == Path(f"v3/{NAME}-v3.html")
    (reports / "latest.pdf").unlink()
    (reports / "latest.pdf").symlink_to(f"v2/{NAME}-v2.pdf")
    proc = run_here(root, "verify", NAME)
    assert proc.returncode == 1
    assert f"{NAME}: latest.pdf points at v2/{NAME}-v2.pdf; the newest version is v3" in proc.stdout


def test_assumptions_of_left_out_sections_are_not_printed(tmp_path: Path) -> None:
    """A briefing without the scenarios section prints no scenario assumption, and an edit
    to one is not a change for it."""
    from riskbrief import assumptions, inputs, sections
    from riskbrief.paths import Project

    root = real_sections_project(tmp_path / "project")
    (root / "params" / f"{NAME}.yaml").write_text(
        REAL_PARAMS.replace(
            "sections: [context, risk_summary, scenarios]", "sections: [context]"
        ).split("risk:")[0],
        encoding="utf-8",
    )
    rows = assumptions.load_assumptions(root / "docs" / "assumptions.md")
    used = assumptions.used_rows(rows, ["context"])
    assert {r["Used in"] for r in used} == {"Context", "Key judgments"}
    b = sections.load(NAME, Project(root))
    before = inputs.fingerprint(inputs.hashed_inputs(b), "nbconvert")
    log = root / "docs" / "assumptions.md"
    log.write_text(
        log.read_text(encoding="utf-8").replace("early regime", "late regime"), encoding="utf-8"
    )
    assert inputs.fingerprint(inputs.hashed_inputs(b), "nbconvert") == before
    log.write_text(
        log.read_text(encoding="utf-8").replace("Stanford AI Index", "AI Index"), encoding="utf-8"
    )
    assert inputs.fingerprint(inputs.hashed_inputs(b), "nbconvert") != before
