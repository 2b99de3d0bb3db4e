"""Checking that a published version is what its manifest says.

``riskbrief verify <name>`` re-hashes every file of every published version (or of one, with
``--version``) against the sha256 and size its manifest records, and reports each file that
was altered, added or removed. It also checks that ``latest`` points at the newest version.

``--rebuild`` goes further for one version: it lays out the version's input snapshot
(``inputs/``: params, data, notebooks, lock file, assumptions) as a project in a temporary
folder, builds it there with ``SOURCE_DATE_EPOCH`` set to the manifest's build time and the
manifest's git state, and compares every output byte for byte. The riskbrief package itself is
not in the snapshot: the rebuild uses the installed one, and says so when its files differ from
those the version was built with (as it does for the installed Python packages).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskbrief import inputs, publish
from riskbrief.errors import InputError

MANIFEST = "manifest.json"


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
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        outputs = manifest["outputs"]
        listed = {o["path"]: o for o in outputs}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        result.findings.append(Finding("unreadable", MANIFEST, f"cannot read the manifest: {exc}"))
        return result
    result.manifest_sha256 = inputs.sha256_file(manifest_path)
    if manifest.get("version") != version:
        result.findings.append(
            Finding(
                "altered", MANIFEST, f"says version {manifest.get('version')}, folder is v{version}"
            )
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


def latest_finding(briefing_dir: Path) -> Finding | None:
    """A problem with the ``latest`` pointer, if any."""
    newest = publish.latest(briefing_dir)
    link = briefing_dir / "latest"
    if newest is None:
        return None
    if not link.is_symlink():
        return Finding("latest", "latest", f"missing; the newest version is v{newest}")
    target = link.readlink().as_posix()
    if target != f"v{newest}":
        return Finding("latest", "latest", f"points at {target}; the newest version is v{newest}")
    return None


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


def package_differences(manifest: dict[str, Any]) -> list[str]:
    """Package files whose installed content differs from the manifest's record."""
    recorded = {
        i["path"]: i["sha256"] for i in manifest.get("inputs", []) if i.get("kind") == "package"
    }
    installed = {name: inputs.sha256_file(p) for name, p in inputs.package_files().items()}
    changed = sorted(k for k in recorded.keys() & installed.keys() if recorded[k] != installed[k])
    added = sorted(installed.keys() - recorded.keys())
    removed = sorted(recorded.keys() - installed.keys())
    return (
        [f"changed {k}" for k in changed]
        + [f"new {k}" for k in added]
        + [f"gone {k}" for k in removed]
    )


def _caveats(manifest: dict[str, Any]) -> list[str]:
    from riskbrief.build import package_versions

    notes = []
    pkg = package_differences(manifest)
    if pkg:
        shown = ", ".join(pkg[:5]) + (f" and {len(pkg) - 5} more" if len(pkg) > 5 else "")
        commit = manifest.get("git", {}).get("commit", "unknown")
        notes.append(
            f"the installed riskbrief package differs from the one v{manifest['version']} was built "
            f"with ({shown}); outputs may differ for that reason alone (built from commit {commit})"
        )
    recorded = manifest.get("packages", {})
    now = package_versions()
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
    import platform

    if manifest.get("python") and manifest["python"] != platform.python_version():
        notes.append(
            f"Python {platform.python_version()} here, {manifest['python']} in the manifest"
        )
    return notes


def _epoch(built_at: str) -> str:
    when = dt.datetime.fromisoformat(built_at.replace("Z", "+00:00"))
    return str(int(when.timestamp()))


def _lay_out_project(vdir: Path, manifest: dict[str, Any], project: Path) -> None:
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
    params_file = project / "params" / f"{manifest['briefing']}.yaml"
    if not params_file.is_file():
        raise InputError(vdir, f"the input snapshot has no params/{manifest['briefing']}.yaml")


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


def _manifest_keys_differing(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


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
        prev = manifest.get("supersedes")
        if prev:
            # the previous version's results feed "what changed" and the change detection
            if not (bdir / f"v{prev}" / MANIFEST).is_file():
                report.error = f"v{version} supersedes v{prev}, which is no longer published"
                return report
            shutil.copytree(bdir / f"v{prev}", t_reports / name / f"v{prev}", symlinks=True)
        job = {
            "target": name,
            "reports_dir": str(t_reports),
            "build_dir": str(t_build),
            "renderer": manifest.get("renderer", {}).get("name", "nbconvert"),
            "git": manifest.get("git"),
        }
        env = {
            k: v for k, v in os.environ.items() if k not in {publish.PAUSE_ENV, "SOURCE_DATE_EPOCH"}
        }
        env.update(RISKBRIEF_ROOT=str(project), SOURCE_DATE_EPOCH=_epoch(manifest["built_at"]))
        print(f"[{name}] rebuilding v{version} from its inputs in a temporary folder", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "riskbrief.verify", json.dumps(job)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
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
        rebuilt = json.loads((rdir / MANIFEST).read_text(encoding="utf-8"))
        theirs = {o["path"]: o["sha256"] for o in rebuilt["outputs"]}
        ours = {o["path"]: o["sha256"] for o in manifest["outputs"]}
        for path in sorted(ours.keys() | theirs.keys()):
            if path not in theirs:
                report.differing.append((path, "published, not produced by the rebuild"))
            elif path not in ours:
                report.differing.append((path, "produced by the rebuild, not published"))
            elif ours[path] != theirs[path]:
                report.differing.append((path, _text_diff(vdir / path, rdir / path)))
            else:
                report.identical.append(path)
        if (vdir / MANIFEST).read_bytes() == (rdir / MANIFEST).read_bytes():
            report.identical.append(MANIFEST)
        else:
            keys = _manifest_keys_differing(manifest, rebuilt)
            report.differing.append(
                (MANIFEST, "differs in: " + ", ".join(keys) if keys else "formatting")
            )
            input_changes = [
                i["path"]
                for i in rebuilt.get("inputs", [])
                if {"path": i["path"], "sha256": i["sha256"]}
                not in [
                    {"path": j["path"], "sha256": j["sha256"]} for j in manifest.get("inputs", [])
                ]
            ]
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


def _rebuild_child(job: dict[str, Any]) -> int:
    """Run in the temporary project (RISKBRIEF_ROOT set before riskbrief was imported)."""
    from riskbrief.build import build
    from riskbrief.errors import RiskbriefError

    try:
        build(
            job["target"],
            reports_dir=Path(job["reports_dir"]),
            build_dir=Path(job["build_dir"]),
            renderer=job["renderer"],
            force=True,
            git=job["git"],
        )
    except RiskbriefError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_rebuild_child(json.loads(sys.argv[1])))
