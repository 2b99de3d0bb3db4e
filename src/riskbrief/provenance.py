"""Provenance: the manifest of a published version, and what it records about the build.

:class:`Manifest` is the typed form of ``manifest.json``: version and what it supersedes,
build time (``SOURCE_DATE_EPOCH`` when set), the fingerprint, every input with its sha256, the
git commit and whether the tree had uncommitted changes, Python and package versions, the
renderer, the validated parameters, the key judgments as printed, the sha256 of every
output, and where the notebooks ran. Publishing writes it, and ``show``, ``list``, ``diff``,
``verify`` and the index read it through :meth:`Manifest.read`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path
from typing import Any

from riskbrief.errors import environment_error

MANIFEST = "manifest.json"

#: Packages whose versions the provenance block prints (the manifest records them all).
KEY_PACKAGES = (
    "papermill",
    "nbconvert",
    "nbclient",
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "seaborn",
    "pydantic",
    "weasyprint",
)


@dataclass(frozen=True)
class Manifest:
    briefing: str
    version: int
    supersedes: int | None
    built_at: str
    fingerprint: str
    #: every input: {"path", "kind", "sha256"} and, where the briefing uses less than the
    #: bytes (params, notebooks, the scenarios file, the assumptions log), "used_sha256"
    inputs: list[dict[str, str]]
    #: {"commit", "dirty"}
    git: dict[str, Any]
    python: str
    packages: dict[str, str]
    #: {"name", "version"}
    renderer: dict[str, str]
    parameters: dict[str, Any]
    key_judgments: list[str] = field(default_factory=list)
    #: every published file: {"path", "sha256", "bytes"}
    outputs: list[dict[str, Any]] = field(default_factory=list)
    #: where the notebooks ran: "in-process" or "dask scheduler tcp://…, N workers". Recorded
    #: here only, never in the document: a briefing is the same wherever it was computed.
    executed_on: str = "in-process"

    # --- reading and writing ---------------------------------------------------------------

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """The manifest at ``path`` (a version folder or its manifest.json)."""
        path = path / MANIFEST if path.is_dir() else path
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    # --- what readers of a manifest ask ----------------------------------------------------

    def output(self, suffix: str) -> str | None:
        """The published file ending in ``suffix`` (".pdf", ".html"), if any."""
        return next((o["path"] for o in self.outputs if o["path"].endswith(suffix)), None)

    def input_hashes(self) -> dict[str, str]:
        """Every input's sha256 (its exact bytes, as the snapshot keeps it)."""
        return {i["path"]: i["sha256"] for i in self.inputs}

    def used_hashes(self) -> dict[str, str]:
        """Every input's used digest: what the briefing uses of it (``used_sha256``), else its
        sha256. The fingerprint and "what changed" compare these."""
        return {i["path"]: i.get("used_sha256") or i["sha256"] for i in self.inputs}

    def project_inputs(self) -> list[dict[str, str]]:
        """Inputs other than the package's own source files."""
        return [i for i in self.inputs if i["kind"] != "package"]

    @property
    def package_files(self) -> int:
        return sum(i["kind"] == "package" for i in self.inputs)

    @property
    def package_digest(self) -> str:
        """One sha256 over the package's source files (as the fingerprint is computed)."""
        from riskbrief.inputs import fingerprint

        return fingerprint([i for i in self.inputs if i["kind"] == "package"], "")

    @property
    def key_packages(self) -> dict[str, str]:
        return {k: self.packages.get(k, "not installed") for k in KEY_PACKAGES}

    @property
    def title(self) -> str:
        return str(self.parameters.get("title", self.briefing))

    def provenance_block(self) -> dict[str, Any]:
        """What the briefing's provenance section prints (and its notebook metadata keeps)."""
        return {
            "briefing": self.briefing,
            "version": self.version,
            "supersedes": self.supersedes,
            "built_at": self.built_at,
            "fingerprint": self.fingerprint,
            "git": self.git,
            "renderer": self.renderer["version"],
            "python": self.python,
            "key_packages": self.key_packages,
            "inputs": self.inputs,
            "package_digest": self.package_digest,
        }


# --- what a build records ----------------------------------------------------------------------


def git_state(root: Path) -> dict[str, Any]:
    """The commit of the project tree and whether it has uncommitted changes.

    Changes are what ``git diff HEAD`` finds: tracked files whose content, as git would commit
    it (through the nbstripout filter for notebooks), differs from the commit. A notebook
    saved with its outputs is therefore not a change, although ``git status`` lists it (git
    flags a file whose size differs from the index without comparing content)."""

    def git(*args: str) -> subprocess.CompletedProcess[str] | None:
        try:
            return subprocess.run(
                ["git", *args],
                cwd=root,
                capture_output=True,
                text=True,
                check=False,
                timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None

    head = git("rev-parse", "HEAD")
    commit = head.stdout.strip() if head is not None and head.returncode == 0 else None
    dirty = None
    if commit:
        diff = git("diff", "--no-ext-diff", "--no-textconv", "--quiet", "HEAD", "--")
        if diff is not None and diff.returncode in (0, 1):
            dirty = diff.returncode == 1
    return {"commit": commit or "unknown (not a git checkout)", "dirty": dirty}


def package_versions() -> dict[str, str]:
    """Every installed distribution's name (lower case) and version, sorted by name.

    Only each distribution's header block is parsed: ``Distribution.metadata`` parses the
    whole file, long description included, which took a third of a second per call."""
    found: dict[str, str] = {}
    for d in metadata.distributions():
        text = d.read_text("METADATA") or d.read_text("PKG-INFO") or ""
        headers = HeaderParser().parsestr(text.split("\n\n", 1)[0])
        if headers["Name"]:
            found[headers["Name"].lower()] = headers["Version"]
    return dict(sorted(found.items()))


def python_version() -> str:
    return platform.python_version()


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


def iso(when: dt.datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def epoch_of(built_at: str) -> str:
    """SOURCE_DATE_EPOCH for a manifest's ``built_at``."""
    return str(int(dt.datetime.fromisoformat(built_at.replace("Z", "+00:00")).timestamp()))


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
