"""Executing section notebooks with papermill into ``build/<name>/sections/``."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from riskbrief import paths
from riskbrief.errors import BuildError, InputError
from riskbrief.sections import Section

KERNEL = "python3"


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """The names in a notebook's ``parameters`` cell; an error if it has none."""
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as exc:  # nbformat raises several types for unreadable files
        raise InputError(notebook, f"not a readable notebook: {exc}") from None
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        raise InputError(notebook, "has no cell tagged 'parameters'; papermill cannot inject the briefing's parameters")
    return {p["name"]: p for p in pm.inspect_notebook(str(notebook)).values()}


def check_parameters(section: Section, parameters: dict[str, Any]) -> None:
    """Every parameter the briefing passes must be declared by the notebook (papermill only warns)."""
    declared = declared_parameters(section.notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise InputError(
            section.notebook,
            f"parameters cell does not declare {', '.join(unknown)} (declared: {', '.join(sorted(declared))})",
        )


def _failed_cell(nb_path: Path) -> tuple[int | None, str]:
    """Index and first source line of the cell papermill marked as failed or still running."""
    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception:
        return None, ""
    for i, cell in enumerate(nb.cells):
        status = cell.metadata.get("papermill", {}).get("status")
        if status in {"failed", "running"}:
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            return i, first
    return None, ""


def run(
    section: Section,
    parameters: dict[str, Any],
    out_dir: Path,
    failed_dir: Path,
    *,
    cell_timeout: int,
    label: str,
) -> Path:
    """Execute one section notebook; return the executed notebook's path.

    On failure the executed notebook (with papermill's error banner) is moved to
    ``failed_dir`` and a BuildError names the notebook, the cell and the exception.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{section.name}.ipynb"
    print(label, flush=True)
    try:
        pm.execute_notebook(
            str(section.notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            log_output=False,
            cwd=str(out_dir),
            execution_timeout=cell_timeout,
        )
    except PapermillExecutionError as exc:
        kept = _keep_failed(output, failed_dir)
        first = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        raise BuildError(
            f"{paths.display_path(section.notebook)}: cell {exc.exec_count} ({first.strip()!s:.80}) raised "
            f"{exc.ename}: {exc.evalue}\n  the failed notebook is kept at {paths.display_path(kept)}"
        ) from None
    except CellTimeoutError:
        kept = _keep_failed(output, failed_dir)
        index, first = _failed_cell(kept)
        raise BuildError(
            f"{paths.display_path(section.notebook)}: cell {index} ({first.strip():.80}) ran longer than the "
            f"cell timeout of {cell_timeout} s (execution.cell_timeout in the params file)\n"
            f"  the failed notebook is kept at {paths.display_path(kept)}"
        ) from None
    except DeadKernelError as exc:
        kept = _keep_failed(output, failed_dir)
        raise BuildError(
            f"{paths.display_path(section.notebook)}: the kernel died ({exc}); kept at {paths.display_path(kept)}"
        ) from None
    return output


def _keep_failed(output: Path, failed_dir: Path) -> Path:
    failed_dir.mkdir(parents=True, exist_ok=True)
    kept = failed_dir / output.name
    if output.exists():
        shutil.move(str(output), kept)
    return kept


def python_kernel_ok() -> None:
    """The kernel runs this interpreter: fail early and clearly if ipykernel is missing."""
    try:
        import ipykernel  # noqa: F401
    except ImportError:
        raise BuildError(f"ipykernel is not installed for {sys.executable}; run 'make briefings' to set up .venv") from None
