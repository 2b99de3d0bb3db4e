"""`riskbrief status`: each briefing up to date, stale (naming what changed), not built or
invalid — without building anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import run_cli, write_params
from test_pipeline import tree_digest

from riskbrief import status
from riskbrief.paths import Project


def test_not_built_and_invalid_without_building(demo_project: Path) -> None:
    write_params(demo_project, "typo", sections="[chart, notse]")
    write_params(demo_project, "keys", extra="titel: x\n")
    proc = run_cli(demo_project, "status", check=True)
    lines = proc.stdout.splitlines()
    assert any(ln.split() == ["demo", "not", "built"] for ln in lines), proc.stdout
    assert "typo                 invalid:" in proc.stdout
    assert "unknown section 'notse' (did you mean 'notes'?)" in proc.stdout
    assert "did you mean 'title'?" in proc.stdout
    assert not (demo_project / "reports").exists() and not (demo_project / "build").exists()


def test_unknown_briefing_is_an_error_with_a_suggestion(demo_project: Path) -> None:
    proc = run_cli(demo_project, "status", "dmeo")
    assert proc.returncode == 2 and "did you mean 'demo'?" in proc.stderr


@pytest.mark.slow
def test_stale_names_the_inputs_that_changed(demo_project: Path) -> None:
    run_cli(demo_project, "build", "demo", check=True)
    assert "demo                 up to date (v1)" in run_cli(demo_project, "status").stdout
    before = tree_digest(demo_project / "reports")
    # a comment is not a change
    params = demo_project / "params" / "demo.yaml"
    params.write_text("# a comment\n" + params.read_text(), encoding="utf-8")
    assert "up to date (v1)" in run_cli(demo_project, "status").stdout
    write_params(demo_project, "demo", title="Demo briefing, revised")
    nb = demo_project / "notebooks" / "notes.ipynb"
    nb.write_text(nb.read_text().replace("Some notes", "Other notes"), encoding="utf-8")
    [s] = status.status(Project(demo_project), demo_project / "reports")
    assert (s.state, s.version) == ("stale", 1)
    assert s.changes == ["notebooks/notes.ipynb changed", "params/demo.yaml changed"]
    out = run_cli(demo_project, "status", "--renderer", "quarto").stdout
    assert "renderer quarto (v1 was rendered with nbconvert)" in out
    assert tree_digest(demo_project / "reports") == before  # status builds nothing
