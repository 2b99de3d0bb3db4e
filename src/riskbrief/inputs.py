"""Every input a briefing depends on: the one list behind the fingerprint, the make
dependencies (``riskbrief deps``), the snapshot a version keeps, and ``verify``.

Inputs: the params file, the notebooks and data files of its sections (from their specs in
:mod:`riskbrief.sections`; an imported table with its provenance sidecar), the assumptions log,
the glossary and the source article's record, the package source (code, templates, styles),
and the lock file of exact dependency versions.

Each input is recorded with two digests:

- ``sha256``: the file's bytes. The snapshot a version keeps (``inputs/``) holds these exact
  files, ``verify`` checks them and ``verify --rebuild`` builds from them.
- ``used_sha256`` (for inputs whose bytes say more than the briefing uses): the content the
  briefing actually uses. The params file by its validated parameters (comments, key order
  and spelled-out defaults do not matter); a data file whose spec says what a briefing uses
  of it (the scenarios file: the scenarios shown) by that; notebooks by their cells without
  outputs or execution counts (a notebook run and saved in JupyterLab is unchanged); the
  assumptions log by the rows of the briefing's sections.

The fingerprint is the sha256 of the sorted (name, used digest) pairs and the renderer, so a
new version is published only when something the briefing uses changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskbrief import sections
from riskbrief.errors import RiskbriefError
from riskbrief.params import Briefing
from riskbrief.paths import PACKAGE_DIR, Project

#: The provenance file ``riskbrief import`` writes beside a table (``<table>.csv.source.json``;
#: ``riskbrief.importers.output.SIDECAR_SUFFIX``).
SIDECAR_SUFFIX = ".source.json"
_SOURCE_SUFFIXES = {".py", ".j2", ".css", ".json", ".md", ".yaml", ".csv", ".ttf", ".otf", ".woff2"}


@dataclass(frozen=True)
class Input:
    #: as recorded in the manifest: relative to the project root, or "riskbrief/…" for package files
    name: str
    path: Path
    kind: str  # params | data | notebook | docs | package | lock

    def sha256(self) -> str:
        return sha256_file(self.path)

    def record(self, briefing: Briefing) -> dict[str, str]:
        """The manifest's entry: path, kind, sha256 and, where it differs in kind from the
        bytes, ``used_sha256``."""
        entry = {"path": self.name, "kind": self.kind, "sha256": self.sha256()}
        used = used_content(self, briefing)
        if used is not None:
            entry["used_sha256"] = digest(used)
        return entry


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_files() -> dict[str, Path]:
    """The package's source files (code, templates, styles) by their manifest name,
    ``riskbrief/…``."""
    files = sorted(
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file() and p.suffix in _SOURCE_SUFFIXES and "__pycache__" not in p.parts
    )
    return {"riskbrief/" + p.relative_to(PACKAGE_DIR).as_posix(): p for p in files}


def briefing_inputs(briefing: Briefing) -> list[Input]:
    """The files this briefing is built from, sorted by name. Files that do not exist are
    left out (the build reports them as errors before anything runs)."""
    project: Project = briefing.project
    found: dict[str, Input] = {}

    def add(path: Path, kind: str, name: str | None = None) -> None:
        if path.is_file():
            name = name or project.relative(path)
            found[name] = Input(name, path, kind)

    add(briefing.path, "params")
    for s in sections.of(briefing):
        add(s.notebook(project), "notebook")
    for path in sections.data_files(briefing).values():
        add(path, "data")
        # a table `riskbrief import` wrote comes with its provenance sidecar, which the
        # section reads too (release, licence): it is an input with it
        add(path.with_name(path.name + SIDECAR_SUFFIX), "data")
    add(project.assumptions_file, "docs")
    add(project.glossary_file, "docs")
    add(project.source_article_file, "data")
    for name, p in package_files().items():
        add(p, "package", name)
    add(project.lock_file, "lock")
    return [found[k] for k in sorted(found)]


def hashed_inputs(briefing: Briefing) -> list[dict[str, str]]:
    """Every input's manifest entry (:meth:`Input.record`), sorted by name."""
    return [i.record(briefing) for i in briefing_inputs(briefing)]


def used_hash(entry: dict[str, str]) -> str:
    """The digest an input is compared by: what the briefing uses of it, else its bytes."""
    return entry.get("used_sha256") or entry["sha256"]


def fingerprint(hashed: list[dict[str, str]], renderer: str) -> str:
    """One sha256 over every input's used digest and the renderer's name."""
    payload = json.dumps(
        {"inputs": [[i["path"], used_hash(i)] for i in hashed], "renderer": renderer},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


# --- what a briefing uses of an input ---------------------------------------------------------


def digest(content: Any) -> str:
    """sha256 of JSON-able content, written canonically (sorted keys, no spaces)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


#: Cell and notebook metadata that records how a notebook was last run or shown, not what it
#: computes (nbstripout's defaults, and the kernel's language_info, which every run rewrites).
_VOLATILE_CELL_METADATA = ("collapsed", "scrolled", "execution", "ExecuteTime", "papermill")
_VOLATILE_NOTEBOOK_METADATA = ("signature", "widgets", "language_info", "papermill")


def notebook_content(path: Path) -> dict[str, Any] | None:
    """A notebook as papermill runs it: every cell's id, type, source and metadata, without
    outputs, execution counts or run-time metadata. None if it is not a readable notebook."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [
            {
                "id": c.get("id"),
                "cell_type": c["cell_type"],
                "source": "".join(c["source"]) if isinstance(c["source"], list) else c["source"],
                "metadata": {
                    k: v
                    for k, v in (c.get("metadata") or {}).items()
                    if k not in _VOLATILE_CELL_METADATA
                },
                "attachments": c.get("attachments"),
            }
            for c in nb["cells"]
        ]
        meta = {
            k: v for k, v in nb.get("metadata", {}).items() if k not in _VOLATILE_NOTEBOOK_METADATA
        }
        return {
            "nbformat": [nb.get("nbformat"), nb.get("nbformat_minor")],
            "metadata": meta,
            "cells": cells,
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def used_content(item: Input, briefing: Briefing) -> Any | None:
    """What the briefing uses of an input, as JSON-able content; None when that is its bytes
    (package files, the lock file, data files whose spec says nothing more)."""
    if item.kind == "params":
        return {"parameters": briefing.params.model_dump(mode="json")}
    if item.kind == "notebook":
        return notebook_content(item.path)
    if item.kind == "docs" and item.path == briefing.project.assumptions_file:
        from riskbrief import assumptions

        try:
            rows = assumptions.load_assumptions(item.path)
        except RiskbriefError:
            return None
        return {"rows": assumptions.used_rows(rows, briefing.params.sections)}
    if item.kind == "data":
        for d in sections.data_specs(briefing):
            if d.used is not None and briefing.data_path(d.key) == item.path:
                try:
                    return d.used_content(item.path, briefing.params.model_dump(mode="json"))
                except RiskbriefError:
                    return None
    return None


def make_rule(briefing: Briefing, target: str) -> str:
    """The make rule saying ``target`` depends on every project file of the briefing's input
    list (package files and the lock file are prerequisites of every briefing already)."""
    deps = [i.name for i in briefing_inputs(briefing) if i.kind not in ("package", "lock")]
    return f"{target}: " + " ".join(d.replace(" ", "\\ ") for d in deps)


# ---------------------------------------------------------------------------------------------
# The snapshot of inputs a published version keeps under ``inputs/``: params, data, notebooks,
# the lock file and the assumptions log (package code is identified by the git commit and the
# hashes in the manifest). "What changed" is computed from it, and a version is rebuilt from it.

SNAPSHOT_DIR = "inputs"
SNAPSHOT_KINDS = ("params", "data", "notebook", "docs", "lock")


def snapshot_name(input_name: str) -> str:
    """Where the copy of an input lives inside a version directory."""
    p = Path(input_name)
    return (
        f"{SNAPSHOT_DIR}/{p.as_posix()}"
        if not p.is_absolute()
        else f"{SNAPSHOT_DIR}/external/{p.name}"
    )


def snapshot_inputs(briefing: Briefing) -> dict[str, Path]:
    """The inputs a version keeps copies of, by input name."""
    return {i.name: i.path for i in briefing_inputs(briefing) if i.kind in SNAPSHOT_KINDS}
