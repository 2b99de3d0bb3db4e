"""The public site: an offline static site holding the PUBLIC briefings only.

``riskbrief site OUT`` (``make site``) reads ``reports/`` and writes, for every briefing whose
latest version is classified PUBLIC, that version's PDF and HTML, plus an index page listing
them::

    OUT/
      index.html                    the PUBLIC briefings, with links, sizes and sha256
      baseline/baseline-v3.pdf
      baseline/baseline-v3.html     self-contained: works offline, loads nothing

Nothing else from ``reports/`` reaches OUT: no INTERNAL or DRAFT briefing, none of their
names, titles or key judgments, no manifest, notebook or input. A briefing counts as PUBLIC
only if its latest version says so: one whose classification was raised after a PUBLIC
edition is left out altogether. Each copied file is checked against the sha256 its manifest
records, so a file altered after publication is never exported.

The site is written atomically: built in a hidden folder beside OUT, then renamed into place,
so a reader never sees half of it; two exports into one folder take turns (a lock file beside
it). OUT may be missing, empty, or a site written by an earlier export (marked by
:data:`MARKER`); any other folder is refused, never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from riskbrief.errors import BuildError, InputError
from riskbrief.index import plain_text
from riskbrief.paths import display_path
from riskbrief.provenance import Manifest
from riskbrief.publish import locked, read_manifest, versions

#: The only classification the site holds.
PUBLIC = "PUBLIC"
#: Marks a folder as a site this module wrote (so a later export may replace it).
MARKER = ".riskbrief-site"
_STAGING = ".staging-"
_RETIRED = ".retired-"
_LOCK = ".lock"

_CSS = """
body { font-family: "Atkinson Hyperlegible", "DejaVu Sans", Arial, sans-serif; color: #1a1a1a;
  max-width: 46rem; margin: 0 auto; padding: 1.5rem; line-height: 1.5 }
h1 { font-size: 1.8rem; margin-bottom: .25rem }
h2 { font-size: 1.3rem; margin: 2rem 0 .25rem }
a { color: #0b4f8a }
.sub { color: #4d4d4d; margin-top: 0 }
.cls { display: inline-block; background: #1a1a1a; color: #fff; font-weight: 700;
  letter-spacing: .08em; font-size: .75rem; padding: .05rem .4rem; border-radius: 2px }
.kj { background: #f4f6f8; border-left: 4px solid #0b4f8a; padding: .5rem 1rem }
.files { padding-left: 1.25rem }
.muted, .sha { color: #4d4d4d; font-size: .85rem }
.sha { font-family: "DejaVu Sans Mono", monospace; overflow-wrap: anywhere }
"""


@dataclass(frozen=True)
class Briefing:
    """One PUBLIC briefing on the site: its latest version and the files copied."""

    name: str
    version: int
    manifest: Manifest
    #: (file name, source path, sha256, bytes): the PDF and the HTML
    files: tuple[tuple[str, Path, str, int], ...]


@dataclass(frozen=True)
class Site:
    out: Path
    briefings: tuple[Briefing, ...]
    #: briefings in reports/ left out, with their classification (for the command's report;
    #: never written to the site)
    withheld: tuple[tuple[str, str], ...]


def classification(manifest: Manifest) -> str:
    return str(manifest.parameters.get("classification", "")).strip()


def _published_names(reports_dir: Path) -> list[str]:
    if not reports_dir.is_dir():
        return []
    return sorted(
        p.name for p in reports_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
    )


def _files(bdir: Path, version: int, m: Manifest) -> tuple[tuple[str, Path, str, int], ...]:
    """The version's top-level PDF and HTML with the sha256 and size its manifest records."""
    out = []
    for suffix in (".pdf", ".html"):
        entry = next(
            (o for o in m.outputs if "/" not in o["path"] and o["path"].endswith(suffix)), None
        )
        if entry is None:
            raise BuildError(f"{bdir.name} v{version}: the manifest lists no {suffix} file")
        out.append(
            (entry["path"], bdir / f"v{version}" / entry["path"], entry["sha256"], entry["bytes"])
        )
    return tuple(out)


def select(reports_dir: Path) -> tuple[list[Briefing], list[tuple[str, str]]]:
    """The briefings whose latest version is PUBLIC, and the others (name, classification)."""
    public, withheld = [], []
    for name in _published_names(reports_dir):
        bdir = reports_dir / name
        vs = versions(bdir)
        if not vs:
            continue
        m = read_manifest(bdir, vs[-1])
        level = classification(m)
        if level != PUBLIC:
            withheld.append((name, level or "unclassified"))
            continue
        public.append(Briefing(name, vs[-1], m, _files(bdir, vs[-1], m)))
    return public, withheld


def export(reports_dir: Path, out: Path) -> Site:
    """Write the public site into ``out`` atomically (see the module doc)."""
    public, withheld = select(reports_dir)
    out = Path(out).absolute()
    real_out, reports = out.parent.resolve() / out.name, Path(reports_dir).resolve()
    if real_out == reports or reports in real_out.parents or real_out in reports.parents:
        raise InputError(
            None, f"the site folder {display_path(out)} must lie outside the reports folder"
        )
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # one export into ``out`` at a time: the lock file stays beside it, hidden
    with locked(out.parent / f".{out.name}{_LOCK}", what=f"the site {display_path(out)}"):
        _check_replaceable(out)
        _tidy(out)
        staging = out.parent / f".{out.name}{_STAGING}{os.getpid()}"
        staging.mkdir()
        try:
            for b in public:
                (staging / b.name).mkdir()
                for filename, source, sha256, _ in b.files:
                    _copy_checked(source, staging / b.name / filename, sha256, b)
            (staging / "index.html").write_text(build_page(public), encoding="utf-8")
            (staging / MARKER).write_text(
                "a public site written by riskbrief site\n", encoding="utf-8"
            )
            _fsync_tree(staging)
            _swap_in(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return Site(out, tuple(public), tuple(withheld))


def _check_replaceable(out: Path) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise InputError(None, f"{display_path(out)} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise InputError(
            None,
            f"{display_path(out)} is not empty and holds no site written by riskbrief site: "
            "choose another folder (it is never overwritten)",
        )


def _tidy(out: Path) -> None:
    """Remove what a killed export left beside ``out``."""
    for prefix in (_STAGING, _RETIRED):
        for p in out.parent.glob(f".{out.name}{prefix}*"):
            shutil.rmtree(p, ignore_errors=True)


def _copy_checked(source: Path, target: Path, sha256: str, b: Briefing) -> None:
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as dst:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            digest.update(chunk)
            dst.write(chunk)
    if digest.hexdigest() != sha256:
        raise BuildError(
            f"{b.name} v{b.version}: {source.name} differs from its manifest (altered after "
            f"publication?); nothing was exported. Check with: riskbrief verify {b.name}"
        )


def _fsync_tree(root: Path) -> None:
    for p in sorted(root.rglob("*"), reverse=True):
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())
    for d in [*sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True), root]:
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _swap_in(staging: Path, out: Path) -> None:
    """Rename the finished site into place; an earlier site is moved aside first and removed
    after, so ``out`` always holds a whole site (or, for an instant, none)."""
    retired = None
    if out.exists():
        retired = out.parent / f".{out.name}{_RETIRED}{os.getpid()}"
        out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        if retired is not None:
            with contextlib.suppress(OSError):
                retired.rename(out)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} kB"


def build_page(briefings: list[Briefing]) -> str:
    """The site's index page: the PUBLIC briefings, each with its latest edition's files."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Public briefings</title><style>{_CSS}</style></head><body>",
        '<main id="main"><h1>Public briefings</h1>',
        '<p class="muted">Briefings cleared for public release (classification PUBLIC), the '
        "latest edition of each. The HTML pages work offline and the PDFs print on A4; the "
        "sha256 beside each file lets anyone check their copy.</p>",
    ]
    for b in briefings:
        p = b.manifest.parameters
        title = str(p.get("title") or b.name)
        anchor = f"b-{b.name}"
        parts.append(f'<section aria-labelledby="{e(anchor)}"><h2 id="{e(anchor)}">{e(title)}</h2>')
        if p.get("subtitle"):
            parts.append(f'<p class="sub">{e(str(p["subtitle"]))}</p>')
        edition = f"v{b.version}" + (
            f", supersedes v{b.manifest.supersedes}" if b.manifest.supersedes else ""
        )
        facts = [f"Edition {edition}", f"as of {e(str(p.get('as_of', '')))}"]
        if p.get("issued_by"):
            facts.append(f"issued by {e(str(p['issued_by']))}")
        parts.append(f'<p><span class="cls">{PUBLIC}</span> {" · ".join(facts)}</p>')
        if b.manifest.key_judgments:
            kj = plain_text(b.manifest.key_judgments[0])
            parts.append(f'<p class="kj"><strong>Key judgment 1.</strong> {e(kj)}</p>')
        items = []
        for filename, _, sha256, size in b.files:
            label = (
                f"Read online (HTML, {_size(size)})"
                if filename.endswith(".html")
                else f"Download the PDF ({_size(size)})"
            )
            items.append(
                f'<li><a href="{e(b.name)}/{e(filename)}">{label}</a> '
                f'<span class="sha">sha256 {sha256}</span></li>'
            )
        parts.append(f'<ul class="files">{"".join(items)}</ul></section>')
    if not briefings:
        parts.append("<p>No public briefing has been published yet.</p>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)
