"""Through make, the analyst gets riskbrief's own words: a broken params file stops only its
briefing, its message (with "did you mean") comes last, and make never asks for a file that
does not exist. Also `make status`, `make briefing` with an unknown name, and `make lab` as
root."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from projects import make_project, write_params

pytestmark = pytest.mark.slow
REPO = Path(__file__).parents[1]


def make_project_with_makefile(root: Path) -> Path:
    make_project(root)
    shutil.copyfile(REPO / "notebooks" / "context.ipynb", root / "notebooks" / "context.ipynb")
    shutil.copyfile(REPO / "Makefile", root / "Makefile")
    shutil.copyfile(REPO / "requirements.lock", root / "requirements.lock")
    (root / ".venv").symlink_to(Path(sys.executable).parents[1])
    (root / "src").symlink_to(REPO / "src")
    return root


def make(root: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", *args],
        cwd=root,
        env={**os.environ, "RISKBRIEF_ROOT": str(root)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project_with_makefile(tmp_path_factory.mktemp("make-loop") / "project")


BAD = {
    "wrong-section": ("[chart, notse]", "", "unknown section 'notse' (did you mean 'notes'?)"),
    "wrong-key": (
        "[chart, notes]",
        "titel: x\n",
        "unknown key (not in the schema) (did you mean 'title'?)",
    ),
    "missing-data": (
        "[context]",
        "data:\n  indicators: data/indicatros.csv\n",
        "file not found: data/indicatros.csv",
    ),
}


def test_bad_params_get_the_tools_message_and_the_others_build(project: Path) -> None:
    (project / "data" / "indicators.csv").write_text("x\n", encoding="utf-8")  # a near name
    write_params(project, "demo", sections="[notes]")  # the one that builds: quick
    for name, (secs, extra, _) in BAD.items():
        write_params(project, name, sections=secs, extra=extra)
    proc = make(project, "briefings")
    assert proc.returncode == 2
    assert "[demo] published v1" in proc.stdout  # the good briefing built
    assert "No rule to make target" not in proc.stderr and "Traceback" not in proc.stderr
    for name, (_, _, message) in BAD.items():
        assert f"riskbrief: error: params/{name}.yaml" in proc.stderr and message in proc.stderr
    assert "(did you mean 'data/indicators.csv'?)" in proc.stderr
    # the summary comes after everything else, followed by make's one status line
    tail = proc.stderr.rstrip().splitlines()
    summary = next(i for i, ln in enumerate(tail) if "3 of 4 briefing(s) not built" in ln)
    assert [ln for ln in tail[summary + 1 :] if ln.startswith("make")] == [tail[-1]]
    assert all(f"params/{n}.yaml" in "\n".join(tail[summary:]) for n in BAD)
    assert not (project / "reports" / "wrong-key").exists()

    # make status names them too, and builds nothing
    out = make(project, "status").stdout
    assert "demo                 up to date (v1)" in out and "wrong-section        invalid:" in out

    # fixed: the next run builds exactly what failed
    for name in BAD:
        (project / "params" / f"{name}.yaml").unlink()
    write_params(project, "fixed", sections="[notes]")
    proc = make(project, "briefings")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[fixed] published v1" in proc.stdout and "[demo]" not in proc.stdout


def test_make_briefing_with_an_unknown_name(project: Path) -> None:
    proc = make(project, "briefing", "B=dmeo")
    assert proc.returncode == 2
    assert "params/dmeo.yaml: no such params file (did you mean 'demo'?)" in proc.stderr


def test_make_lab_starts_as_root_without_a_display(project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    lab = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",
            "lab",
            "LAB_ARGS=--port=0 --ServerApp.token=test --LabApp.news_url=",
        ],
        cwd=project,
        env={**env, "RISKBRIEF_ROOT": str(project), "JUPYTER_RUNTIME_DIR": str(project / "rt")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = []
    try:
        deadline = time.monotonic() + 180
        for line in lab.stdout:  # type: ignore[union-attr]
            seen.append(line)
            if "http://127.0.0.1:" in line or time.monotonic() > deadline:
                break
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            seen.append(lab.communicate(timeout=30)[0])
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            seen.append(lab.communicate()[0])
    text = "".join(seen)
    assert "http://127.0.0.1:" in text, text
    command = next(ln for ln in seen if "jupyter lab" in ln)  # make echoes it, flags expanded
    assert "--no-browser" in command and "--port=0" in command
    assert ("--allow-root" in command) == (os.geteuid() == 0)
