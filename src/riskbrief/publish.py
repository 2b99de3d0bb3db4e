"""Publishing versions into ``reports/<name>/v<N>/``: atomic, append-only, locked.

- A version directory is written under a hidden staging name and renamed into place, so a
  crash never leaves a partial ``v<N>``; an existing version is never modified.
- ``reports/<name>/latest`` is a symlink replaced atomically; ``reports/index.html`` is
  rewritten through a temporary file.
- One build of a briefing at a time: ``build/locks/<name>.lock`` (flock) serialises builds of
  the same briefing; ``build/locks/index.lock`` serialises index updates across briefings. The
  locks live in the build directory so a failed build leaves ``reports/`` untouched.
- A build killed at any point leaves every published version complete: at worst a hidden
  staging folder or temporary file (removed by the next build), a ``latest`` pointer or an
  index one version behind (brought up to date by the next build, even when it finds nothing
  else to do).

Testing aid: ``RISKBRIEF_PAUSE_AT=<point>`` makes a build stop at one of :data:`PAUSE_POINTS`
and wait there (up to ``RISKBRIEF_PAUSE_SECONDS``, default 300), printing
``paused at <point>`` first, so that tests can kill it at a known stage. Unset in normal use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import html
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from riskbrief import paths
from riskbrief.errors import BuildError, BuildInProgress, InputError
from riskbrief.inputs import sha256_file

_VERSION_DIR = re.compile(r"^v(\d+)$")
STAGING_PREFIX = ".staging-"
_INDEX_TMP_PREFIX = ".index.html.tmp-"

PAUSE_ENV = "RISKBRIEF_PAUSE_AT"
#: Where ``RISKBRIEF_PAUSE_AT`` can stop a build: before the first notebook runs, before
#: rendering, with the new version fully staged but not yet renamed into place, after the
#: rename but before ``latest`` moves, and before the index is rewritten.
PAUSE_POINTS = ("execute", "render", "publish", "latest", "index")


def environment_error(variable: str, problem: str) -> InputError:
    """An InputError about an environment variable, named as such."""
    err = InputError(None, problem, field=variable)
    err.args = (f"environment variable {variable}: {problem}",)
    return err


def check_pause_point() -> None:
    """An unknown ``RISKBRIEF_PAUSE_AT`` is an error before anything runs."""
    point = os.environ.get(PAUSE_ENV)
    if point and point not in PAUSE_POINTS:
        raise environment_error(
            PAUSE_ENV,
            f"unknown pause point '{point}' (one of: {', '.join(PAUSE_POINTS)}); "
            "it is a testing aid, unset it for normal builds",
        )


def pause_point(point: str) -> None:
    """Testing aid: wait here if ``RISKBRIEF_PAUSE_AT`` names this point (see the module doc)."""
    if os.environ.get(PAUSE_ENV) == point:
        print(f"paused at {point} ({PAUSE_ENV})", flush=True)
        time.sleep(float(os.environ.get("RISKBRIEF_PAUSE_SECONDS", "300")))


def versions(briefing_dir: Path) -> list[int]:
    """Published version numbers, ascending."""
    if not briefing_dir.is_dir():
        return []
    found = []
    for p in briefing_dir.iterdir():
        m = _VERSION_DIR.match(p.name)
        if m and p.is_dir() and (p / "manifest.json").is_file():
            found.append(int(m.group(1)))
    return sorted(found)


def select(reports_dir: Path, name: str, version: int | None = None) -> list[int]:
    """A briefing's published versions (all, or the one asked for); an InputError naming what
    exists if there is none."""
    vs = versions(reports_dir / name)
    if not vs:
        raise InputError(
            None,
            f"briefing '{name}' has no published version in {paths.display_path(reports_dir)}",
        )
    if version is None:
        return vs
    if version not in vs:
        raise InputError(
            None,
            f"briefing '{name}' has no version {version} (published: {', '.join(f'v{x}' for x in vs)})",
        )
    return [version]


def read_manifest(briefing_dir: Path, version: int) -> dict[str, Any]:
    return json.loads((briefing_dir / f"v{version}" / "manifest.json").read_text(encoding="utf-8"))


def latest(briefing_dir: Path) -> int | None:
    v = versions(briefing_dir)
    return v[-1] if v else None


@contextlib.contextmanager
def locked(lock_path: Path, *, wait: bool = True, what: str = "") -> Iterator[None]:
    """Hold an exclusive flock on ``lock_path``; wait for it (saying so) or fail at once."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        raise BuildError(f"cannot write to {lock_path.parent}: permission denied") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise BuildInProgress(
                    f"a build of {what} is in progress (lock {lock_path})"
                ) from None
            print(f"[{what}] waiting for another build of {what} to finish…", flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def check_writable(reports_dir: Path) -> None:
    """Fail before anything runs if the reports folder cannot be written: by trying, since
    permission bits do not tell (a read-only mount, an immutable folder, running as root)."""
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        probe = reports_dir / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BuildError(
            f"cannot publish: {reports_dir} is not writable ({exc.strerror or exc})"
        ) from None


def clean_staging(briefing_dir: Path) -> None:
    """Remove what a killed build left half-written (never a published version)."""
    if briefing_dir.is_dir():
        for p in briefing_dir.iterdir():
            if p.name.startswith(STAGING_PREFIX):
                shutil.rmtree(p, ignore_errors=True)
            elif p.name.startswith(".latest.tmp"):
                p.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_version(
    briefing_dir: Path,
    version: int,
    files: dict[str, Path],
    manifest: dict[str, Any],
) -> Path:
    """Copy ``files`` (name in the version dir → source) into ``v<version>`` with the manifest,
    atomically. Returns the version directory."""
    final = briefing_dir / f"v{version}"
    if final.exists():
        raise BuildError(f"{final} already exists; published versions are never overwritten")
    staging = briefing_dir / f"{STAGING_PREFIX}v{version}-{os.getpid()}"
    staging.mkdir(parents=True)
    outputs = []
    for name in sorted(files):
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(files[name], target)
        outputs.append(
            {"path": name, "sha256": sha256_file(target), "bytes": target.stat().st_size}
        )
    manifest = {**manifest, "outputs": outputs}
    (staging / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    for p in sorted(staging.rglob("*"), reverse=True):
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())
    _fsync_dir(staging)
    pause_point("publish")
    staging.rename(final)
    _fsync_dir(briefing_dir)
    pause_point("latest")
    point_latest(briefing_dir, version)
    return final


def point_latest(briefing_dir: Path, version: int, *, only_if_stale: bool = False) -> None:
    """Point ``latest`` at ``v<version>`` by replacing the symlink atomically."""
    link = briefing_dir / "latest"
    if only_if_stale and link.is_symlink() and link.readlink() == Path(f"v{version}"):
        return
    tmp = briefing_dir / f".latest.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(f"v{version}")
    tmp.replace(link)
    _fsync_dir(briefing_dir)


# ---------------------------------------------------------------------------------------------
# reports/index.html

_INDEX_CSS = """
body { font-family: "Source Sans Pro", "DejaVu Sans", Arial, sans-serif; color: #1a1a1a;
  max-width: 56rem; margin: 0 auto; padding: 1.5rem; line-height: 1.5 }
h1 { font-size: 1.8rem; margin-bottom: .25rem }
h2 { font-size: 1.3rem; margin: 2rem 0 .25rem; border-bottom: 1px solid #d0d0d0 }
a { color: #0b4f8a }
table { border-collapse: collapse; width: 100%; font-size: .9rem }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d0d0 }
thead th { border-bottom: 2px solid #1a1a1a }
.cls { font-weight: 700; letter-spacing: .08em; font-size: .8rem }
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
    shown = 0
    for name in names:
        bdir = reports_dir / name
        vs = versions(bdir)
        if not vs:
            continue
        shown += 1
        newest = read_manifest(bdir, vs[-1])
        p = newest.get("parameters", {})
        parts.append(
            f'<section aria-labelledby="b-{e(name)}"><h2 id="b-{e(name)}">{e(p.get("title", name))}</h2>'
        )
        parts.append(
            f'<p><span class="cls">{e(p.get("classification", ""))}</span> · latest: v{vs[-1]}, as of '
            f"{e(str(p.get('as_of', '')))}, built {e(newest.get('built_at', ''))}</p>"
        )
        kj = newest.get("key_judgments") or []
        if kj:
            parts.append(f'<p class="kj"><strong>Key judgment 1.</strong> {e(_plain(kj[0]))}</p>')
        parts.append(
            "<table><thead><tr>"
            + "".join(
                f"<th scope='col'>{h}</th>"
                for h in ("Version", "As of", "Built", "PDF", "HTML", "Manifest")
            )
            + "</tr></thead><tbody>"
        )
        for v in reversed(vs):
            m = read_manifest(bdir, v)
            outputs = [o["path"] for o in m.get("outputs", [])]
            pdf = next((o for o in outputs if o.endswith(".pdf")), None)
            htm = next((o for o in outputs if o.endswith(".html")), None)
            as_of = e(str(m.get("parameters", {}).get("as_of", "")))
            cells = [f"v{v}", as_of, e(m.get("built_at", ""))]
            cells += [_link(name, v, f) for f in (pdf, htm, "manifest.json")]
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table></section>")
    if not shown:
        parts.append("<p>No briefing has been published yet. Run <code>make briefings</code>.</p>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _link(name: str, version: int, filename: str | None) -> str:
    if not filename:
        return "—"
    e = html.escape
    return f'<a href="{e(name)}/v{version}/{e(filename)}">{e(filename)}</a>'


def _plain(kj: Any) -> str:
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


@contextlib.contextmanager
def pinned_build_time(when: dt.datetime) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH to ``when`` while a build runs (kernels and renderers read it), so
    every time stamped into an output is the build time the manifest records."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def build_time() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            seconds = int(epoch)
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise environment_error(
                "SOURCE_DATE_EPOCH",
                f"must be whole seconds since 1970-01-01 UTC (such as 1767225600), got {epoch!r}",
            ) from None
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
