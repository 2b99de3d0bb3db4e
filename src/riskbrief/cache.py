"""The section cache: executed section notebooks kept under ``build/cache/``, keyed by what each
section's run depends on, so a rebuild executes only the sections whose inputs changed.

A section's key is the sha256 of:

- the parameters papermill injects, as the executed notebook records them (the briefing's
  name, date, seed, the section's settings, its data paths relative to the project root);
- the notebook: its bytes, or — when every cell has its own id, as in a committed notebook —
  its code cells, cell ids and metadata with the text of its Markdown cells left out. An edit
  to a Markdown cell then runs nothing: the stored run is reused with the current Markdown put
  in place (:func:`fetch`), which is what running it again would write, since papermill
  copies Markdown cells through unchanged;
- every data file the section reads (its spec's ``DataFile`` entries): what the briefing uses
  of it where the spec says (of the scenarios file, the scenarios shown), else its sha256;
- the riskbrief package's source files, the Python version and every installed package's
  version (the kernel runs this interpreter and imports them);
- :data:`FORMAT`, bumped whenever what a run writes changes.

The renderer is not part of it: executed sections are the same for every renderer.

An entry is ``build/cache/<section>/<key>/`` holding the executed, scrubbed notebook, the
results JSON and ``key.json`` (what the key was computed from, for a reader wondering why a
section ran). An entry is written under a temporary name and renamed into place, so a build
killed mid-write leaves no partial entry, and builds running side by side (``make -j``) can
store and read entries at the same time: the first rename wins and the other copy is dropped
(both hold the same bytes). Only a run that succeeded is stored. The newest
:data:`KEEP` entries of each section are kept; ``make clean`` removes them all.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

from riskbrief.sections import Step

#: Bump when what a section run writes changes in a way the inputs do not show.
FORMAT = 1
#: Entries kept per section (newest first, by when they were last stored or used).
KEEP = 12
NOTEBOOK = "notebook.ipynb"
RESULTS = "results.json"
KEY_FILE = "key.json"
_TMP_PREFIX = ".tmp-"


def _sha256_file(path: Path) -> str:
    from riskbrief.inputs import sha256_file

    return sha256_file(path)


@functools.cache
def environment_digest() -> str:
    """One sha256 over the package's source files, the Python version and the installed
    packages' versions: what every section's run depends on besides its own inputs."""
    from riskbrief.inputs import package_files
    from riskbrief.provenance import package_versions

    payload = {
        "package": {name: _sha256_file(p) for name, p in package_files().items()},
        "python": sys.version,
        "packages": package_versions(),
    }
    return digest(payload)


def digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _markdown_by_id(nb: dict[str, Any]) -> dict[str, Any] | None:
    """Markdown cells by id, or None when some cell has no id or shares one."""
    ids = [c.get("id") for c in nb.get("cells", [])]
    if not ids or None in ids or len(set(ids)) != len(ids):
        return None
    return {c["id"]: c for c in nb["cells"] if c.get("cell_type") == "markdown"}


def notebook_key(path: Path) -> str:
    """The notebook's part of a key: everything but the text of Markdown cells and the
    outputs a run replaces, when every cell has its own id; otherwise its bytes."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if _markdown_by_id(nb) is None:
            raise ValueError("cells without unique ids")
        for c in nb["cells"]:
            if c.get("cell_type") == "markdown":
                c["source"], c["attachments"] = "", None
            elif c.get("cell_type") == "code" and "skip-execution" not in (
                c.get("metadata", {}).get("tags") or []
            ):
                # every run replaces these (a notebook saved from JupyterLab still matches)
                c["outputs"], c["execution_count"] = [], None
        return "code:" + digest(nb)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return "bytes:" + _sha256_file(path)


def key_inputs(step: Step, environment: str | None = None) -> dict[str, Any]:
    """What a section's key is computed from (written to the entry's ``key.json``)."""
    data = {}
    for d in step.section.data:
        path = Path(str(step.parameters.get(d.parameter, "")))
        if not path.is_file():
            data[d.key] = None
        elif d.used is not None and step.briefing_parameters:
            data[d.key] = "used:" + digest(d.used_content(path, step.briefing_parameters))
        else:
            data[d.key] = _sha256_file(path)
    return {
        "format": FORMAT,
        "section": step.section.name,
        "parameters": step.recorded,
        "notebook": notebook_key(step.notebook),
        "data": data,
        "environment": environment or environment_digest(),
    }


def key(step: Step, environment: str | None = None) -> str:
    """The cache key of one section run."""
    return digest(key_inputs(step, environment))


def entry_dir(cache_dir: Path, step: Step, k: str) -> Path:
    return cache_dir / step.section.name / k


def stored(cache_dir: Path, step: Step, k: str) -> bool:
    """Whether a complete run of the section is stored under key ``k``."""
    entry = entry_dir(cache_dir, step, k)
    return (entry / NOTEBOOK).is_file() and (entry / RESULTS).is_file()


def fetch(cache_dir: Path, step: Step, k: str, out_dir: Path) -> Path | None:
    """Copy a stored run into ``out_dir`` (as the section's executed notebook and results
    JSON), with the notebook's current Markdown in place, and return the notebook's path;
    None when there is no complete entry."""
    entry = entry_dir(cache_dir, step, k)
    nb, results = entry / NOTEBOOK, entry / RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{step.section.name}.ipynb"
    try:
        shutil.copyfile(nb, output)
        shutil.copyfile(results, out_dir / step.results_name)
        os.utime(entry)  # recently used: kept by prune
    except FileNotFoundError:  # never stored, or pruned by a build running beside this one
        return None
    _current_markdown(step.notebook, output)
    return output


def _current_markdown(source: Path, executed: Path) -> None:
    """Put the source notebook's Markdown cells into an executed copy (by cell id)."""
    import nbformat

    src = _markdown_by_id(json.loads(source.read_text(encoding="utf-8")))
    if not src:
        return
    nb = nbformat.read(executed, as_version=4)
    changed = False
    for cell in nb.cells:
        new = src.get(cell.get("id"))
        if new is None:
            continue
        text = "".join(new["source"]) if isinstance(new["source"], list) else new["source"]
        if cell.source != text or cell.get("attachments") != new.get("attachments"):
            cell.source = text
            if new.get("attachments"):
                cell["attachments"] = new["attachments"]
            else:
                cell.pop("attachments", None)
            changed = True
    if changed:
        nbformat.write(nb, executed)


def store(cache_dir: Path, step: Step, k: str, out_dir: Path, inputs: dict[str, Any]) -> None:
    """Keep a successful run: the executed notebook and results JSON in ``out_dir``."""
    final = entry_dir(cache_dir, step, k)
    if final.is_dir():
        os.utime(final)
        return
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f"{_TMP_PREFIX}{k[:16]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        shutil.copyfile(out_dir / f"{step.section.name}.ipynb", tmp / NOTEBOOK)
        shutil.copyfile(out_dir / step.results_name, tmp / RESULTS)
        (tmp / KEY_FILE).write_text(
            json.dumps(inputs, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        try:
            tmp.rename(final)
        except OSError:  # another build stored the same entry first: same bytes, keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    prune(final.parent)


def prune(section_dir: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` most recently stored or used entries of a section, and
    temporary folders a killed build left (older than an hour)."""
    import time

    try:
        entries = [p for p in section_dir.iterdir() if p.is_dir()]
    except FileNotFoundError:
        return
    now = time.time()
    for p in entries:
        if p.name.startswith(_TMP_PREFIX) and now - _mtime(p) > 3600:
            shutil.rmtree(p, ignore_errors=True)
    done = sorted(
        (p for p in entries if not p.name.startswith(_TMP_PREFIX)), key=_mtime, reverse=True
    )
    for p in done[keep:]:
        shutil.rmtree(p, ignore_errors=True)


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except FileNotFoundError:
        return 0.0
