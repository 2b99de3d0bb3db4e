"""Executing section notebooks with papermill into ``build/<name>/sections/``.

Each :class:`~riskbrief.sections.Step` of a briefing's plan runs in the work folder with the
parameters the plan computed; the executed notebook is then scrubbed of what differs between
two runs of the same inputs (timestamps, papermill's paths) and records the parameters as the
plan wrote them for readers (paths relative to the project root), so identical inputs give
identical executed notebooks wherever the project lives.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import nbformat
import papermill as pm
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from riskbrief import kernels
from riskbrief.errors import BuildError, InputError
from riskbrief.paths import display_path
from riskbrief.sections import Step

KERNEL = "python3"
_VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration")
#: How many of a briefing's notebooks run at a time (default: one per core).
SECTION_JOBS_VARIABLE = "RISKBRIEF_SECTION_JOBS"


def kernel_manager_class(
    env: Mapping[str, str] | None = None,
    stderr: IO[bytes] | None = None,
    cwd: Path | None = None,
):
    """A kernel manager whose kernels talk over Unix sockets in Jupyter's runtime folder: no TCP
    ports to pick, so builds and tests running side by side cannot race for the same port.

    With ``env``, the kernel gets exactly that environment; with ``stderr``, its standard error
    goes to that file; with ``cwd``, it starts in that folder. None of these touch this
    process, so several notebooks can run side by side in one process."""
    import uuid

    from jupyter_client import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # an absolute socket path prefix: kernel and client run in different folders
            runtime = Path(jupyter_runtime_dir())
            runtime.mkdir(parents=True, exist_ok=True)
            return str(runtime / f"riskbrief-{uuid.uuid4().hex[:12]}")

        async def start_kernel(self, **kw: Any) -> None:
            if self.provisioner is None:
                # kernels forked from the preloaded server where possible (riskbrief.kernels)
                self.kernel_id = self.kernel_id or str(uuid.uuid4())
                self.provisioner = kernels.ForkingProvisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )
            if env is not None:
                kw.setdefault("env", dict(env))
            if stderr is not None:
                kw.setdefault("stderr", stderr)
            if cwd is not None:
                kw.setdefault("cwd", str(cwd))
            await super().start_kernel(**kw)

    return IPCKernelManager


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """The names in a notebook's ``parameters`` cell; an error if it has none."""
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as exc:  # nbformat raises several types for unreadable files
        raise InputError(notebook, f"not a readable notebook: {exc}") from None
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        raise InputError(
            notebook,
            "has no cell tagged 'parameters'; papermill cannot inject the briefing's parameters",
        )
    return {p["name"]: p for p in pm.inspect_notebook(str(notebook)).values()}


def check_parameters(step: Step) -> None:
    """Every parameter the briefing passes must be declared by the notebook (papermill only
    warns)."""
    declared = declared_parameters(step.notebook)
    unknown = sorted(set(step.parameters) - set(declared))
    if unknown:
        raise InputError(
            step.notebook,
            f"parameters cell does not declare {', '.join(unknown)} "
            f"(declared: {', '.join(sorted(declared))})",
        )


def _failed_cell(nb_path: Path) -> tuple[int | None, str]:
    """Index and first source line of the last cell papermill started (the one that failed or hung)."""
    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception:
        return None, ""
    started = [
        (i, c)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.metadata.get("papermill", {}).get("start_time")
    ]
    if not started:
        return None, ""
    i, cell = started[-1]
    first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
    return _source_position(nb, i), first


def _source_position(executed: nbformat.NotebookNode, index: int) -> int:
    """1-based position of an executed cell in the source notebook (as JupyterLab shows it),
    discounting the cell papermill injected."""
    injected = sum(
        1 for c in executed.cells[:index] if "injected-parameters" in c.metadata.get("tags", [])
    )
    return index + 1 - injected


def run(
    step: Step,
    out_dir: Path,
    failed_dir: Path,
    *,
    cell_timeout: int,
    label: str | None,
    kernel_env: Mapping[str, str | None] | None = None,
) -> Path:
    """Execute one section notebook in ``out_dir``; return the executed notebook's path,
    scrubbed of volatile metadata and recording the step's parameters as readers see them.

    The kernel runs in ``out_dir`` with this process's environment, changed by ``kernel_env``
    (variables to set, or with None to remove), and its standard error goes to the section's
    log. Nothing process-wide (standard error, the working folder) is touched, so notebooks
    run side by side in threads of one process (:func:`run_all`, a cluster worker).

    On failure the executed notebook (with papermill's error banner) is moved to
    ``failed_dir`` and a BuildError names the notebook, the cell and the exception. A
    notebook that ran but wrote no results JSON is a failure too.
    """
    with _own_event_loop():
        return _run(step, out_dir, failed_dir, cell_timeout, label, kernel_env)


@contextlib.contextmanager
def _own_event_loop():
    """In a worker thread, close the event loop Jupyter's client ran the notebook on: a thread
    that ends leaves no loop (and its sockets) unclosed. The main thread keeps its own."""
    import asyncio
    import threading

    from jupyter_core.utils import ensure_event_loop

    if threading.current_thread() is threading.main_thread():
        yield
        return
    try:
        yield
    finally:
        loop = ensure_event_loop()  # the loop this thread's notebook ran on (or a new one)
        if not loop.is_running():
            loop.close()
            asyncio.set_event_loop(None)


def _run(
    step: Step,
    out_dir: Path,
    failed_dir: Path,
    cell_timeout: int,
    label: str | None,
    kernel_env: Mapping[str, str | None] | None,
) -> Path:
    section = step.section
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{section.name}.ipynb"
    if label is not None:
        print(label, flush=True)
    log = out_dir.parent / "logs" / f"{section.name}.log"
    nb_name = display_path(step.notebook)
    try:
        with contextlib.ExitStack() as stack:
            log.parent.mkdir(parents=True, exist_ok=True)
            env = {k: v for k, v in {**os.environ, **(kernel_env or {})}.items() if v is not None}
            manager = kernel_manager_class(env, stack.enter_context(log.open("ab")), cwd=out_dir)
            pm.execute_notebook(
                str(step.notebook),
                str(output),
                parameters=step.parameters,
                kernel_name=KERNEL,
                progress_bar=False,
                log_output=False,
                # papermill's cwd would change this process's folder; the kernel manager's does not
                execution_timeout=cell_timeout,
                kernel_manager_class=manager,
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
    except PapermillExecutionError as exc:
        kept = _keep_failed(output, failed_dir)
        first = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        position = (
            _source_position(nbformat.read(kept, as_version=4), exc.cell_index)
            if kept.exists()
            else exc.cell_index
        )
        raise BuildError(
            f"{nb_name}: cell {position} ({first.strip()!s:.80}) raised "
            f"{exc.ename}: {exc.evalue}\n  the failed notebook is kept at {display_path(kept)}"
        ) from None
    except CellTimeoutError:
        kept = _keep_failed(output, failed_dir)
        index, first = _failed_cell(kept)
        raise BuildError(
            f"{nb_name}: cell {index} ({first.strip():.80}) ran longer than the "
            f"cell timeout of {cell_timeout} s (execution.cell_timeout in the params file)\n"
            f"  the failed notebook is kept at {display_path(kept)}"
        ) from None
    except DeadKernelError as exc:
        kept = _keep_failed(output, failed_dir)
        raise BuildError(
            f"{nb_name}: the kernel died ({exc}); kept at {display_path(kept)}"
        ) from None
    if not (out_dir / step.results_name).is_file():
        raise BuildError(f"{nb_name} ran but did not write its results JSON ({step.results_name})")
    scrub_volatile(output, step.recorded)
    return output


def section_jobs() -> int:
    """How many of a briefing's notebooks run at a time: ``RISKBRIEF_SECTION_JOBS``, else one
    per core this process may use."""
    raw = os.environ.get(SECTION_JOBS_VARIABLE, "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise InputError(
                SECTION_JOBS_VARIABLE,
                f"is {raw!r}; it must be a whole number of notebooks at a time, at least 1",
            )
        return int(raw)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_all(
    steps: list[Step],
    out_dir: Path,
    failed_dir: Path,
    cache_dir: Path,
    *,
    cell_timeout: int,
    briefing: str,
    jobs: int | None = None,
) -> tuple[dict[str, Path], list[str]]:
    """Run a briefing's section notebooks into ``out_dir`` through the section cache
    (:mod:`riskbrief.cache`): a section whose inputs are unchanged since a successful run is
    copied from it (byte for byte what running it again would write), the others run, up to
    ``jobs`` at a time (default :func:`section_jobs`), each in its own kernel.

    One progress line per section, in the plan's order, as each starts ("executing") or is
    taken from the cache ("reusing"). After a failure no further notebook starts; those
    already running finish, and the first failure in the plan's order is raised.

    Returns the executed notebooks by section name (plan order) and the sections that ran."""
    import threading
    from concurrent.futures import Future, ThreadPoolExecutor

    from riskbrief import cache

    jobs = max(1, jobs or section_jobs())
    slots = threading.Semaphore(jobs)
    failed = threading.Event()
    runs: dict[str, Future[Path]] = {}
    cached: dict[str, Path] = {}

    def execute_and_store(step: Step, k: str, inputs: dict[str, Any]) -> Path:
        try:
            output = run(step, out_dir, failed_dir, cell_timeout=cell_timeout, label=None)
            cache.store(cache_dir, step, k, out_dir, inputs)
            return output
        except BaseException:
            failed.set()
            raise
        finally:
            slots.release()

    keyed = []  # each section with its cache key and what the key is computed from
    for step in steps:
        inputs = cache.key_inputs(step)
        keyed.append((step, inputs, cache.digest(inputs)))
    if any(not cache.stored(cache_dir, step, k) for step, _, k in keyed):
        # the kernel server imports the notebooks' libraries while the cached sections are
        # copied; a run with every section in the cache never starts it
        kernels.warm()
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="notebook") as pool:
        for i, (step, inputs, k) in enumerate(keyed, 1):
            name = step.section.name
            label = f"[{briefing}] {i}/{len(steps)} executing {display_path(step.notebook)}"
            hit = cache.fetch(cache_dir, step, k, out_dir)
            if hit is not None:
                print(
                    label.replace(" executing ", " reusing ", 1) + " (inputs unchanged)", flush=True
                )
                cached[name] = hit
                continue
            slots.acquire()
            if failed.is_set():
                slots.release()
                break
            print(label, flush=True)
            runs[name] = pool.submit(execute_and_store, step, k, inputs)
    for step in steps:  # the first failure in the plan's order
        future = runs.get(step.section.name)
        if future is not None and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]
    executed = {
        s.section.name: cached.get(s.section.name) or runs[s.section.name].result() for s in steps
    }
    return executed, [s.section.name for s in steps if s.section.name in runs]


def scrub_volatile(nb_path: Path, parameters: dict[str, Any] | None = None) -> None:
    """Drop what differs between two runs of the same inputs from an executed notebook:
    execution timestamps, papermill's input and output paths, the random id papermill gives
    the cell it injects; with ``parameters``, record them in the injected cell and metadata in
    place of what was passed."""
    from papermill.translators import translate_parameters

    nb = nbformat.read(nb_path, as_version=4)
    pm_meta = nb.metadata.get("papermill", {})
    for key in (*_VOLATILE_PAPERMILL_KEYS, "input_path", "output_path"):
        pm_meta.pop(key, None)
    if parameters is not None:
        pm_meta["parameters"] = parameters
    for cell in nb.cells:
        cm = cell.metadata
        for key in _VOLATILE_PAPERMILL_KEYS:
            cm.get("papermill", {}).pop(key, None)
        cm.pop("execution", None)
        if "injected-parameters" in cm.get("tags", []):
            cell.id = "injected-parameters"
            if parameters is not None:
                cell.source = translate_parameters(KERNEL, "python", parameters, "Parameters")
    nbformat.write(nb, nb_path)


def _keep_failed(output: Path, failed_dir: Path) -> Path:
    failed_dir.mkdir(parents=True, exist_ok=True)
    kept = failed_dir / output.name
    if output.exists():
        shutil.move(str(output), kept)
    return kept


def python_kernel_ok() -> None:
    """The kernel runs this interpreter: fail early and clearly if ipykernel is missing
    (looked up, not imported: the kernels import it)."""
    import importlib.util

    if importlib.util.find_spec("ipykernel") is None:
        raise BuildError(
            f"ipykernel is not installed for {sys.executable}; run 'make briefings' to set up .venv"
        )
