"""A briefing's notebooks run side by side (execute.run_all): each in its own kernel at the
same time, progress lines in the plan's order, the first failure in the plan's order reported,
and a bad RISKBRIEF_SECTION_JOBS named before anything runs."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from projects import COMMON, make_project, notebook, write_params

from riskbrief.build import build
from riskbrief.errors import BuildError, InputError
from riskbrief.paths import Project

pytestmark = pytest.mark.slow

WRITE = (
    "from riskbrief.results import write_results\n"
    'write_results(results_path, section="{name}", headline={{}}, key_judgments=[])'
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "project")
    monkeypatch.setenv("RISKBRIEF_ROOT", str(root))  # paths in messages are the project's
    # "waits" finishes only once "signals" has run: they can only both finish side by side
    notebook(
        root / "notebooks" / "waits.ipynb",
        "## Waits",
        COMMON,
        [
            "import time\nfrom pathlib import Path\n"
            "for _ in range(600):\n"
            "    if Path('signal').exists():\n"
            "        break\n"
            "    time.sleep(0.1)\n"
            "else:\n"
            "    raise TimeoutError('the other notebook never ran beside this one')",
            WRITE.format(name="waits"),
        ],
    )
    notebook(
        root / "notebooks" / "signals.ipynb",
        "## Signals",
        COMMON,
        [
            "from pathlib import Path\nPath('signal').write_text('here')",
            WRITE.format(name="signals"),
        ],
    )
    notebook(
        root / "notebooks" / "boom2.ipynb",
        "## Another failing section",
        COMMON,
        ["raise RuntimeError('the second failure')"],
    )
    return root


def _build(root: Path) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        build("demo", project=Project(root))
    return out.getvalue()


def test_notebooks_run_side_by_side_with_progress_in_plan_order(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKBRIEF_SECTION_JOBS", "2")
    write_params(project, "demo", sections="[waits, signals, notes]")
    lines = [ln for ln in _build(project).splitlines() if " executing " in ln]
    assert lines == [
        "[demo] 1/3 executing notebooks/waits.ipynb",
        "[demo] 2/3 executing notebooks/signals.ipynb",
        "[demo] 3/3 executing notebooks/notes.ipynb",
    ]
    html = (project / "reports" / "demo" / "v1" / "demo-v1.html").read_text(encoding="utf-8")
    assert html.index("Waits") < html.index("Signals") < html.index("Some notes for readers.")


def test_the_first_failure_in_the_plan_is_the_one_reported(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKBRIEF_SECTION_JOBS", "3")
    write_params(project, "demo", sections="[notes, boom, boom2]")
    with pytest.raises(BuildError) as exc:
        _build(project)
    assert "notebooks/boom.ipynb" in str(exc.value)
    assert "deliberate failure for the test" in str(exc.value)
    assert not (project / "reports" / "demo").exists()


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_number_of_notebooks_at_a_time_is_named_before_anything_runs(
    project: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RISKBRIEF_SECTION_JOBS", value)
    with pytest.raises(InputError) as exc:
        _build(project)
    assert "RISKBRIEF_SECTION_JOBS" in str(exc.value) and repr(value) in str(exc.value)
    assert not (project / "build" / "demo" / "sections").exists()
