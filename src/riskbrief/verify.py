"""Checking that a published version is what its manifest says.

``riskbrief verify <name>`` re-hashes every file of every published version (or of one, with
``--version``) against the sha256 and size its manifest records, and reports each file that
was altered, added or removed. It also checks that ``latest`` points at the newest version.

``--rebuild`` goes further for one version: it lays out the version's input snapshot
(``inputs/``: params, data, notebooks, lock file, assumptions) as a project in a temporary
folder, builds it there through the public command (``riskbrief --root TMP build NAME
--as-built MANIFEST``: the manifest's build time and git state), and compares every output
byte for byte. The riskbrief package itself is
not in the snapshot: the rebuild uses the installed one, and says so when its files differ from
those the version was built with (as it does for the installed Python packages).
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from riskbrief import inputs, provenance, publish
from riskbrief.errors import InputError
from riskbrief.provenance import MANIFEST, Manifest


@dataclass
class Finding:
    kind: str  # altered | added | removed | unreadable | latest
    path: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind:<9} {self.path}" + (f"  ({self.detail})" if self.detail else "")


@dataclass
class VersionCheck:
    briefing: str
    version: int
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    manifest_sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings


def _short(digest: str) -> str:
    return digest[:16]


def check_version(briefing_dir: Path, version: int) -> VersionCheck:
    """Re-hash one version's files against its manifest."""
    vdir = briefing_dir / f"v{version}"
    result = VersionCheck(briefing_dir.name, version)
    manifest_path = vdir / MANIFEST
    try:
        manifest = Manifest.read(manifest_path)
        listed = {o["path"]: o for o in manifest.outputs}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        result.findings.append(Finding("unreadable", MANIFEST, f"cannot read the manifest: {exc}"))
        return result
    result.manifest_sha256 = inputs.sha256_file(manifest_path)
    if manifest.version != version:
        result.findings.append(
            Finding("altered", MANIFEST, f"says version {manifest.version}, folder is v{version}")
        )
    for name in sorted(listed):
        expected = listed[name]
        target = vdir / name
        if not target.is_file() or target.is_symlink():
            result.findings.append(
                Finding("removed", name, "listed in the manifest, not in the folder")
            )
            continue
        result.checked += 1
        digest = inputs.sha256_file(target)
        size = target.stat().st_size
        if digest != expected.get("sha256") or size != expected.get("bytes"):
            result.findings.append(
                Finding(
                    "altered",
                    name,
                    f"sha256 {_short(digest)}…, {size} bytes; manifest: "
                    f"{_short(str(expected.get('sha256')))}…, {expected.get('bytes')} bytes",
                )
            )
    for p in sorted(vdir.rglob("*")):
        rel = p.relative_to(vdir).as_posix()
        if rel == MANIFEST or rel in listed or (p.is_dir() and not p.is_symlink()):
            continue
        result.findings.append(Finding("added", rel, "in the folder, not in the manifest"))
    return result


def latest_findings(briefing_dir: Path) -> list[Finding]:
    """Problems with the stable links ``latest``, ``latest.pdf`` and ``latest.html``: each
    must point at the newest version (and its documents)."""
    newest = publish.latest(briefing_dir)
    if newest is None:
        return []
    found = []
    for name, want in publish.latest_links(briefing_dir, newest).items():
        link = briefing_dir / name
        if name != "latest" and not (briefing_dir / want).is_file():
            continue  # the version has no such document
        if not link.is_symlink():
            found.append(Finding("latest", name, f"missing; the newest version is v{newest}"))
            continue
        target = link.readlink().as_posix()
        if target != want.as_posix():
            detail = f"points at {target}; the newest version is v{newest}"
            found.append(Finding("latest", name, detail))
    return found


def latest_finding(briefing_dir: Path) -> Finding | None:
    """The first problem with the stable links, if any (:func:`latest_findings`)."""
    found = latest_findings(briefing_dir)
    return found[0] if found else None


def briefing_names(reports_dir: Path) -> list[str]:
    if not reports_dir.is_dir():
        return []
    return sorted(p.name for p in reports_dir.iterdir() if publish.versions(p))


# ---------------------------------------------------------------------------------------------
# Rebuild


@dataclass
class RebuildReport:
    briefing: str
    version: int
    #: notes on what may make the rebuild differ for reasons other than the inputs
    caveats: list[str] = field(default_factory=list)
    identical: list[str] = field(default_factory=list)
    differing: list[tuple[str, str]] = field(default_factory=list)  # (path, how)
    error: str = ""
    kept: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.error and not self.differing


def package_differences(manifest: Manifest) -> list[str]:
    """Package files whose installed content differs from the manifest's record."""
    recorded = {i["path"]: i["sha256"] for i in manifest.inputs if i.get("kind") == "package"}
    installed = {name: inputs.sha256_file(p) for name, p in inputs.package_files().items()}
    changed = sorted(k for k in recorded.keys() & installed.keys() if recorded[k] != installed[k])
    added = sorted(installed.keys() - recorded.keys())
    removed = sorted(recorded.keys() - installed.keys())
    return (
        [f"changed {k}" for k in changed]
        + [f"new {k}" for k in added]
        + [f"gone {k}" for k in removed]
    )


def _caveats(manifest: Manifest) -> list[str]:
    notes = []
    pkg = package_differences(manifest)
    if pkg:
        shown = ", ".join(pkg[:5]) + (f" and {len(pkg) - 5} more" if len(pkg) > 5 else "")
        commit = manifest.git.get("commit", "unknown")
        notes.append(
            f"the installed riskbrief package differs from the one v{manifest.version} was built "
            f"with ({shown}); outputs may differ for that reason alone (built from commit {commit})"
        )
    recorded = manifest.packages
    now = provenance.package_versions()
    moved = sorted(
        f"{k} {recorded[k]} → {now.get(k, 'not installed')}"
        for k in recorded
        if recorded[k] != now.get(k)
    )
    if moved:
        notes.append(
            "installed packages differ from the manifest's: "
            + ", ".join(moved[:5])
            + (f" and {len(moved) - 5} more" if len(moved) > 5 else "")
        )
    here = provenance.python_version()
    if manifest.python and manifest.python != here:
        notes.append(f"Python {here} here, {manifest.python} in the manifest")
    return notes


def _lay_out_project(vdir: Path, manifest: Manifest, project: Path) -> None:
    """The version's input snapshot as a project: inputs/<path> → <project>/<path>."""
    snapshot = vdir / inputs.SNAPSHOT_DIR
    if not snapshot.is_dir():
        raise InputError(
            vdir, "has no inputs/ snapshot to rebuild from (built before snapshots were kept)"
        )
    for p in sorted(snapshot.rglob("*")):
        rel = p.relative_to(snapshot)
        if p.is_dir() or rel.parts[0] == "external":
            continue  # files outside the project are read where they were (their hashes are compared)
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, target)
    params_file = project / "params" / f"{manifest.briefing}.yaml"
    if not params_file.is_file():
        raise InputError(vdir, f"the input snapshot has no params/{manifest.briefing}.yaml")


def _text_diff(a: Path, b: Path, limit: int = 12) -> str:
    try:
        old = a.read_text(encoding="utf-8").splitlines()
        new = b.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    lines = list(difflib.unified_diff(old, new, "published", "rebuilt", n=0, lineterm=""))[2:]
    lines = [ln[:160] for ln in lines if not ln.startswith("@@")]
    more = f"\n      … {len(lines) - limit} more lines" if len(lines) > limit else ""
    return "\n".join("      " + ln for ln in lines[:limit]) + more


def _manifest_keys_differing(a: Manifest, b: Manifest) -> list[str]:
    da, db = a.to_dict(), b.to_dict()
    return sorted(k for k in da.keys() | db.keys() if da.get(k) != db.get(k))


def rebuild(
    reports_dir: Path, name: str, version: int, *, keep_dir: Path | None = None
) -> RebuildReport:
    """Rebuild ``name`` v``version`` from its input snapshot in a temporary project and compare.

    When something differs and ``keep_dir`` is given, the rebuilt version is kept there."""
    bdir = reports_dir / name
    vdir = bdir / f"v{version}"
    manifest = publish.read_manifest(bdir, version)
    report = RebuildReport(name, version, caveats=_caveats(manifest))
    with tempfile.TemporaryDirectory(prefix=f"riskbrief-verify-{name}-") as tmp:
        project = Path(tmp) / "project"
        _lay_out_project(vdir, manifest, project)
        t_reports, t_build = Path(tmp) / "reports", Path(tmp) / "build"
        prev = manifest.supersedes
        if prev:
            # the previous version's results feed "what changed" and the change detection
            if not (bdir / f"v{prev}" / MANIFEST).is_file():
                report.error = f"v{version} supersedes v{prev}, which is no longer published"
                return report
            shutil.copytree(bdir / f"v{prev}", t_reports / name / f"v{prev}", symlinks=True)
        command = [
            sys.executable,
            "-m",
            "riskbrief",
            "--root",
            str(project),
            "build",
            name,
            "--renderer",
            manifest.renderer.get("name", "nbconvert"),
            "--as-built",
            str(vdir / MANIFEST),
            "--reports-dir",
            str(t_reports),
            "--build-dir",
            str(t_build),
        ]
        env = {
            k: v for k, v in os.environ.items() if k not in {publish.PAUSE_ENV, "SOURCE_DATE_EPOCH"}
        }
        print(f"[{name}] rebuilding v{version} from its inputs in a temporary folder", flush=True)
        proc = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            msg = proc.stderr.strip().splitlines()
            report.error = "the rebuild failed: " + (
                "\n".join(msg[-10:]) if msg else f"exit {proc.returncode}"
            )
            return report
        rdir = t_reports / name / f"v{version}"
        if not (rdir / MANIFEST).is_file():
            report.error = f"the rebuild did not produce v{version} ({proc.stdout.strip()[-300:]})"
            return report
        rebuilt = Manifest.read(rdir / MANIFEST)
        theirs = {o["path"]: o["sha256"] for o in rebuilt.outputs}
        ours = {o["path"]: o["sha256"] for o in manifest.outputs}
        for path in sorted(ours.keys() | theirs.keys()):
            if path not in theirs:
                report.differing.append((path, "published, not produced by the rebuild"))
            elif path not in ours:
                report.differing.append((path, "produced by the rebuild, not published"))
            elif ours[path] != theirs[path]:
                report.differing.append((path, _text_diff(vdir / path, rdir / path)))
            else:
                report.identical.append(path)
        keys = _manifest_keys_differing(manifest, rebuilt)
        if (vdir / MANIFEST).read_bytes() == (rdir / MANIFEST).read_bytes():
            report.identical.append(MANIFEST)
        elif keys == ["executed_on"]:
            # where the notebooks ran is the one thing a rebuild elsewhere may change
            report.identical.append(MANIFEST)
            report.caveats.append(
                f"executed {manifest.executed_on} when published, {rebuilt.executed_on} "
                "when rebuilt; the manifests agree otherwise"
            )
        else:
            report.differing.append(
                (MANIFEST, "differs in: " + ", ".join(keys) if keys else "formatting")
            )
            recorded = manifest.input_hashes()
            input_changes = [p for p, h in rebuilt.input_hashes().items() if recorded.get(p) != h]
            if input_changes:
                report.caveats.append(
                    "inputs that differ from the manifest's: " + ", ".join(input_changes[:8])
                )
        if report.differing and keep_dir is not None:
            if keep_dir.exists():
                shutil.rmtree(keep_dir)
            keep_dir.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(rdir, keep_dir, symlinks=True)
            report.kept = keep_dir
    return report
