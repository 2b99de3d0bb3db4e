"""Builds on a real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on
loopback, started here and stopped at the end.

A briefing built on the cluster is byte-identical to the same briefing built in-process; the
analysis chunks give the same numbers wherever they run; an unreachable scheduler fails at
once, naming its address, and publishes nothing; a failing notebook stops its briefing and
not the others built with it; a worker killed mid-build has its task rerun on another
worker and the briefing is still identical.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from projects import make_project, run_here, write_params

from riskbrief import cluster, sampling, sobol
from riskbrief.errors import BuildError
from riskbrief.scenarios import load_scenarios

REPO = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
NAME = "small"
PARAMS = """\
title: "A small briefing"
as_of: 2026-01-01
audience: "Tests"
classification: DRAFT
sections: [scenarios]
seed: 11
scenarios:
  draws: 2000
  horizon_years: 5
  sobol:
    samples: 64
    bootstrap: 50
"""


def _env_changes(**extra: str) -> dict[str, str | None]:
    """What :func:`_env` changes, for a build run in this process."""
    return {cluster.SCHEDULER_ENV: None, **extra}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != cluster.SCHEDULER_ENV}
    return {**env, **extra}


@dataclass
class LocalCluster:
    address: str
    folder: Path

    @functools.cached_property
    def client(self):
        from distributed import Client

        return Client(self.address, timeout="30s", set_as_default=False)


def _start(args: list[str], log: Path, folder: Path) -> tuple[subprocess.Popen, object]:
    out = log.open("wb")
    proc = subprocess.Popen(
        [str(BIN / "dask"), *args], stdout=out, stderr=subprocess.STDOUT, cwd=folder, env=_env()
    )
    return proc, out


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """A scheduler and two single-threaded worker processes (each under a nanny, which
    restarts its worker if it dies), on 127.0.0.1 with ports the OS picks."""
    folder = tmp_path_factory.mktemp("dask")
    sfile = folder / "scheduler.json"
    procs = []
    found: LocalCluster | None = None
    try:
        procs.append(
            _start(
                [
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(sfile),
                ],
                folder / "scheduler.log",
                folder,
            )
        )
        deadline = time.monotonic() + 120
        while not sfile.is_file() and time.monotonic() < deadline:
            assert procs[0][0].poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.2)
        address = json.loads(sfile.read_text())["address"]
        for i in (1, 2):
            procs.append(
                _start(
                    [
                        "worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--death-timeout",
                        "60",
                        "--name",
                        f"w{i}",
                        "--local-directory",
                        str(folder / f"w{i}"),
                    ],
                    folder / f"worker{i}.log",
                    folder,
                )
            )
        found = LocalCluster(address, folder)
        found.client.wait_for_workers(2, timeout=120)
        yield found
    finally:
        if found is not None and "client" in found.__dict__:
            found.client.close()
        for proc, _ in reversed(procs):
            proc.terminate()
        for proc, out in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            out.close()


def small_project(root: Path) -> Path:
    """The repository's data and the scenarios notebook (the one whose Monte Carlo and Sobol
    evaluations become tasks), with small settings."""
    shutil.copytree(REPO / "data", root / "data")
    (root / "notebooks").mkdir(parents=True)
    shutil.copyfile(REPO / "notebooks" / "scenarios.ipynb", root / "notebooks" / "scenarios.ipynb")
    (root / "params").mkdir()
    (root / "params" / f"{NAME}.yaml").write_text(PARAMS, encoding="utf-8")
    return root


def cli(root: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "riskbrief", *args],
        cwd=root,
        env=_env(RISKBRIEF_ROOT=str(root), SOURCE_DATE_EPOCH=EPOCH, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen, timeout: int = 600) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def published(root: Path) -> Path:
    return root / "reports" / NAME / "v1"


def files(vdir: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vdir).as_posix(): p.read_bytes()
        for p in sorted(vdir.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = small_project(tmp_path_factory.mktemp("local") / "project")
    run_here(root, "build", NAME, check=True, env=_env_changes(SOURCE_DATE_EPOCH=EPOCH))
    return published(root)


# --- fast checks ------------------------------------------------------------------------------


def test_without_a_scheduler_the_analysis_runs_here_and_dask_is_not_imported() -> None:
    code = (
        "import sys; from riskbrief import cluster; "
        "assert cluster.task_map() is None; "
        "assert 'distributed' not in sys.modules and 'dask' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], env=_env(), check=True, timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_unreachable_scheduler_fails_at_once_naming_it_and_publishes_nothing(
    tmp_path: Path, how: str
) -> None:
    root = make_project(tmp_path / "project")
    address = f"tcp://127.0.0.1:{_free_port()}"
    t = time.monotonic()
    if how == "option":
        proc = cli(root, "build", "demo", "--scheduler", address)
    else:
        proc = cli(root, "build", "demo", **{cluster.SCHEDULER_ENV: address})
    code, out, err = finish(proc, timeout=120)
    assert "published" not in out
    assert time.monotonic() - t < 20
    assert code == 1
    assert f"cannot reach the Dask scheduler at {address}" in err
    assert "nothing was built" in err and "Traceback" not in err
    assert not (root / "reports" / "demo").exists()
    assert not (root / "build" / "demo").exists()


def test_a_bad_address_is_named(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not a Dask scheduler address: 'bogus://x'"):
        cluster.connect("bogus://x")


# --- on the cluster -----------------------------------------------------------------------------


def test_analysis_chunks_give_the_same_numbers_on_the_cluster(dask_cluster: LocalCluster) -> None:
    defined = load_scenarios(REPO / "data" / "scenarios.yaml")
    shown = list(defined.values())
    on = functools.partial(cluster.map_tasks, dask_cluster.client)
    draws = 3 * sampling.BLOCK + 17
    here = sampling.monte_carlo(shown, draws=draws, seed=5, blocks_per_task=4)
    there = sampling.monte_carlo(shown, draws=draws, seed=5, blocks_per_task=1, task_map=on)
    for key in ("disaster", "runaway", "growth", "zone"):
        for sid in here.ids:
            assert getattr(here, key)[sid].tobytes() == getattr(there, key)[sid].tobytes()
    a = sobol.analyse(shown, samples=32, resamples=40, seed=5)
    b = sobol.analyse(shown, samples=32, resamples=40, seed=5, rows_per_task=16, task_map=on)
    assert a == b


@pytest.mark.slow
def test_a_build_on_the_cluster_is_byte_identical_to_a_local_build(
    dask_cluster: LocalCluster, local_build: Path, tmp_path: Path
) -> None:
    root = small_project(tmp_path / "project")
    code, out, err = finish(cli(root, "build", NAME, "--scheduler", dask_cluster.address))
    assert code == 0, out + err
    assert "on the cluster" in out
    here, there = files(local_build), files(published(root))
    assert here.keys() == there.keys()
    assert [k for k in here if here[k] != there[k]] == []
    assert f"{NAME}-v1.pdf" in here and f"{NAME}-v1.html" in here
    # where it ran is in the manifest, and nowhere else
    a = json.loads((local_build / "manifest.json").read_text())
    b = json.loads((published(root) / "manifest.json").read_text())
    assert a["executed_on"] == "in-process"
    assert b["executed_on"] == f"dask scheduler {dask_cluster.address}, 2 workers"
    assert {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)} == {"executed_on"}
    for data in there.values():
        assert dask_cluster.address.encode() not in data
    # the kernel's Monte Carlo and Sobol chunks ran as tasks too (a client per kernel)
    log = (dask_cluster.folder / "scheduler.log").read_text()
    assert log.count("Receive client connection") >= 3


@pytest.mark.slow
def test_a_failing_notebook_stops_its_briefing_only(
    dask_cluster: LocalCluster, tmp_path: Path
) -> None:
    root = make_project(tmp_path / "project")
    write_params(root, "boom", sections="[notes, boom]")
    code, out, err = finish(cli(root, "build", "demo", "boom", "--scheduler", dask_cluster.address))
    assert "[demo] published v1" in out
    assert code == 1
    assert "[boom] notebooks/boom.ipynb: cell 4 (raise ValueError" in err
    assert "deliberate failure for the test" in err
    assert "build/boom/failed/boom.ipynb" in err
    assert (root / "build" / "boom" / "failed" / "boom.ipynb").is_file()
    assert not (root / "reports" / "boom").exists()
    # the briefing built with it is complete and published
    assert (root / "reports" / "demo" / "v1" / "demo-v1.pdf").is_file()
    # the section that ran on a worker was stored in the build's section cache: building the
    # failed briefing again reuses it and sends only the failing notebook to the cluster
    code, out, err = finish(cli(root, "build", "boom", "--scheduler", dask_cluster.address))
    assert code == 1 and "deliberate failure for the test" in err
    assert "reusing notebooks/notes.ipynb (inputs unchanged)" in out
    assert "executing notebooks/boom.ipynb on the cluster" in out
    assert "notes.ipynb on the cluster" not in out


@pytest.mark.slow
def test_a_worker_killed_mid_build_has_its_task_rerun_and_the_briefing_is_identical(
    dask_cluster: LocalCluster, local_build: Path, tmp_path: Path
) -> None:
    client = dask_cluster.client
    root = small_project(tmp_path / "project")
    proc = cli(root, "build", NAME, "--scheduler", dask_cluster.address)
    victim, deadline, since = None, time.monotonic() + 300, None
    # wait until the scenarios notebook runs (its kernel submitting chunks, or three seconds
    # in), then kill the worker process that holds the notebook task: SIGKILL, no goodbye
    while victim is None and time.monotonic() < deadline and proc.poll() is None:
        processing = client.processing()
        holder = next(
            (w for w, keys in processing.items() for k in keys if "-scenarios-" in str(k)), None
        )
        chunks = any(
            not str(k).startswith("notebook-") for keys in processing.values() for k in keys
        )
        if holder is not None and since is None:
            since = time.monotonic()
        if holder is not None and (chunks or time.monotonic() - since > 3):
            victim = holder
        else:
            time.sleep(0.05)
    assert victim is not None, f"the scenarios notebook never ran: {finish(proc)}"
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    code, out, err = finish(proc)
    assert code == 0, out + err
    # the notebook ran to completion elsewhere: on the other worker, or the restarted one
    ran_on = next(ln for ln in out.splitlines() if "executed notebooks/scenarios.ipynb" in ln)
    assert not ran_on.endswith(f"on {victim}")
    here, there = files(local_build), files(published(root))
    assert [k for k in here if here[k] != there.get(k)] == []
    client.wait_for_workers(2, timeout=120)  # the nanny restarts the killed worker
