"""``reports/index.html``: every published briefing and version, with links.

Rewritten after every publication through a temporary file, under the index lock (so builds
of different briefings never interleave), from the manifests alone.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from riskbrief.publish import locked, read_manifest, versions

_INDEX_TMP_PREFIX = ".index.html.tmp-"
_INDEX_CSS = """
body { font-family: "Source Sans Pro", "DejaVu Sans", Arial, sans-serif; color: #1a1a1a;
  max-width: 56rem; margin: 0 auto; padding: 1.5rem; line-height: 1.5 }
h1 { font-size: 1.8rem; margin-bottom: .25rem }
h2 { font-size: 1.3rem; margin: 2rem 0 .25rem; border-bottom: 1px solid #d0d0d0 }
a { color: #0b4f8a }
table { border-collapse: collapse; width: 100%; font-size: .9rem }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d0d0 }
thead th { border-bottom: 2px solid #1a1a1a }
.cls { display: inline-block; font-weight: 700; letter-spacing: .08em; font-size: .8rem;
  color: #fff; background: #1a1a1a; padding: .1rem .45rem; border-radius: 2px;
  vertical-align: middle }
.cls-public { background: #1d6b35 }
.cls-draft { background: #7a2e00 }
h2 .cls { margin-right: .5rem }
.note { border: 2px solid #1a1a1a; padding: .5rem 1rem }
.kj { background: #f4f6f8; border-left: 4px solid #0b4f8a; padding: .5rem 1rem }
.muted { color: #4d4d4d }
"""


def build_index(reports_dir: Path) -> str:
    """The HTML of reports/index.html: every briefing, its latest version first, every earlier one linked."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>riskbrief — published briefings</title><style>{_INDEX_CSS}</style></head><body>",
        '<main id="main"><h1>Published briefings</h1>',
        '<p class="muted">Every version of every briefing. Each version folder holds the PDF, the HTML, '
        "its manifest (sha256 of every input and output) and the executed notebooks.</p>",
    ]
    names = (
        sorted(p.name for p in reports_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        if reports_dir.is_dir()
        else []
    )
    published = [(n, vs) for n in names if (vs := versions(reports_dir / n))]
    levels = Counter(
        _classification(read_manifest(reports_dir / n, vs[-1]).parameters) for n, vs in published
    )
    if published:
        counts = ", ".join(f"{k} {levels[k]}" for k in sorted(levels, key=_level_order))
        parts.append(
            f'<p class="note"><strong>For the team only.</strong> This index lists every '
            f"briefing, whatever its classification ({counts}). Only PUBLIC briefings may leave "
            "the team: <code>make site</code> exports them, and nothing else, as a public "
            "site.</p>"
        )
    for name, vs in published:
        bdir = reports_dir / name
        newest = read_manifest(bdir, vs[-1])
        p = newest.parameters
        level = _classification(p)
        parts.append(
            f'<section aria-labelledby="b-{e(name)}"><h2 id="b-{e(name)}">{_badge(level)}'
            f"{e(p.get('title', name))}</h2>"
        )
        parts.append(
            f"<p>Classification <strong>{e(level)}</strong> · latest: v{vs[-1]}, as of "
            f"{e(str(p.get('as_of', '')))}, built {e(newest.built_at)}</p>"
        )
        kj = newest.key_judgments
        if kj:
            parts.append(
                f'<p class="kj"><strong>Key judgment 1.</strong> {e(plain_text(kj[0]))}</p>'
            )
        parts.append(
            "<table><thead><tr>"
            + "".join(
                f"<th scope='col'>{h}</th>"
                for h in ("Version", "Classification", "As of", "Built", "PDF", "HTML", "Manifest")
            )
            + "</tr></thead><tbody>"
        )
        for v in reversed(vs):
            m = read_manifest(bdir, v)
            pdf, htm = m.output(".pdf"), m.output(".html")
            as_of = e(str(m.parameters.get("as_of", "")))
            cells = [f"v{v}", _badge(_classification(m.parameters)), as_of, e(m.built_at)]
            cells += [_link(name, v, f) for f in (pdf, htm, "manifest.json")]
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table></section>")
    if not published:
        parts.append("<p>No briefing has been published yet. Run <code>make briefings</code>.</p>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


#: The classifications, most open first (``params.CommonParams.classification``).
LEVELS = ("PUBLIC", "INTERNAL", "DRAFT")


def _classification(parameters: dict[str, Any]) -> str:
    return str(parameters.get("classification") or "unclassified")


def _level_order(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def _badge(level: str) -> str:
    """A classification as a badge: its name in capitals on a coloured ground (the name says
    it; the colour only repeats it)."""
    slug = re.sub(r"[^a-z]", "", level.lower()) or "none"
    return f'<span class="cls cls-{slug}">{html.escape(level)}</span>'


def _link(name: str, version: int, filename: str | None) -> str:
    if not filename:
        return "—"
    e = html.escape
    return f'<a href="{e(name)}/v{version}/{e(filename)}">{e(filename)}</a>'


def plain_text(kj: Any) -> str:
    """A key judgment as plain text: Markdown links and emphasis removed."""
    text = kj.get("text", "") if isinstance(kj, dict) else str(kj)
    return re.sub(r"[*_`\\]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text))


def write_index(reports_dir: Path, lock_dir: Path, *, only_if_stale: bool = False) -> Path:
    """Rewrite reports/index.html through a temporary file (under the index lock, so builds of
    different briefings never interleave); with ``only_if_stale``, only if its content changed."""
    with locked(lock_dir / "index.lock", what="the index"):
        for p in reports_dir.glob(f"{_INDEX_TMP_PREFIX}*"):
            p.unlink(missing_ok=True)  # left by a killed build
        target = reports_dir / "index.html"
        text = build_index(reports_dir)
        if only_if_stale and target.is_file() and target.read_text(encoding="utf-8") == text:
            return target
        tmp = reports_dir / f"{_INDEX_TMP_PREFIX}{os.getpid()}"
        with tmp.open("w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(target)
    return target
