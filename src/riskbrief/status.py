"""What is stale: each briefing's inputs against its latest published version, without building.

``riskbrief status`` (``make status``) computes each briefing's fingerprint exactly as a build
would (:mod:`riskbrief.inputs`: what the briefing uses of every input) and compares it with the
latest version's manifest. A briefing is *up to date* when they are equal (a build would say
"up to date" and publish nothing), *stale* when they differ — then the inputs whose used content
changed, appeared or disappeared are named — *not built* when nothing is published yet, and
*invalid* when its params file cannot be read (the build's own message is shown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from riskbrief import inputs, publish, sections
from riskbrief.errors import InputError, RiskbriefError
from riskbrief.params import available_briefings
from riskbrief.paths import Project


@dataclass
class Status:
    name: str
    state: str  # up to date | stale | not built | invalid
    version: int | None = None
    #: what changed since the latest version, one phrase each
    changes: list[str] = field(default_factory=list)
    #: for an invalid briefing, the build's message
    problem: str = ""

    def lines(self) -> list[str]:
        head = f"{self.name:<20} {self.state}" + (f" (v{self.version})" if self.version else "")
        if self.state == "stale":
            return [head + ": " + self.changes[0], *(" " * 22 + c for c in self.changes[1:])]
        if self.state == "invalid":
            return [head + ":", *("  " + ln for ln in self.problem.splitlines())]
        return [head]


def _package_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    def pkg(d: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in d.items() if k.startswith("riskbrief/")}

    a, b = pkg(old), pkg(new)
    n = sum(a.get(k) != b.get(k) for k in a.keys() | b.keys())
    return [f"riskbrief package ({n} source file{'s' if n != 1 else ''})"] if n else []


def briefing_status(
    name: str, project: Project, reports_dir: Path, renderer: str = "nbconvert"
) -> Status:
    """One briefing's status (nothing is built, locked or written)."""
    try:
        briefing = sections.load(name, project)
    except InputError as exc:
        return Status(name, "invalid", problem=str(exc))
    bdir = reports_dir / briefing.name
    latest = publish.latest(bdir)
    if latest is None:
        return Status(name, "not built")
    manifest = publish.read_manifest(bdir, latest)
    hashed = inputs.hashed_inputs(briefing)
    if manifest.fingerprint == inputs.fingerprint(hashed, renderer):
        return Status(name, "up to date", latest)
    old, new = manifest.used_hashes(), {i["path"]: inputs.used_hash(i) for i in hashed}
    project_old = {k: v for k, v in old.items() if not k.startswith("riskbrief/")}
    project_new = {k: v for k, v in new.items() if not k.startswith("riskbrief/")}
    changes = [
        f"{k} changed"
        for k in sorted(project_old.keys() & project_new.keys())
        if project_old[k] != project_new[k]
    ]
    changes += [f"{k} is a new input" for k in sorted(project_new.keys() - project_old.keys())]
    changes += [f"{k} is no longer used" for k in sorted(project_old.keys() - project_new.keys())]
    changes += [c + " changed" for c in _package_changes(old, new)]
    recorded = manifest.renderer.get("name")
    if recorded != renderer:
        changes.append(f"renderer {renderer} (v{latest} was rendered with {recorded})")
    if not changes:
        # the same used content but a different fingerprint: recorded before used digests
        changes.append(f"v{latest} was fingerprinted by an earlier riskbrief")
    return Status(name, "stale", latest, changes)


def status(
    project: Project,
    reports_dir: Path,
    names: list[str] | None = None,
    renderer: str = "nbconvert",
) -> list[Status]:
    """The status of the named briefings (default: every params file)."""
    found = available_briefings(project)
    for n in names or []:
        if n not in found:
            # the params module's message, with its "did you mean"
            sections.params_mod.load(n, project, sections.BriefingParams)
    out = []
    for name in names or found:
        try:
            out.append(briefing_status(name, project, reports_dir, renderer))
        except (RiskbriefError, OSError, ValueError) as exc:  # a manifest that cannot be read
            out.append(Status(name, "invalid", problem=str(exc)))
    return out
