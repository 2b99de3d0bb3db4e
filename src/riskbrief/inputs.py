"""Every input a briefing depends on: the one list behind the fingerprint, the make
dependencies (``riskbrief deps``), the snapshot a version keeps, and ``verify``.

Inputs: the params file, the notebooks and data files of its sections (from their specs in
:mod:`riskbrief.sections`; an imported table with its provenance sidecar), the assumptions log
and the glossary, the package source (code, templates, styles), and the lock file of exact
dependency versions. The fingerprint is the sha256 of their sorted (name, sha256) pairs and the
renderer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from riskbrief import sections
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
    return [
        {"path": i.name, "kind": i.kind, "sha256": i.sha256()} for i in briefing_inputs(briefing)
    ]


def fingerprint(hashed: list[dict[str, str]], renderer: str) -> str:
    """One sha256 over every input's hash and the renderer's name."""
    payload = json.dumps(
        {"inputs": [[i["path"], i["sha256"]] for i in hashed], "renderer": renderer},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


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
