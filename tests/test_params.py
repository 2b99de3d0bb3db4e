"""Params validation: every error names the file and the field, before any kernel starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import run_cli, write_params

from riskbrief import sections
from riskbrief.errors import InputError

REAL_PARAMS = sorted((Path(__file__).parents[1] / "params").glob("*.yaml"))


@pytest.mark.parametrize("path", REAL_PARAMS, ids=lambda p: p.stem)
def test_project_params_files_are_valid(path: Path) -> None:
    b = sections.load(path)
    assert b.name == path.stem
    assert b.params.sections


def _error(in_project: Path, extra: str = "", **kw) -> str:
    path = write_params(in_project, "bad", extra=extra, **kw)
    with pytest.raises(InputError) as exc:
        sections.load(path)
    msg = str(exc.value)
    assert "params/bad.yaml" in msg, msg
    return msg


def test_valid_demo_params(in_project: Path) -> None:
    b = sections.load("demo")
    assert b.params.classification == "DRAFT"
    assert b.params.sections == ["chart", "notes"]


def test_unknown_key(in_project: Path) -> None:
    msg = _error(in_project, "colour: blue\n")
    assert "field 'colour'" in msg and "unknown key" in msg


def _with_section(in_project: Path, name: str) -> None:
    """Give the demo project a stand-in notebook for one of the registered sections."""
    (in_project / "notebooks" / f"{name}.ipynb").write_bytes(
        (in_project / "notebooks" / "notes.ipynb").read_bytes()
    )


def test_unknown_nested_key(in_project: Path) -> None:
    _with_section(in_project, "risk_summary")
    msg = _error(in_project, "risk:\n  drawz: 10\n", sections="[chart, risk_summary]")
    assert "field 'risk.drawz'" in msg and "unknown key" in msg and "did you mean 'draws'" in msg


def test_wrong_type_seed_as_string(in_project: Path) -> None:
    path = write_params(in_project, "bad")
    path.write_text(path.read_text().replace("seed: 7", 'seed: "7"'))
    with pytest.raises(InputError) as exc:
        sections.load(path)
    assert "field 'seed'" in str(exc.value) and "integer" in str(exc.value)


def test_out_of_range_draws(in_project: Path) -> None:
    msg = _error(in_project, "risk:\n  draws: -5\n", sections="[risk_summary]")
    assert "field 'risk.draws'" in msg and "greater than or equal to 100" in msg


def test_absurd_draws(in_project: Path) -> None:
    msg = _error(in_project, "scenarios:\n  draws: 1000000000000\n", sections="[scenarios]")
    assert "field 'scenarios.draws'" in msg and "less than or equal" in msg


def test_bad_classification(in_project: Path) -> None:
    path = write_params(in_project, "bad")
    path.write_text(path.read_text().replace("DRAFT", "SECRET"))
    with pytest.raises(InputError) as exc:
        sections.load(path)
    assert "field 'classification'" in str(exc.value) and "PUBLIC" in str(exc.value)


def test_bad_date(in_project: Path) -> None:
    path = write_params(in_project, "bad")
    path.write_text(path.read_text().replace("as_of: 2026-01-01", "as_of: 2026-13-45"))
    with pytest.raises(InputError) as exc:
        sections.load(path)
    msg = str(exc.value)
    assert "field 'as_of'" in msg and "'2026-13-45' does not exist as a date" in msg
    assert "Value error" not in msg and "(got" not in msg


def test_missing_required_field(in_project: Path) -> None:
    path = write_params(in_project, "bad")
    path.write_text(path.read_text().replace('audience: "Tests"\n', ""))
    with pytest.raises(InputError) as exc:
        sections.load(path)
    assert "field 'audience'" in str(exc.value) and "missing" in str(exc.value)


def test_unknown_section(in_project: Path) -> None:
    msg = _error(in_project, sections="[chart, sumary]")
    assert "field 'sections.1'" in msg and "unknown section 'sumary'" in msg and "chart" in msg


def test_missing_data_file(in_project: Path) -> None:
    # the registry's 'context' section reads data.indicators; give it a notebook and a wrong path
    _with_section(in_project, "context")
    msg = _error(in_project, "data:\n  indicators: data/nope.csv\n", sections="[context]")
    assert "field 'data.indicators'" in msg and "file not found" in msg and "nope.csv" in msg


def test_focus_not_shown(in_project: Path) -> None:
    msg = _error(
        in_project,
        "scenarios:\n  shown: [arms-race]\n  focus: safety-race\n",
        sections="[scenarios]",
    )
    assert "field 'scenarios'" in msg and "focus 'safety-race'" in msg


def test_settings_for_a_section_the_briefing_leaves_out(in_project: Path) -> None:
    _with_section(in_project, "scenarios")
    msg = _error(in_project, "scenarios:\n  draws: 5000\n", sections="[chart]")
    assert "field 'scenarios'" in msg and "does not include" in msg


def test_malformed_yaml(in_project: Path) -> None:
    path = in_project / "params" / "bad.yaml"
    path.write_text("title: [unclosed\nseed: 1\n")
    with pytest.raises(InputError) as exc:
        sections.load(path)
    assert "params/bad.yaml" in str(exc.value) and "not valid YAML at line" in str(exc.value)


def test_empty_file(in_project: Path) -> None:
    path = in_project / "params" / "bad.yaml"
    path.write_text("")
    with pytest.raises(InputError) as exc:
        sections.load(path)
    assert "params/bad.yaml" in str(exc.value) and "empty" in str(exc.value)


def test_several_errors_reported_together(in_project: Path) -> None:
    msg = _error(in_project, "colour: blue\nrisk:\n  draws: 1\n", sections="[risk_summary]")
    assert "field 'colour'" in msg and "field 'risk.draws'" in msg


def test_cli_reports_params_error_without_traceback_or_kernel(demo_project: Path) -> None:
    write_params(demo_project, "bad", extra="risk:\n  draws: -5\n", sections="[risk_summary]")
    proc = run_cli(demo_project, "build", "bad")
    assert proc.returncode == 2
    assert "params/bad.yaml" in proc.stderr and "risk.draws" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (demo_project / "build" / "bad").exists(), "no notebook may run for invalid params"
    assert not (demo_project / "reports" / "bad").exists()
