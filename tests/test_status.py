"""`riskbrief status` without anything published: not built, or invalid with the build's own
message — and nothing built. (Up to date and stale, naming what changed: tests/test_loop.py.)"""

from __future__ import annotations

from pathlib import Path

from projects import run_here, write_params


def test_not_built_and_invalid_without_building(demo_project: Path) -> None:
    write_params(demo_project, "typo", sections="[chart, notse]")
    write_params(demo_project, "keys", extra="titel: x\n")
    proc = run_here(demo_project, "status", check=True)
    lines = proc.stdout.splitlines()
    assert any(ln.split() == ["demo", "not", "built"] for ln in lines), proc.stdout
    assert "typo                 invalid:" in proc.stdout
    assert "unknown section 'notse' (did you mean 'notes'?)" in proc.stdout
    assert "did you mean 'title'?" in proc.stdout
    assert not (demo_project / "reports").exists() and not (demo_project / "build").exists()


def test_unknown_briefing_is_an_error_with_a_suggestion(demo_project: Path) -> None:
    proc = run_here(demo_project, "status", "dmeo")
    assert proc.returncode == 2 and "did you mean 'demo'?" in proc.stderr
