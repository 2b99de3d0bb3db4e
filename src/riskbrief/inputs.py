"""Every input a briefing depends on, and the fingerprint that says whether any changed.

Inputs: the params file, the data files its sections read, its section notebooks, the
package source (code, templates, styles), the lock file of exact dependency versions, and
the renderer. The fingerprint is the sha256 of their sorted (name, sha256) pairs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from riskbrief import paths, sections
from riskbrief.params import Briefing

_SOURCE_SUFFIXES = {".py", ".j2", ".css", ".json", ".md", ".yaml", ".csv", ".ttf", ".otf", ".woff2"}


@dataclass(frozen=True)
class Input:
    name: str  # as recorded in the manifest: relative to the project root, or "riskbrief/…" for package files
    path: Path
    kind: str  # params | data | notebook | package | lock | docs

    def sha256(self) -> str:
        return sha256_file(self.path)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return str(path.resolve())


def package_files() -> dict[str, Path]:
    """The package's source files (code, templates, styles) by their manifest name, ``riskbrief/…``."""
    files = sorted(
        p
        for p in paths.PACKAGE_DIR.rglob("*")
        if p.is_file() and p.suffix in _SOURCE_SUFFIXES and "__pycache__" not in p.parts
    )
    return {"riskbrief/" + p.relative_to(paths.PACKAGE_DIR).as_posix(): p for p in files}


def briefing_inputs(briefing: Briefing) -> list[Input]:
    """The files this briefing is built from (what the Makefile and the fingerprint track)."""
    found: dict[str, Input] = {}

    def add(path: Path, kind: str, name: str | None = None) -> None:
        name = name or _rel(path)
        found[name] = Input(name, path, kind)

    add(briefing.path, "params")
    for s in briefing.params.sections:
        section = sections.get(s)
        add(section.notebook, "notebook")
        for key in section.data:
            add(briefing.data_path(key), "data")
    for name, p in package_files().items():
        add(p, "package", name)
    if paths.LOCK_FILE.exists():
        add(paths.LOCK_FILE, "lock")
    assumptions = paths.DOCS_DIR / "assumptions.md"
    if assumptions.exists():
        add(assumptions, "docs")
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
