"""Small throw-away projects for pipeline tests: params, data and section notebooks in a temp dir.

The pipeline tests build these through the ``riskbrief`` command (``RISKBRIEF_ROOT`` names the
temporary project), so they exercise papermill, the exporter, WeasyPrint and publishing
without depending on how long the real sections take: :func:`run_here` runs the command in the
test process, :func:`run_cli` in a new one where the process itself is under test.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PYTHON = sys.executable
REPO = Path(__file__).parents[1]


def notebook(path: Path, heading: str, parameters: str, body: list[str]) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (riskbrief)",
        "language": "python",
    }
    nb.cells = [new_markdown_cell(heading)]
    params = new_code_cell(dedent(parameters).strip())
    params.metadata["tags"] = ["parameters"]
    nb.cells.append(params)
    nb.cells += [new_code_cell(dedent(src).strip()) for src in body]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


COMMON = """
briefing = "demo"
as_of = "2026-01-01"
seed = 1
results_path = "results/demo.json"
"""


def make_project(
    root: Path,
    *,
    title: str = "Demo briefing",
    value_file_text: str = "label,value\nalpha,3\nbeta,5\n",
) -> Path:
    """A project with one briefing 'demo' and two sections, 'chart' and 'notes'."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "values.csv").write_text(value_file_text, encoding="utf-8")
    notebook(
        root / "notebooks" / "chart.ipynb",
        "## Chart section\n\nAn analyst's introduction.",
        COMMON,
        [
            """
            import pandas as pd
            from pathlib import Path
            from riskbrief.charts import new_figure
            from riskbrief.display import show_figure, show_markdown, show_table
            from riskbrief.narrative import md_escape
            from riskbrief.results import write_results
            from riskbrief.paths import Project
            """,
            """
            df = pd.read_csv(Project.default().data_dir / "values.csv")
            total = int(df["value"].sum())
            show_markdown("### Values {#chart-values}\\n\\nThe values add up to " + str(total) + ".")
            fig, ax = new_figure(5, 3)
            ax.bar(df["label"], df["value"])
            show_figure(fig, key="chart-bars", caption="Values by label.",
                        alt=f"Bar chart of {len(df)} values; total {total}.", source="data/values.csv")
            show_table(df.astype(str), key="chart-table", caption="The values.", source="data/values.csv")
            for label in df["label"]:
                show_markdown("Label: " + md_escape(label))
            """,
            """
            write_results(results_path, section="chart", headline={"total": total},
                          key_judgments=[{"text": f"The values add up to {total}.",
                                          "anchor": "chart-values", "value": total}],
                          methods="Values are summed.")
            """,
        ],
    )
    notebook(
        root / "notebooks" / "notes.ipynb",
        "## Notes section",
        COMMON,
        [
            """
            from riskbrief.display import show_markdown
            from riskbrief.results import write_results
            show_markdown("Some notes for readers.")
            write_results(results_path, section="notes", headline={}, key_judgments=[])
            """,
        ],
    )
    notebook(
        root / "notebooks" / "boom.ipynb",
        "## Failing section",
        COMMON,
        ["x = 1", "raise ValueError('deliberate failure for the test')"],
    )
    write_params(root, "demo", title=title)
    return root


def write_params(
    root: Path,
    name: str,
    *,
    title: str = "Demo briefing",
    sections: str = "[chart, notes]",
    extra: str = "",
) -> Path:
    p = root / "params" / f"{name}.yaml"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(
        dedent(
            f"""\
            title: "{title}"
            subtitle: "A test briefing"
            as_of: 2026-01-01
            audience: "Tests"
            classification: DRAFT
            sections: {sections}
            seed: 7
            """
        )
        + extra,
        encoding="utf-8",
    )
    return p


def execute_section(
    notebook: Path, tmp_path: Path, name: str, parameters: dict
) -> tuple[dict, nbformat.NotebookNode]:
    """Run one section notebook with papermill as the build does (a kernel from the build's
    kernel manager, started in ``tmp_path``, its standard error in ``<name>.log``); return its
    results JSON and the executed notebook."""
    import json

    import papermill

    from riskbrief import execute

    results = tmp_path / f"{name}.json"
    out = tmp_path / f"{name}.ipynb"
    with (tmp_path / f"{name}.log").open("ab") as log:
        papermill.execute_notebook(
            str(notebook),
            str(out),
            parameters={"results_path": str(results), **parameters},
            kernel_name=execute.KERNEL,
            kernel_manager_class=execute.kernel_manager_class(dict(os.environ), log, cwd=tmp_path),
            progress_bar=False,
        )
    return json.loads(results.read_text(encoding="utf-8")), nbformat.read(out, as_version=4)


def shown(nb: nbformat.NotebookNode) -> list[dict]:
    """The riskbrief metadata of every figure and table a notebook showed, in order."""
    return [
        o["metadata"]["riskbrief"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if "riskbrief" in o.get("metadata", {})
    ]


def run_cli(
    root: Path, *args: str, check: bool = False, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RISKBRIEF_ROOT": str(root)}
    proc = subprocess.run(
        [PYTHON, "-m", "riskbrief", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return _checked(proc, check)


def _checked(
    proc: subprocess.CompletedProcess[str], check: bool
) -> subprocess.CompletedProcess[str]:
    """``proc``; with ``check``, an AssertionError showing its output unless it succeeded."""
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(proc.args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def run_here(
    root: Path, *args: str, check: bool = False, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """``riskbrief ARGS`` as :func:`run_cli` runs it, but in this test process: the same entry
    point (:func:`riskbrief.cli.main`), project (``RISKBRIEF_ROOT``), working folder and
    captured output, without a new interpreter. Builds then reuse this process's imports and
    its kernel server instead of paying for both again; tests of the process itself (exit
    status without a traceback, signals, make) use :func:`run_cli`."""
    from riskbrief import cli

    out, err = io.StringIO(), io.StringIO()
    changes = {"RISKBRIEF_ROOT": str(root), "RISKBRIEF_PAUSE_AT": None, **(env or {})}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in changes.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        patch.chdir(root)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse: --help, or a usage error
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return _checked(
        subprocess.CompletedProcess(["riskbrief", *args], code, out.getvalue(), err.getvalue()),
        check,
    )


def small_draws(params_text: str) -> str:
    """A real params file with small Monte Carlo draws and a small Sobol design: for tests of
    what the pipeline does with every section, not of the numbers."""
    text = re.sub(r"(?m)^(  draws:) \d+$", r"\1 1000", params_text)
    return re.sub(
        r"(?m)^(  horizon_years: \d+)$", r"\1\n  sobol:\n    samples: 64\n    bootstrap: 20", text
    )


# --- the real sections ---------------------------------------------------------------------------

#: The briefing of :func:`real_sections_project`: the three core sections with small draws.
REAL_NAME = "brief"
REAL_PARAMS = """\
# A small briefing: the real sections with small draws.
title: "Small briefing"
as_of: 2026-01-01
audience: "Tests"
classification: DRAFT
sections: [context, risk_summary, scenarios]
seed: 11
risk:
  draws: 100
scenarios:
  shown: [arms-race, safety-race]
  focus: arms-race
  draws: 1000
  horizon_years: 5
  sobol:
    samples: 64
    bootstrap: 20
"""
#: When the shared build of it ran (SOURCE_DATE_EPOCH): 2026-01-01T00:00:00Z.
REAL_EPOCH = "1767225600"


def real_sections_project(root: Path, params: str = REAL_PARAMS, name: str = REAL_NAME) -> Path:
    """A project with the repository's data files, its context, risk summary and scenarios
    notebooks and its assumptions log, and one briefing ``name``."""
    shutil.copytree(REPO / "data", root / "data")
    (root / "notebooks").mkdir(parents=True)
    for nb in ("context", "risk_summary", "scenarios"):
        shutil.copyfile(REPO / "notebooks" / f"{nb}.ipynb", root / "notebooks" / f"{nb}.ipynb")
    (root / "docs").mkdir()
    shutil.copyfile(REPO / "docs" / "assumptions.md", root / "docs" / "assumptions.md")
    (root / "params").mkdir()
    (root / "params" / f"{name}.yaml").write_text(params, encoding="utf-8")
    return root


def build_real_v1(root: Path) -> Path:
    """:func:`real_sections_project` in ``root``, built as v1 at :data:`REAL_EPOCH`: every
    section executed, none reused. The ``real_v1`` fixture builds it once per test run."""
    real_sections_project(root)
    out = run_here(
        root, "build", REAL_NAME, check=True, env={"SOURCE_DATE_EPOCH": REAL_EPOCH}
    ).stdout
    assert "published v1" in out and out.count(" executing notebooks/") == 3, out
    assert " reusing " not in out, out
    return root


def copy_project(src: Path, dst: Path) -> Path:
    """A copy of a built project (reports, section cache and all), to change without touching
    the original; the stable links stay links."""
    shutil.copytree(src, dst, symlinks=True)
    return dst
