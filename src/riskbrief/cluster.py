"""Running a build's work on a Dask cluster (``riskbrief build ... --scheduler ADDRESS``).

Without a scheduler everything runs in this process, as it always has, and nothing here
imports Dask. With one:

The build (client)
    :func:`connect` reaches the scheduler with a short timeout and fails at once with a
    :class:`~riskbrief.errors.BuildError` naming the address, before anything is locked,
    executed or published. It also checks that every worker runs the same riskbrief source
    and the same package versions as the build, since anything else could change a number.
    :func:`execute` then submits the section notebooks of every briefing being built as one
    wave of tasks and writes what they return into each briefing's work folder, exactly where
    an in-process run would have put it.

A notebook task (worker)
    :func:`run_notebook` lays the section's inputs out as a small project in a temporary
    folder (its notebook, the project's data folder and the data files its spec names, all
    shipped with the task, so workers need no shared file system) and runs papermill there.
    While the kernel runs, the task *secedes* from the worker's thread pool
    (``distributed.secede``): the notebook's own Monte Carlo and Sobol tasks can then run on
    the same workers without deadlock. The kernel gets the build's
    ``SOURCE_DATE_EPOCH``, the temporary project as ``RISKBRIEF_ROOT`` and the scheduler's
    address as ``RISKBRIEF_SCHEDULER``. The executed notebook, results JSON and log come back
    to the build as bytes. A worker that dies mid-task has the task rerun elsewhere by the
    scheduler; a notebook that fails is reported with its cell, and nothing is published.

In a kernel
    :func:`task_map` gives the notebook's analysis a :data:`riskbrief.sampling.TaskMap` that
    submits its chunks (Monte Carlo blocks, Sobol rows) to the scheduler named by
    ``RISKBRIEF_SCHEDULER``, or None (run here) when it is not set. Chunks draw from their own
    ``SeedSequence`` streams (``riskbrief.sampling``) or are deterministic (``riskbrief.sobol``),
    so results do not depend on chunking, worker count or placement: a briefing built on a
    cluster is byte-identical to one built in-process. Where it ran goes in the manifest
    (``executed_on``), never in the document.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskbrief.errors import BuildError
from riskbrief.paths import ROOT_ENV, Project, display_path

SCHEDULER_ENV = "RISKBRIEF_SCHEDULER"
#: Seconds to reach the scheduler, and to wait for a first worker, before failing.
CONNECT_TIMEOUT = 10.0
#: What the manifest says of a build that ran here.
IN_PROCESS = "in-process"


# --- the build's side ---------------------------------------------------------------------------


@dataclass
class Cluster:
    """A connected Dask client and what the manifest records of it."""

    client: Any
    address: str
    workers: int

    @property
    def description(self) -> str:
        n = self.workers
        return f"dask scheduler {self.address}, {n} worker{'s' if n != 1 else ''}"

    def close(self) -> None:
        self.client.close()


def _normalise(address: str) -> str:
    address = address.strip()
    return address if "://" in address else f"tcp://{address}"


def probe(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """A BuildError naming ``address`` unless it is a scheduler address and, for TCP, something
    listens there: fails at once (Dask's own connect retries until its timeout)."""
    address = _normalise(address)
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        if scheme != "tcp":
            return
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise BuildError(f"not a Dask scheduler address: {address!r} ({exc})") from None
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BuildError(
            f"cannot reach the Dask scheduler at {address}: {reason}; nothing was built"
        ) from None


def connect(address: str, *, timeout: float = CONNECT_TIMEOUT) -> Cluster:
    """Connect to the scheduler at ``address`` (``tcp://host:port`` or ``host:port``), wait
    for a worker, and check the workers' software: a BuildError naming the address otherwise."""
    from distributed import Client

    address = _normalise(address)
    probe(address, timeout)
    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise BuildError(
            f"cannot reach the Dask scheduler at {address}: {exc}; nothing was built"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise BuildError(
                f"the Dask scheduler at {address} has no workers (waited {timeout:g} s); "
                "start some with 'dask worker " + address + "'"
            ) from None
        _check_workers(client, address)
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
    except BaseException:
        client.close()
        raise
    return Cluster(client, client.scheduler.address, workers)


@functools.cache
def software() -> dict[str, Any]:
    """What a process computes with: the riskbrief source digest and every package version."""
    from riskbrief import inputs, provenance

    pkg = [
        {"path": name, "sha256": inputs.sha256_file(path)}
        for name, path in inputs.package_files().items()
    ]
    return {
        "riskbrief": inputs.fingerprint(pkg, ""),
        "packages": provenance.package_versions(),
        "python": provenance.python_version(),
    }


def software_differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """How another process's software differs from ours, in words (empty: the same)."""
    out = []
    if ours["riskbrief"] != theirs["riskbrief"]:
        out.append("the riskbrief source differs")
    if ours["python"] != theirs["python"]:
        out.append(f"Python {theirs['python']} (here {ours['python']})")
    a, b = ours["packages"], theirs["packages"]
    out += [
        f"{k} {b.get(k, 'not installed')} (here {a.get(k, 'not installed')})"
        for k in sorted(a.keys() | b.keys())
        if a.get(k) != b.get(k) and k != "riskbrief"
    ]
    return out


def _check_workers(client: Any, address: str) -> None:
    ours = software()
    problems = []
    # one task per worker (client.run would block the workers' event loops meanwhile)
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    futures = [
        client.submit(software, key=f"software-{w}-{uuid.uuid4().hex[:8]}", workers=[w])
        for w in workers
    ]
    found = client.gather(futures)
    for worker, theirs in zip(workers, found, strict=True):
        diff = software_differences(ours, theirs)
        if diff:
            shown = ", ".join(diff[:4]) + (f" and {len(diff) - 4} more" if len(diff) > 4 else "")
            problems.append(f"  worker {worker}: {shown}")
    if problems:
        raise BuildError(
            f"the workers of the Dask scheduler at {address} do not run the software this "
            "build runs, so their results could differ; install the same riskbrief and lock "
            "file on every worker, and restart workers after changing either:\n"
            + "\n".join(problems)
        )


@dataclass(frozen=True)
class NotebookJob:
    """One section notebook to run on a worker, with everything it reads."""

    briefing: str
    section: str
    notebook: str  #: the notebook's path relative to the project root
    #: the notebook, the project's data folder and the section's data files, by path
    #: relative to the project root (absolute if outside the project)
    files: dict[str, bytes]
    #: papermill's parameters, data paths relative to the project root
    parameters: dict[str, Any]
    #: the parameters that are data paths
    path_parameters: tuple[str, ...]
    #: the parameters as the executed notebook records them
    recorded: dict[str, Any]
    cell_timeout: int
    source_date_epoch: str | None
    software: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NotebookOutcome:
    """What a notebook task returns: the executed notebook and results, or the error and the
    failed notebook; its log either way."""

    executed: bytes | None
    results: bytes | None
    log: bytes
    error: str | None = None
    failed: bytes | None = None
    worker: str = ""


@dataclass
class Run:
    """One briefing's notebooks to execute into its work folder."""

    name: str
    project: Project
    steps: list[Any]  # riskbrief.sections.Step
    work: Path
    cell_timeout: int
    source_date_epoch: str | None


def job(run: Run, step: Any) -> NotebookJob:
    """The task for one section notebook of a briefing."""
    project = run.project
    params = dict(step.parameters)
    # the project's data folder goes along whole (notebooks without a spec may read from it),
    # and each data file of the section's spec, wherever it is
    files = {
        project.relative(p): p.read_bytes()
        for p in sorted(project.data_dir.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.parts)
    }
    path_params = []
    for d in step.section.data:
        path = Path(params[d.parameter])
        name = project.relative(path)
        files[name] = path.read_bytes()
        params[d.parameter] = name
        path_params.append(d.parameter)
    files[project.relative(step.notebook)] = step.notebook.read_bytes()
    return NotebookJob(
        briefing=run.name,
        section=step.section.name,
        notebook=project.relative(step.notebook),
        files=files,
        parameters=params,
        path_parameters=tuple(path_params),
        recorded=dict(step.recorded),
        cell_timeout=run.cell_timeout,
        source_date_epoch=run.source_date_epoch,
        software=software(),
    )


Outcome = tuple[dict[str, Path], dict[str, dict[str, Any]]] | BuildError


def execute(cluster: Cluster, runs: Sequence[Run]) -> dict[str, Outcome]:
    """Run every section notebook of every briefing in ``runs`` on the cluster, all at once.

    Returns, per briefing, its executed notebooks and results (as the in-process execute
    stage does) or the BuildError that stopped it: a failed notebook (kept in the work
    folder's ``failed/``), or a task the cluster could not complete.

    The section cache (:mod:`riskbrief.cache`, ``build/cache/`` beside the work folders) is
    read and written here, in the build: a section whose inputs are unchanged is copied from
    it and sent to no worker, and every notebook a worker ran successfully is stored in it.
    Runs are byte-identical wherever they ran, so an entry serves either kind of build."""
    from riskbrief import cache
    from riskbrief.results import read_results

    futures = {}
    cached: dict[tuple[str, str], Path] = {}
    keys: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for run in runs:
        if run.work.exists():
            shutil.rmtree(run.work)
        (run.work / "sections").mkdir(parents=True)
        for i, step in enumerate(run.steps, 1):
            label = f"[{run.name}] {i}/{len(run.steps)} executing {display_path(step.notebook)}"
            inputs = cache.key_inputs(step)
            k = cache.digest(inputs)
            hit = cache.fetch(_cache_dir(run), step, k, run.work / "sections")
            if hit is not None:
                print(
                    label.replace(" executing ", " reusing ", 1) + " (inputs unchanged)",
                    flush=True,
                )
                cached[run.name, step.section.name] = hit
                continue
            keys[run.name, step.section.name] = k, inputs
            print(f"{label} on the cluster", flush=True)
            key = f"notebook-{run.name}-{step.section.name}-{uuid.uuid4().hex[:8]}"
            futures[run.name, step.section.name] = cluster.client.submit(
                run_notebook, job(run, step), key=key, pure=False
            )
    # wait for every task; failures are read from each future below
    try:
        cluster.client.gather(list(futures.values()), errors="skip")
    except Exception as exc:  # the scheduler or the connection to it went away
        raise BuildError(
            f"lost the Dask scheduler at {cluster.address} mid-build "
            f"({type(exc).__name__}: {exc}); nothing was published"
        ) from None
    out: dict[str, Outcome] = {}
    for run in runs:
        executed: dict[str, Path] = {}
        results: dict[str, dict[str, Any]] = {}
        errors = []
        sec_dir = run.work / "sections"
        for step in run.steps:
            name = step.section.name
            hit = cached.get((run.name, name))
            if hit is not None:
                executed[name] = hit
                results[name] = read_results(sec_dir / step.results_name)
                continue
            fut = futures[run.name, name]
            if fut.status != "finished":
                why = (
                    f"{type(fut.exception()).__name__}: {fut.exception()}"
                    if fut.status == "error"
                    else fut.status
                )
                errors.append(
                    f"{display_path(step.notebook)}: the task did not complete on the cluster "
                    f"({why})"
                )
                continue
            res: NotebookOutcome = fut.result()
            logs = run.work / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            (logs / f"{name}.log").write_bytes(res.log)
            if res.error is not None:
                if res.failed is not None:
                    (run.work / "failed").mkdir(parents=True, exist_ok=True)
                    (run.work / "failed" / f"{name}.ipynb").write_bytes(res.failed)
                errors.append(res.error.replace("{failed}", display_path(run.work / "failed")))
                continue
            nb = sec_dir / f"{name}.ipynb"
            nb.write_bytes(res.executed or b"")
            (sec_dir / step.results_name).write_bytes(res.results or b"")
            executed[name] = nb
            results[name] = read_results(sec_dir / step.results_name)
            k, inputs = keys[run.name, name]
            cache.store(_cache_dir(run), step, k, sec_dir, inputs)
            print(
                f"[{run.name}] executed {display_path(step.notebook)} on {res.worker}", flush=True
            )
        out[run.name] = BuildError("\n".join(errors)) if errors else (executed, results)
    for fut in futures.values():
        fut.release()
    return out


def _cache_dir(run: Run) -> Path:
    """The section cache: ``build/cache/``, beside the briefings' work folders (as in-process)."""
    return run.work.parent / "cache"


# --- a notebook task, on a worker -------------------------------------------------------------


def _lay_out(root: Path, files: dict[str, bytes], worker: str) -> None:
    for name, data in files.items():
        p = Path(name)
        if p.is_absolute():
            # outside the project: usable only where the same file is at the same place
            if not p.is_file() or p.read_bytes() != data:
                raise BuildError(
                    f"{name} is outside the project and not on worker {worker} as the build "
                    "has it; move it into the project to build on a cluster"
                )
            continue
        target = root / p
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def run_notebook(job: NotebookJob) -> NotebookOutcome:
    """Execute one section notebook on this worker (a Dask task; see the module notes)."""
    from distributed import get_worker, rejoin, secede

    from riskbrief import execute
    from riskbrief.sections import Section, Step

    worker = get_worker()
    diff = software_differences(job.software, software()) if job.software else []
    if diff:
        raise BuildError(
            f"worker {worker.address} does not run the build's software: " + ", ".join(diff[:4])
        )
    with tempfile.TemporaryDirectory(prefix=f"riskbrief-{job.briefing}-") as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        _lay_out(root, job.files, worker.address)
        params = {
            k: str(root / v) if k in job.path_parameters and not Path(v).is_absolute() else v
            for k, v in job.parameters.items()
        }
        step = Step(Section(job.section), root / job.notebook, params, job.recorded)
        work = root.parent / "work"
        kernel_env = {
            ROOT_ENV: str(root),
            SCHEDULER_ENV: worker.scheduler.address,
            "SOURCE_DATE_EPOCH": job.source_date_epoch,
        }
        error = None
        secede()
        try:
            output = execute.run(
                step,
                work / "sections",
                work / "failed",
                cell_timeout=job.cell_timeout,
                label=f"[{job.briefing}] executing {job.notebook}",
                kernel_env=kernel_env,
            )
        except BuildError as exc:
            # name the failed notebook where the build keeps it, not in this temporary folder
            error = str(exc).replace(str(work / "failed"), "{failed}").replace(f"{root}/", "")
        finally:
            rejoin()
        log = work / "logs" / f"{job.section}.log"
        log_bytes = log.read_bytes() if log.is_file() else b""
        if error is not None:
            failed = work / "failed" / f"{job.section}.ipynb"
            return NotebookOutcome(
                None,
                None,
                log_bytes,
                error,
                failed.read_bytes() if failed.is_file() else None,
                worker.address,
            )
        results = work / "sections" / f"{job.section}.json"
        return NotebookOutcome(
            output.read_bytes(), results.read_bytes(), log_bytes, worker=worker.address
        )


# --- in a kernel --------------------------------------------------------------------------------


@functools.cache
def _kernel_client(address: str) -> Any:
    from distributed import Client

    try:
        return Client(address, timeout=f"{CONNECT_TIMEOUT}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise BuildError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def map_tasks(client: Any, fn: Callable[..., Any], args: list[tuple[Any, ...]]) -> list[Any]:
    """Run ``fn(*a)`` for every ``a`` in ``args`` as tasks on the cluster; results in order."""
    futures = [client.submit(fn, *a, pure=False) for a in args]
    try:
        return client.gather(futures)
    finally:
        for f in futures:
            f.release()


def task_map() -> Callable[[Callable[..., Any], list[tuple[Any, ...]]], list[Any]] | None:
    """The notebook's task runner: the cluster named by ``RISKBRIEF_SCHEDULER``, or None (run
    here, in turn) when it is not set."""
    address = os.environ.get(SCHEDULER_ENV, "").strip()
    if not address:
        return None
    return functools.partial(map_tasks, _kernel_client(_normalise(address)))
