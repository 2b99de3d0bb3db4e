"""What an import produces, and how it is written: a CSV table and its provenance sidecar.

An importer returns a :class:`Table`: the rows, the dataset it came from (publisher, release,
licence, attribution), the files it read, and a :class:`Tally` of every value it could not map.
:func:`render` turns it into two byte strings — ``PATH.csv`` and ``PATH.csv.source.json`` —
that depend only on the source files: no clock, no absolute path, sorted keys. So importing the
same files twice gives identical bytes, and :func:`write` leaves identical files untouched
(their timestamps too, so make sees nothing new).

:func:`write` writes every file of one or more imports to temporary names in their folders and
renames them into place only once all are written: a failure leaves the old files as they were.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from riskbrief.errors import InputError
from riskbrief.importers.tables import Located

SIDECAR_SUFFIX = ".source.json"


@dataclass(frozen=True)
class Dataset:
    """Who published the data and on what terms."""

    title: str
    publisher: str
    url: str
    licence: str
    licence_url: str
    attribution: str
    licence_source: str = "the publisher's terms (not stated in the file)"


@dataclass
class Tally:
    """Values that could not be mapped, counted by file, column, value and what became of them."""

    counts: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)

    def add(self, path: Path, column: str, value: str, outcome: str, n: int = 1) -> None:
        self.counts[(path.name, column, value, outcome)] += n

    def merge(self, table: Located, odd: Counter[tuple[str, str, str]]) -> None:
        """Add values counted by (column key, value, outcome), naming columns as in the file."""
        for (key, value, outcome), n in odd.items():
            self.add(table.path, table.headers.get(key, key), value, outcome, n)

    def __len__(self) -> int:
        return len(self.counts)

    def entries(self) -> list[dict[str, object]]:
        return [
            {"file": f, "column": c, "value": v, "outcome": o, "rows": n}
            for (f, c, v, o), n in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]


@dataclass
class Source:
    """One file an import read: its role, where its table was, rows read and used."""

    role: str
    table: Located
    rows_used: int

    @property
    def rows_read(self) -> int:
        return len(self.table.frame)


@dataclass
class Table:
    """An import's result, before it is written."""

    kind: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]
    dataset: Dataset
    sources: list[Source]
    unmapped: Tally
    summary: str  # one line for the terminal: what was counted
    release: str | None = None
    release_source: str = "not stated in the file"
    data_through: str | None = None  # the newest date in the data, where it has dates
    notes: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def csv_bytes(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue().encode("utf-8")


def sidecar(table: Table, csv_name: str, data: bytes) -> dict[str, object]:
    """The provenance record of ``table`` written as ``csv_name`` with content ``data``."""
    d = table.dataset
    return {
        "kind": table.kind,
        "output": {
            "file": csv_name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "columns": list(table.columns),
            "rows": len(table.rows),
        },
        "dataset": {
            "title": d.title,
            "publisher": d.publisher,
            "url": d.url,
            "release": table.release,
            "release_source": table.release_source,
            "data_through": table.data_through,
            "licence": d.licence,
            "licence_url": d.licence_url,
            "licence_source": d.licence_source,
            "attribution": d.attribution,
        },
        "sources": [
            {
                "file": s.table.path.name,
                "role": s.role,
                "sha256": sha256_file(s.table.path),
                "bytes": s.table.path.stat().st_size,
                "table": s.table.describe(),
                "rows_read": s.rows_read,
                "rows_used": s.rows_used,
            }
            for s in table.sources
        ],
        "unmapped": table.unmapped.entries(),
        "notes": list(table.notes),
    }


def render(table: Table, out: Path) -> dict[Path, bytes]:
    """The files ``table`` is written as: ``out`` (CSV) and ``out`` + ``.source.json``."""
    data = csv_bytes(table.columns, table.rows)
    meta = sidecar(table, out.name, data)
    text = json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return {out: data, sidecar_path(out): text.encode("utf-8")}


def sidecar_path(out: Path) -> Path:
    return out.with_name(out.name + SIDECAR_SUFFIX)


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write(files: dict[Path, bytes]) -> list[Path]:
    """Write every file, all or nothing; return those whose content changed.

    Files whose content is already as given are not touched. The others are written to
    temporary names beside their targets and renamed into place once every one is written;
    on any failure the temporary files are removed and no target is changed.
    """
    todo = {p: b for p, b in files.items() if not _unchanged(p, b)}
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in todo.items():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            except OSError as exc:
                raise InputError(path, f"cannot be written: {exc.strerror}") from None
            staged.append((Path(tmp), path))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            Path(tmp).chmod(0o644)
        # the sidecar names the CSV's sha256: rename it last, so a crash between the two
        # renames leaves a sidecar that visibly disagrees rather than one that looks current
        for tmp, path in sorted(staged, key=lambda s: s[1].name.endswith(SIDECAR_SUFFIX)):
            tmp.replace(path)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    return list(todo)


# --- formatting numbers for the tables ---------------------------------------------------------


def fmt_decimal(x: float | None, places: int = 1) -> str:
    """``x`` rounded to ``places`` decimals, without trailing zeros (``1024.0000001`` -> ``1024``)."""
    if x is None:
        return ""
    s = f"{x:.{places}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in {"-0", ""} else s


def fmt_significant(x: float | None, digits: int = 6) -> str:
    """``x`` to ``digits`` significant digits, which drops float noise (``6.000001e+24`` -> ``6e+24``)."""
    return "" if x is None else f"{x:.{digits}g}"
