"""Publishing versions into ``reports/<name>/v<N>/``: atomic, append-only, locked.

- A version directory is written under a hidden staging name and renamed into place, so a
  crash never leaves a partial ``v<N>``; an existing version is never modified.
- ``reports/<name>/latest`` is a symlink replaced atomically, and so are
  ``reports/<name>/latest.pdf`` and ``latest.html``, stable paths to the newest documents for
  scripts and bookmarks (``reports/index.html`` is written by :mod:`riskbrief.index`, under
  the index lock defined here).
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
import fcntl
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from riskbrief.errors import BuildError, BuildInProgress, InputError, environment_error
from riskbrief.inputs import sha256_file
from riskbrief.paths import display_path
from riskbrief.provenance import MANIFEST, Manifest

_VERSION_DIR = re.compile(r"^v(\d+)$")
STAGING_PREFIX = ".staging-"

PAUSE_ENV = "RISKBRIEF_PAUSE_AT"
#: Where ``RISKBRIEF_PAUSE_AT`` can stop a build: before the first notebook runs, before
#: rendering, with the new version fully staged but not yet renamed into place, after the
#: rename but before ``latest`` moves, and before the index is rewritten.
PAUSE_POINTS = ("execute", "render", "publish", "latest", "index")


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
        if m and p.is_dir() and (p / MANIFEST).is_file():
            found.append(int(m.group(1)))
    return sorted(found)


def select(reports_dir: Path, name: str, version: int | None = None) -> list[int]:
    """A briefing's published versions (all, or the one asked for); an InputError naming what
    exists if there is none."""
    vs = versions(reports_dir / name)
    if not vs:
        raise InputError(
            None,
            f"briefing '{name}' has no published version in {display_path(reports_dir)}",
        )
    if version is None:
        return vs
    if version not in vs:
        raise InputError(
            None,
            f"briefing '{name}' has no version {version} (published: {', '.join(f'v{x}' for x in vs)})",
        )
    return [version]


def read_manifest(briefing_dir: Path, version: int) -> Manifest:
    return Manifest.read(briefing_dir / f"v{version}" / MANIFEST)


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
    manifest: Manifest,
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
    (staging / MANIFEST).write_text(replace(manifest, outputs=outputs).to_json(), encoding="utf-8")
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


#: The stable links in ``reports/<name>/``: ``latest`` (the newest version folder), and
#: ``latest.pdf`` and ``latest.html`` (its documents).
LATEST_DOCUMENTS = (".pdf", ".html")


def latest_links(briefing_dir: Path, version: int) -> dict[str, Path]:
    """Each stable link's name and where it should point for ``version`` (relative)."""
    links = {"latest": Path(f"v{version}")}
    for suffix in LATEST_DOCUMENTS:
        links[f"latest{suffix}"] = Path(f"v{version}") / f"{briefing_dir.name}-v{version}{suffix}"
    return links


def point_latest(briefing_dir: Path, version: int, *, only_if_stale: bool = False) -> None:
    """Point ``latest``, ``latest.pdf`` and ``latest.html`` at ``v<version>`` and its
    documents, each by replacing the symlink atomically (the documents' links first, so
    ``latest`` moving last means all three have moved)."""
    links = latest_links(briefing_dir, version)
    moved = False
    for name in sorted(links, key=lambda n: n == "latest"):
        link, target = briefing_dir / name, links[name]
        if name != "latest" and not (briefing_dir / target).is_file():
            continue  # a renderer that wrote no such document
        if only_if_stale and link.is_symlink() and link.readlink() == target:
            continue
        tmp = (
            briefing_dir
            / f".latest.tmp-{name.removeprefix('latest').lstrip('.') or 'dir'}-{os.getpid()}"
        )
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target)
        tmp.replace(link)
        moved = True
    if moved:
        _fsync_dir(briefing_dir)
