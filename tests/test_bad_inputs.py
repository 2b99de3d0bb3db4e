"""Bad input gets a clear error and changes nothing.

Every case breaks one thing — params, data, scenarios, notebooks or the environment — in a copy
of a project that already has a published version, runs ``riskbrief build``, and checks: a
non-zero exit, a message naming the file (or variable), the field or row, and what is wrong,
no traceback, nothing published, and ``reports/`` byte-identical before and after.

Adding a case is one line in CASES. The cases run the CLI in-process (fast: each stops before
any kernel starts); a few also run through a real subprocess.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import yaml
from projects import make_project, run_cli, run_here, write_params
from test_pipeline import tree_digest

REPO = Path(__file__).parents[1]
Edit = Callable[[Path, pytest.MonkeyPatch], None]

FULL_PARAMS = """\
title: "Full briefing"
as_of: 2026-01-01
audience: "Tests"
classification: DRAFT
sections: [context, risk_summary, scenarios]
seed: 7
risk:
  draws: 100
scenarios:
  draws: 1000
  horizon_years: 5
  sobol:
    samples: 64
    bootstrap: 20
"""


# --- edits: each returns a function that breaks one thing in a project ------------------------


def text(rel: str, content: str | bytes) -> Edit:
    def edit(root: Path, _: pytest.MonkeyPatch) -> None:
        p = root / rel
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")

    return edit


def replace(rel: str, old: str | bytes, new: str | bytes) -> Edit:
    """Replace the first occurrence of ``old`` (which must be there) in a file."""

    def edit(root: Path, _: pytest.MonkeyPatch) -> None:
        p = root / rel
        if isinstance(old, bytes):
            raw = p.read_bytes()
            assert old in raw, old
            p.write_bytes(raw.replace(old, new, 1))  # type: ignore[arg-type]
        else:
            s = p.read_text(encoding="utf-8")
            assert old in s, old
            p.write_text(s.replace(old, new, 1), encoding="utf-8")  # type: ignore[arg-type]

    return edit


def params(name: str = "demo", **fields: object) -> Edit:
    """Set (or with None, delete) fields of a params file; dotted names reach nested fields."""

    def edit(root: Path, _: pytest.MonkeyPatch) -> None:
        p = root / "params" / f"{name}.yaml"
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
        doc["as_of"] = str(doc["as_of"])
        for dotted, value in fields.items():
            *parents, leaf = dotted.split("__")
            node = doc
            for part in parents:
                node = node.setdefault(part, {})
            if value is None:
                node.pop(leaf, None)
            else:
                node[leaf] = value
        p.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    return edit


def cell(rel: str, row: int, column: str, value: str) -> Edit:
    """Set one CSV cell; ``row`` as a spreadsheet shows it (the header is row 1)."""

    def edit(root: Path, _: pytest.MonkeyPatch) -> None:
        p = root / rel
        records = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8"), newline="")))
        records[row - 1][records[0].index(column)] = value
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(records)
        p.write_text(out.getvalue(), encoding="utf-8")

    return edit


def drop_column(rel: str, column: str) -> Edit:
    def edit(root: Path, _: pytest.MonkeyPatch) -> None:
        p = root / rel
        records = list(csv.reader(io.StringIO(p.read_text(encoding="utf-8"), newline="")))
        i = records[0].index(column)
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows([r[:i] + r[i + 1 :] for r in records])
        p.write_text(out.getvalue(), encoding="utf-8")

    return edit


def lines(rel: str, keep: Callable[[list[str]], list[str]]) -> Edit:
    def edit(root: Path, _: pytest.MonkeyPatch) -> None:
        p = root / rel
        p.write_text(
            "".join(keep(p.read_text(encoding="utf-8").splitlines(True))), encoding="utf-8"
        )

    return edit


def untag_parameters(rel: str) -> Edit:
    def edit(root: Path, _: pytest.MonkeyPatch) -> None:
        nb = nbformat.read(root / rel, as_version=4)
        for c in nb.cells:
            c.metadata.pop("tags", None)
        nbformat.write(nb, root / rel)

    return edit


def parameters_cell(rel: str, source: str) -> Edit:
    def edit(root: Path, _: pytest.MonkeyPatch) -> None:
        nb = nbformat.read(root / rel, as_version=4)
        next(c for c in nb.cells if "parameters" in c.metadata.get("tags", [])).source = source
        nbformat.write(nb, root / rel)

    return edit


def both(*edits: Edit) -> Edit:
    def edit(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        for e in edits:
            e(root, monkeypatch)

    return edit


def env(name: str, value: str) -> Edit:
    def edit(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(name, value)

    return edit


def no_quarto(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("quarto"):
        pytest.skip("quarto is installed; this checks the message when it is absent")


def read_only_reports(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """reports/ made unwritable: permission bits, or (as root, who ignores them) immutable."""
    reports = root / "reports"
    if os.geteuid() != 0:
        reports.chmod(stat.S_IRUSR | stat.S_IXUSR)
        undo = ["chmod", "u+w", str(reports)]
    else:
        if subprocess.run(["chattr", "+i", str(reports)], capture_output=True).returncode != 0:
            pytest.skip(
                "running as root and chattr +i is not available: cannot make a folder read-only"
            )
        undo = ["chattr", "-i", str(reports)]
    _UNDO.append(undo)
    try:
        (reports / ".probe").write_bytes(b"")
    except OSError:
        return
    (reports / ".probe").unlink()
    pytest.skip("this file system lets us write to a read-only folder")


_UNDO: list[list[str]] = []


@dataclass(frozen=True)
class Case:
    id: str
    edit: Edit
    expect: tuple[str, ...]  # all must appear in the error output
    target: str = "demo"
    args: tuple[str, ...] = ()
    code: int = 2  # 2: bad input; 1: the build cannot run here


def full(id: str, edit: Edit, expect: tuple[str, ...]) -> Case:
    """A case for the 'full' briefing, whose sections read every data file."""
    return Case(id, edit, expect, target="full")


REG, URG, IND, SCN = (
    "data/risk_register.csv",
    "data/article_urgency.csv",
    "data/indicators.csv",
    "data/scenarios.yaml",
)
PRM = "params/demo.yaml"
FULL = "params/full.yaml"

# fmt: off
CASES = [
    # params
    Case("yaml-malformed", text(PRM, "title: [unclosed\nseed: 1\n"), (PRM, "not valid YAML", "line 2")),
    Case("yaml-tab-indent", text(PRM, "title: x\nrisk:\n\tdraws: 100\n"), (PRM, "not valid YAML", "line 3")),
    Case("params-empty", text(PRM, ""), (PRM, "the file is empty")),
    Case("params-a-list", text(PRM, "- title\n- seed\n"), (PRM, "expected a mapping")),
    Case("params-latin1", replace(PRM, b"Demo briefing", "Démo".encode("latin-1")),
         (PRM, "not UTF-8", "line 1", "0xe9")),
    Case("unknown-section", params(sections=["chart", "appendix"]), (PRM, "sections.1", "unknown section 'appendix'")),
    Case("misspelt-section", params(sections=["chart", "notse"]), (PRM, "sections.1", "did you mean 'notes'?")),
    Case("section-twice", params(sections=["chart", "chart"]), (PRM, "'sections' lists a section twice")),
    full("draws-negative", params("full", risk__draws=-5), (FULL, "risk.draws", "greater than or equal to 100", "-5")),
    full("draws-absurd", params("full", risk__draws=10**12), (FULL, "risk.draws", "less than or equal to 1000000")),
    full("draws-fraction", params("full", scenarios__draws=1500.5), (FULL, "scenarios.draws", "integer", "1500.5")),
    Case("settings-for-absent-section", params(risk__draws=500),
         (PRM, "field 'risk'", "the 'risk_summary' section, which this briefing does not include")),
    Case("seed-string", params(seed="seven"), (PRM, "field 'seed'", "integer", "'seven'")),
    Case("seed-negative", params(seed=-1), (PRM, "field 'seed'", "greater than or equal to 0")),
    Case("unknown-key", params(titel="Typo"), (PRM, "field 'titel'", "unknown key", "did you mean 'title'?")),
    Case("title-missing", params(title=None), (PRM, "field 'title'", "required field is missing")),
    Case("date-impossible", params(as_of="2026-02-30"),
         (PRM, "field 'as_of'", "'2026-02-30' does not exist as a date")),
    Case("date-format", params(as_of="30/02/2026"), (PRM, "field 'as_of'", "YYYY-MM-DD", "30/02/2026")),
    Case("classification", params(classification="SECRET"), (PRM, "field 'classification'", "'SECRET'")),
    Case("cell-timeout-zero", params(execution__cell_timeout=0), (PRM, "execution.cell_timeout", "greater than")),
    full("focus-not-shown", params("full", scenarios__shown=["arms-race"], scenarios__focus="safety-race"),
         (FULL, "scenarios", "focus 'safety-race' is not among the scenarios shown")),
    full("scenario-unknown", params("full", scenarios__shown=["arms-race", "moon-race"], scenarios__focus="arms-race"),
         (FULL, "scenarios.shown.1", "unknown scenario 'moon-race'")),
    full("scenario-misspelt",
         params("full", scenarios__shown=["arms-race", "safty-race"], scenarios__focus="arms-race"),
         (FULL, "scenarios.shown.1", "did you mean 'safety-race'?")),
    full("data-file-missing", params("full", data__risk_register="data/nope.csv"),
         (FULL, "data.risk_register", "file not found")),
    Case("briefing-unknown", params(), ("params/nope.yaml", "no such params file", "demo"), target="nope"),
    Case("briefing-misspelt", params(), ("params/dmeo.yaml", "did you mean 'demo'?"), target="dmeo"),
    # the risk register
    full("register-duplicate-id", cell(REG, 4, "id", "R01"), (REG, "row 4", "field 'id'", "duplicate id 'R01'")),
    full("register-score-7", cell(REG, 3, "likelihood_mode", "7"), (REG, "row 3", "field 'likelihood_mode'", "7")),
    full("register-score-word", cell(REG, 5, "impact_high", "high"), (REG, "row 5", "field 'impact_high'", "high")),
    full("register-low-above-mode", cell(REG, 2, "impact_low", "4"),
         (REG, "row 2", "field 'impact_low'", "above impact_mode")),
    full("register-missing-column", drop_column(REG, "trend"), (REG, "row 1", "missing column", "trend")),
    full("register-unknown-category", cell(REG, 6, "category", "Weather"),
         (REG, "row 6", "field 'category'", "Weather")),
    full("register-bad-date", cell(REG, 7, "last_reviewed", "20/11/2026"), (REG, "row 7", "field 'last_reviewed'")),
    full("register-stray-bom", replace(REG, b"\nR03,", b"\n\xef\xbb\xbfR03,"), (REG, "row 4", "byte-order mark")),
    full("register-latin1", replace(REG, b"Adversarial", "Adversarial caf\xe9".encode("latin-1")),
         (REG, "row 2", "not UTF-8", "0xe9")),
    full("register-broken-quote", replace(REG, "\nR04,", '\nR04,"unclosed'), (REG, "not a readable CSV file")),
    full("register-header-only", lines(REG, lambda ls: ls[:1]), (REG, "no data rows")),
    full("register-empty", text(REG, ""), (REG, "the file is empty")),
    full("urgency-unknown-level", cell(URG, 3, "urgency", "Extreme"), (URG, "row 3", "field 'urgency'", "Extreme")),
    full("indicators-not-a-number", cell(IND, 2, "value", "61k"), (IND, "row 2", "field 'value'", "61k")),
    full("indicators-ftp-url", cell(IND, 3, "url", "ftp://example.org/x"), (IND, "row 3", "field 'url'")),
    full("two-files-wrong", both(cell(IND, 2, "value", "n/a"), cell(REG, 3, "likelihood_mode", "9")),
         (IND, "row 2", REG, "row 3", "likelihood_mode")),
    # scenarios
    full("scenarios-empty", text(SCN, ""), (SCN, "the file is empty")),
    full("scenarios-malformed", text(SCN, "scenarios:\n  - id: [a\n"), (SCN, "not valid YAML", "line")),
    full("scenarios-latin1", replace(SCN, b"# Scenarios", "# Sc\xe9narios".encode("latin-1")),
         (SCN, "not UTF-8", "line 1", "0xe9")),
    full("scenarios-unknown-field", replace(SCN, "\nscenarios:", "\nversion: 2\nscenarios:"),
         (SCN, "version", "unknown top-level")),
    # notebooks
    Case("notebook-no-parameters-cell", untag_parameters("notebooks/notes.ipynb"),
         ("notebooks/notes.ipynb", "no cell tagged 'parameters'")),
    Case("notebook-not-json", text("notebooks/notes.ipynb", "{ this is not json"),
         ("notebooks/notes.ipynb", "not a readable notebook")),
    Case("notebook-missing-parameter", parameters_cell("notebooks/chart.ipynb", 'briefing = "demo"\nseed = 1'),
         ("notebooks/chart.ipynb", "does not declare", "as_of")),
    # environment
    Case("quarto-missing", no_quarto, ("RENDERER=quarto", "pip install quarto-cli"),
         args=("--renderer", "quarto"), code=1),
    Case("renderer-unknown", params(), ("unknown renderer 'latex'", "nbconvert"), args=("--renderer", "latex"), code=1),
    Case("reports-read-only", read_only_reports, ("cannot publish", "reports", "not writable"), code=1),
    Case("source-date-epoch-text", env("SOURCE_DATE_EPOCH", "yesterday"),
         ("SOURCE_DATE_EPOCH", "'yesterday'", "seconds")),
    Case("pause-point-unknown", env("RISKBRIEF_PAUSE_AT", "lunch"), ("RISKBRIEF_PAUSE_AT", "'lunch'")),
]
# fmt: on


# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one published version of 'demo', the real data files and section
    notebooks, and a 'full' briefing that reads every data file (never built here)."""
    root = make_project(tmp_path_factory.mktemp("bad-inputs") / "project")
    for f in (REG, URG, IND, SCN):
        shutil.copyfile(REPO / f, root / f)
    for s in ("context", "risk_summary", "scenarios"):
        shutil.copyfile(REPO / "notebooks" / f"{s}.ipynb", root / "notebooks" / f"{s}.ipynb")
    (root / FULL).write_text(FULL_PARAMS, encoding="utf-8")
    write_params(root, "demo")
    proc = run_here(root, "build", "demo", check=True)
    assert "published v1" in proc.stdout
    return root


@pytest.fixture
def project(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "project"
    shutil.copytree(template, root, symlinks=True)
    monkeypatch.setenv("RISKBRIEF_ROOT", str(root))
    for var in ("SOURCE_DATE_EPOCH", "RISKBRIEF_PAUSE_AT"):
        monkeypatch.delenv(var, raising=False)
    yield root
    while _UNDO:
        subprocess.run(_UNDO.pop(), check=True)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_a_clear_error_and_changes_nothing(
    case: Case, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskbrief.cli import main

    before = tree_digest(project / "reports")
    assert before, "the template has a published version"
    case.edit(project, monkeypatch)

    code = main(["build", case.target, *case.args])

    out, err = capsys.readouterr()
    assert code == case.code, out + err
    for expected in case.expect:
        assert expected in err, f"{expected!r} not in:\n{err}"
    assert "Traceback" not in out + err
    assert "published" not in out and "executing" not in out  # stopped before any kernel started
    assert tree_digest(project / "reports") == before


SUBPROCESS_CASES = [
    "seed-string",
    "register-score-7",
    "notebook-no-parameters-cell",
    "source-date-epoch-text",
]


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_bad_input_through_the_real_command(
    case_id: str, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = next(c for c in CASES if c.id == case_id)
    before = tree_digest(project / "reports")
    case.edit(project, monkeypatch)  # an env edit sets os.environ, which the subprocess inherits
    proc = run_cli(project, "build", case.target, *case.args)
    assert proc.returncode == case.code, proc.stdout + proc.stderr
    assert proc.stderr.startswith("riskbrief: error: ")
    for expected in case.expect:
        assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    assert tree_digest(project / "reports") == before


def test_there_are_at_least_thirty_cases() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 30
