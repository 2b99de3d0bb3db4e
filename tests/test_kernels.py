"""Kernels forked from the preloaded kernel server (riskbrief.kernels) behave as kernels started
the usual way: the same executed notebooks byte for byte, the environment, folder and standard
error they are given, riskbrief's own modules imported fresh, and no kernel outliving the
process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from projects import small_draws

from riskbrief import execute, kernels, sections
from riskbrief.errors import InputError
from riskbrief.paths import Project

REPO = Path(__file__).parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not kernels.forking(), reason="kernels cannot be forked on this system (no fork or pidfd)"
    ),
]


def _run_cells(tmp: Path, cells: list[str], mode: str, monkeypatch: pytest.MonkeyPatch, **env):
    """Execute a notebook of ``cells`` with papermill through riskbrief's kernel manager."""
    import papermill as pm

    monkeypatch.setenv(kernels.MODE_VARIABLE, mode)
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    src = tmp / f"{mode}-in.ipynb"
    nbformat.write(nb, src)
    work = tmp / f"{mode}-work"
    work.mkdir()
    log = tmp / f"{mode}.log"
    with log.open("ab") as err:
        manager = execute.kernel_manager_class({**os.environ, **env}, err, cwd=work)
        pm.execute_notebook(
            str(src),
            str(tmp / f"{mode}-out.ipynb"),
            kernel_name="python3",
            progress_bar=False,
            kernel_manager_class=manager,
        )
    out = nbformat.read(tmp / f"{mode}-out.ipynb", as_version=4)
    texts = ["".join(o.get("text", "") for o in c.outputs) for c in out.cells]
    return texts, work, log


def test_real_sections_give_identical_notebooks_forked_and_started_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every section notebook of the baseline (all five, with small draws), run both ways:
    the executed notebooks and results JSON are the same bytes."""
    params = tmp_path / "baseline.yaml"
    params.write_text(small_draws((REPO / "params" / "baseline.yaml").read_text("utf-8")), "utf-8")
    briefing = sections.load(params, Project(REPO))
    outputs: dict[str, dict[str, bytes]] = {}
    for mode in ("exec", "fork"):
        monkeypatch.setenv(kernels.MODE_VARIABLE, mode)
        out = tmp_path / mode
        for step in sections.plan(briefing):
            execute.run(step, out / "sections", out / "failed", cell_timeout=300, label=mode)
        outputs[mode] = {
            p.name: p.read_bytes() for p in sorted((out / "sections").iterdir()) if p.is_file()
        }
    assert sorted(outputs["fork"]) == sorted(outputs["exec"])
    assert len(outputs["fork"]) == 10  # five notebooks, five results
    different = [n for n in outputs["fork"] if outputs["fork"][n] != outputs["exec"][n]]
    assert not different


def test_a_forked_kernel_has_its_own_environment_folder_and_standard_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts, work, log = _run_cells(
        tmp_path,
        [
            "import os, sys\nprint(os.environ['RB_KERNEL_TEST'])",
            "print(os.getcwd())\nprint(sys.path[0])",
            "print('to the log', file=sys.__stderr__, flush=True)\nos.write(2, b'fd two\\n')",
            "print(os.getpid() == os.getpgid(0))",
            "print(sorted(m for m in sys.modules if m.startswith('riskbrief.')))",
        ],
        "fork",
        monkeypatch,
        RB_KERNEL_TEST="given to this kernel only",
    )
    assert texts[0].strip() == "given to this kernel only"
    assert texts[1].split() == [str(work.resolve()), str(work.resolve())]
    assert "to the log" in log.read_text()
    assert texts[3].strip() == "True"  # its own process group: interrupts reach only it
    # nothing of riskbrief's analysis is preloaded: an edit to src/ is seen by the next kernel
    preloaded = eval(texts[4])
    assert set(preloaded) <= {"riskbrief.kernels", "riskbrief.kernel_preload"}


def test_an_unknown_start_mode_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(kernels.MODE_VARIABLE, "spawn")
    with pytest.raises(InputError) as exc:
        kernels.forking()
    assert kernels.MODE_VARIABLE in str(exc.value) and "'fork' or 'exec'" in str(exc.value)


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_kernels_leave_when_the_process_that_started_them_is_killed(tmp_path: Path) -> None:
    """A build killed outright takes its kernel server and its kernels with it."""
    script = textwrap.dedent(
        """
        import asyncio, time
        from riskbrief import execute

        km = execute.kernel_manager_class()()
        asyncio.run(km.start_kernel())
        print(km.provisioner.pid, flush=True)
        time.sleep(600)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, kernels.MODE_VARIABLE: "fork"},
    )
    try:
        kernel_pid = int(proc.stdout.readline())
        os.kill(kernel_pid, 0)  # running
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert _gone(kernel_pid, within=15), "the kernel outlived the process that started it"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_a_kernel_given_another_pythonpath_imports_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python reads PYTHONPATH when it starts, so a kernel given another one comes from a
    server started with it, not from this process's server."""
    monkeypatch.setenv(kernels.MODE_VARIABLE, "fork")
    kernels.warm()  # this process's server, without the folder below
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "analyst_helpers.py").write_text("ANSWER = 42\n", encoding="utf-8")
    texts, _, _ = _run_cells(
        tmp_path,
        ["import analyst_helpers\nprint(analyst_helpers.ANSWER)"],
        "fork",
        monkeypatch,
        PYTHONPATH=str(lib),
    )
    assert texts[0].strip() == "42"
