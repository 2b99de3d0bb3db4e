"""Importers: public AI-risk datasets a user downloaded, turned into small evidence tables.

``riskbrief import KIND SOURCE... [--out PATH.csv]`` runs one importer; the default output is
``data/evidence/<kind>.csv``. Every import writes ``PATH.csv`` and ``PATH.csv.source.json``
(the files read with their sha256, publisher, release, licence and attribution, rows read and
used, and every value that could not be mapped, with counts), atomically: a failed import
writes nothing. ``riskbrief import --config data/evidence/sources.yaml`` (``make evidence``)
re-runs every import listed there, and writes nothing unless all succeed.

Importers are registered by kind, as papermill registers its engines: one :class:`Importer`
per kind, each module (``mit_risk``, ``aiid``, ``epoch``) supplying the loaders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from riskbrief.errors import InputError
from riskbrief.importers import aiid, epoch, mit_risk
from riskbrief.importers.output import Table, render, sidecar_path, write

__all__ = ["ImportResult", "Importer", "get", "kinds", "register", "run", "run_config"]

#: Where imports write by default, relative to the project root.
EVIDENCE_DIR = Path("data") / "evidence"
#: The config file ``make evidence`` runs, relative to the project root.
DEFAULT_CONFIG = EVIDENCE_DIR / "sources.yaml"


@dataclass(frozen=True)
class Importer:
    """One kind of import: the files it reads (by what they are) and the loader."""

    kind: str
    description: str
    sources: tuple[str, ...]  # what each file is, as the CLI names it: ("WORKBOOK.xlsx",)
    load: Callable[[list[Path]], Table]


@dataclass(frozen=True)
class ImportResult:
    """What one import wrote (or found already up to date)."""

    kind: str
    csv: Path
    sidecar: Path
    table: Table
    changed: bool  # False when both files already held exactly this content

    @property
    def rows(self) -> int:
        return len(self.table.rows)


class Registry:
    def __init__(self) -> None:
        self._importers: dict[str, Importer] = {}

    def register(self, importer: Importer) -> None:
        self._importers[importer.kind] = importer

    def get(self, kind: str) -> Importer:
        try:
            return self._importers[kind]
        except KeyError:
            raise InputError(
                None, f"unknown import kind '{kind}'; kinds: {', '.join(self.kinds())}"
            ) from None

    def kinds(self) -> list[str]:
        return list(self._importers)


registry = Registry()
register, get, kinds = registry.register, registry.get, registry.kinds

register(
    Importer(
        "mit-risk",
        "risks per MIT domain and sub-domain, from the AI Risk Repository workbook",
        ("WORKBOOK.xlsx",),
        mit_risk.load,
    )
)
register(
    Importer(
        "aiid",
        "AI incidents per year and MIT risk domain, from the AI Incident Database",
        ("INCIDENTS.csv", "CLASSIFICATIONS_MIT.csv"),
        aiid.load,
    )
)
register(
    Importer(
        "aiid-subdomains",
        "AI incidents per year and MIT risk sub-domain, from the AI Incident Database",
        ("INCIDENTS.csv", "CLASSIFICATIONS_MIT.csv"),
        aiid.load_subdomains,
    )
)
register(
    Importer(
        "epoch-models",
        "notable (or large-scale) AI models per country and year, from Epoch AI",
        ("MODELS.csv",),
        epoch.load_models,
    )
)
register(
    Importer(
        "epoch-clusters",
        "GPU clusters per country and status, from Epoch AI",
        ("CLUSTERS.csv",),
        epoch.load_clusters,
    )
)


def _output(kind: str, out: Path | None, root: Path) -> Path:
    if out is None:
        return root / EVIDENCE_DIR / f"{kind}.csv"
    if out.suffix.lower() != ".csv":
        raise InputError(
            out, "the output must be a .csv file (its sidecar is PATH.csv.source.json)"
        )
    return out


def prepare(kind: str, sources: list[Path], out: Path | None, *, root: Path) -> tuple[Path, Table]:
    """Read and aggregate, writing nothing: the output path and the table."""
    importer = get(kind)
    if len(sources) != len(importer.sources):
        raise InputError(
            None,
            f"'{kind}' reads {len(importer.sources)} file{'s' * (len(importer.sources) > 1)} "
            f"({' '.join(importer.sources)}); got {len(sources)}",
        )
    return _output(kind, out, root), importer.load([Path(s) for s in sources])


def _write(prepared: list[tuple[Path, Table]]) -> list[ImportResult]:
    files: dict[Path, bytes] = {}
    for out, table in prepared:
        files.update(render(table, out))
    changed = set(write(files))
    return [
        ImportResult(t.kind, out, sidecar_path(out), t, bool({out, sidecar_path(out)} & changed))
        for out, t in prepared
    ]


def run(kind: str, sources: list[Path], out: Path | None = None, *, root: Path) -> ImportResult:
    """Import ``sources`` as ``kind`` into ``out`` (default ``root/data/evidence/<kind>.csv``)
    and its sidecar. Raises :class:`InputError` naming the file and what is missing; then
    nothing is written."""
    return _write([prepare(kind, sources, out, root=root)])[0]


def load_config(path: Path, *, root: Path) -> list[tuple[str, list[Path]]]:
    """The imports a config file lists: ``kind: [source, ...]``, in file order. Relative
    source paths are relative to the project root."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            path,
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            row=None if mark is None else mark.line + 1,
        ) from None
    if not isinstance(raw, dict) or not raw:
        raise InputError(path, "expected a mapping of import kind to a list of source files")
    out = []
    for kind, files in raw.items():
        if str(kind) not in kinds():
            raise InputError(
                path, f"unknown import kind; kinds: {', '.join(kinds())}", field=str(kind)
            )
        if not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
            raise InputError(path, "expected a list of file paths", field=str(kind))
        out.append((str(kind), [root / Path(f).expanduser() for f in files]))
    return out


def run_config(path: Path, *, root: Path) -> list[ImportResult]:
    """Run every import listed in the config file ``path``; write only if all succeed."""
    prepared = [
        prepare(kind, sources, None, root=root) for kind, sources in load_config(path, root=root)
    ]
    return _write(prepared)
