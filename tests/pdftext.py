"""The text of a PDF's pages, read once per file and test run.

pypdf takes about five seconds to read the text of a 40-page briefing, and several test files
read the same real briefings (``real_reports``). :func:`pages` reads a file once: the result is
kept in memory, and in :data:`CACHE_DIR` (set by ``conftest.py`` to a folder every test worker
shares) under the file's sha256, so a file already read by another worker is not read again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

#: Where read texts are kept across test workers (``None``: in memory only).
CACHE_DIR: Path | None = None
_read: dict[str, tuple[PageText, ...]] = {}


@dataclass(frozen=True)
class PageText:
    """One page: pypdf's text of it, its height, and each text run with its baseline's height
    above the foot of the page (in points)."""

    text: str
    height: float
    runs: tuple[tuple[float, str], ...]


def _read_pages(pdf: Path) -> tuple[PageText, ...]:
    out = []
    for page in PdfReader(pdf).pages:
        runs: list[tuple[float, str]] = []

        def visit(text, cm, tm, font, size, runs=runs) -> None:
            if text:
                runs.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text))

        text = page.extract_text(visitor_text=visit) or ""
        out.append(PageText(text, float(page.mediabox.height), tuple(runs)))
    return tuple(out)


def pages(pdf: Path) -> tuple[PageText, ...]:
    """Every page's text, read once per file content."""
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    if digest in _read:
        return _read[digest]
    kept = CACHE_DIR / f"{digest}.json" if CACHE_DIR else None
    if kept is not None and kept.is_file():
        found = tuple(
            PageText(p["text"], p["height"], tuple((y, t) for y, t in p["runs"]))
            for p in json.loads(kept.read_text(encoding="utf-8"))
        )
    else:
        found = _read_pages(pdf)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            tmp = kept.with_name(f"{kept.name}.{os.getpid()}.tmp")
            data = [{"text": p.text, "height": p.height, "runs": p.runs} for p in found]
            tmp.write_text(json.dumps(data), encoding="utf-8")
            tmp.replace(kept)
    _read[digest] = found
    return found


def texts(pdf: Path) -> list[str]:
    """Every page's text, as ``page.extract_text()`` gives it."""
    return [p.text for p in pages(pdf)]
