"""Building one briefing: validate → fingerprint → execute → assemble → render → publish."""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat

from riskbrief import assemble, diff, execute, inputs, params, paths, publish, render, sections
from riskbrief.errors import BuildError
from riskbrief.results import read_results

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
_VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration")


@dataclass
class BuildResult:
    name: str
    version: int
    published: bool
    version_dir: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)


def git_state() -> dict[str, Any]:
    """The commit of the project tree and whether it has uncommitted changes."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args],
                cwd=paths.ROOT,
                capture_output=True,
                text=True,
                check=False,
                timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": commit or "unknown (not a git checkout)",
        "dirty": bool(status) if status is not None else None,
    }


def package_versions() -> dict[str, str]:
    return dict(
        sorted(
            {
                d.metadata["Name"].lower(): d.version
                for d in metadata.distributions()
                if d.metadata["Name"]
            }.items()
        )
    )


def scrub_volatile(nb_path: Path) -> None:
    """Drop execution timestamps from an executed notebook, so identical inputs give identical bytes."""
    nb = nbformat.read(nb_path, as_version=4)
    pm_meta = nb.metadata.get("papermill", {})
    for key in (*_VOLATILE_PAPERMILL_KEYS, "input_path", "output_path"):
        pm_meta.pop(key, None)
    for cell in nb.cells:
        cm = cell.metadata
        for key in _VOLATILE_PAPERMILL_KEYS:
            cm.get("papermill", {}).pop(key, None)
        cm.pop("execution", None)
    nbformat.write(nb, nb_path)


SNAPSHOT_KINDS = ("params", "data", "notebook", "docs", "lock")


def snapshot_name(input_name: str) -> str:
    """Where a copy of an input lives inside a version directory."""
    p = Path(input_name)
    return f"inputs/{p.as_posix()}" if not p.is_absolute() else f"inputs/external/{p.name}"


def input_snapshot(briefing: params.Briefing) -> dict[str, Path]:
    """Copies of the params, data and notebooks a version was built from (package code is
    identified by the git commit and the hashes in the manifest): what changed since the last
    version is computed from them, and a version can be rebuilt from them."""
    return {snapshot_name(i.name): i.path for i in inputs.briefing_inputs(briefing) if i.kind in SNAPSHOT_KINDS}


def build(
    target: str | Path,
    *,
    reports_dir: Path | None = None,
    build_dir: Path | None = None,
    renderer: str = "nbconvert",
    force: bool = False,
) -> BuildResult:
    """Build one briefing (a name in params/ or a params file) and publish it if anything changed."""
    reports_dir = Path(reports_dir or paths.REPORTS_DIR).resolve()
    build_dir = Path(build_dir or paths.BUILD_DIR).resolve()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    briefing = params.load(target)
    name = briefing.name
    render_fn = render.get_renderer(renderer)
    secs = [sections.get(s) for s in briefing.params.sections]
    execute.python_kernel_ok()
    publish.check_writable(reports_dir)
    bdir = reports_dir / name
    work = build_dir / name

    with publish.locked(build_dir / "locks" / f"{name}.lock", what=name):
        publish.clean_staging(bdir)
        hashed = inputs.hashed_inputs(briefing)
        fingerprint = inputs.fingerprint(hashed, renderer)
        prev = publish.latest(bdir)
        if (
            prev is not None
            and not force
            and publish.read_manifest(bdir, prev).get("fingerprint") == fingerprint
        ):
            print(f"[{name}] up to date (v{prev})", flush=True)
            return BuildResult(name, prev, False, bdir / f"v{prev}", timings)
        version = (prev or 0) + 1

        prev_results = (
            {s.name: bdir / f"v{prev}" / "results" / f"{s.name}.json" for s in secs} if prev else {}
        )
        sec_dir = work / "sections"
        plan = []
        for s in secs:
            res = sec_dir / f"{s.name}.json"
            previous = prev_results.get(s.name)
            p = sections.parameters(
                briefing, s, res, previous if previous and previous.is_file() else None
            )
            execute.check_parameters(s, p)
            plan.append((s, p, res))
        timings["validate"] = time.perf_counter() - t0

        if work.exists():
            shutil.rmtree(work)
        executed: dict[str, Path] = {}
        results: dict[str, dict[str, Any]] = {}
        t = time.perf_counter()
        for i, (s, p, res) in enumerate(plan, 1):
            out = execute.run(
                s,
                p,
                sec_dir,
                work / "failed",
                cell_timeout=briefing.params.execution.cell_timeout,
                label=f"[{name}] {i}/{len(plan)} executing {paths.display_path(s.notebook)}",
            )
            if not res.is_file():
                raise BuildError(
                    f"{paths.display_path(s.notebook)} ran but did not write its results JSON ({res.name})"
                )
            scrub_volatile(out)
            executed[s.name] = out
            results[s.name] = read_results(res)
        timings["execute"] = time.perf_counter() - t

        t = time.perf_counter()
        print(f"[{name}] assembling v{version}", flush=True)
        pkg_inputs = [i for i in hashed if i["kind"] == "package"]
        built = publish.build_time()
        versions_installed = package_versions()
        provenance = {
            "briefing": name,
            "version": version,
            "supersedes": prev,
            "built_at": built.isoformat().replace("+00:00", "Z"),
            "fingerprint": fingerprint,
            "git": git_state(),
            "renderer": render.renderer_version(renderer),
            "python": platform.python_version(),
            "key_packages": {k: versions_installed.get(k, "not installed") for k in KEY_PACKAGES},
            "inputs": hashed,
            "package_digest": inputs.fingerprint(pkg_inputs, ""),
        }
        p = briefing.params
        cover = {
            "name": name,
            "title": p.title,
            "subtitle": p.subtitle,
            "as_of": p.as_of.isoformat(),
            "audience": p.audience,
            "classification": p.classification,
            "issued_by": p.issued_by,
            "version": version,
            "supersedes": prev,
            "built_at": provenance["built_at"],
            "lang": "en",
        }
        this_edition = diff.Edition(
            version,
            briefing.params.model_dump(mode="json"),
            {i["path"]: i["sha256"] for i in hashed},
            {i.name: i.path for i in inputs.briefing_inputs(briefing) if i.kind in SNAPSHOT_KINDS},
            results,
        )
        changes = diff.compare(diff.Edition.from_version_dir(bdir / f"v{prev}"), this_edition) if prev else None
        doc = assemble.assemble(
            cover=cover,
            executed=executed,
            sections={s.name: s for s in secs},
            results=results,
            provenance=provenance,
            changes=diff.to_markdown(changes),
        )
        stem = f"{name}-v{version}"
        doc_path = work / f"{stem}.ipynb"
        nbformat.write(doc, doc_path)
        timings["assemble"] = time.perf_counter() - t

        t = time.perf_counter()
        print(f"[{name}] rendering HTML and PDF ({renderer})", flush=True)
        rendered = render_fn(doc, work / "out", stem)
        timings["render"] = time.perf_counter() - t
        timings.update(rendered.timings)

        t = time.perf_counter()
        files = {
            rendered.pdf.name: rendered.pdf,
            rendered.html.name: rendered.html,
            f"{stem}.ipynb": doc_path,
            **{f"notebooks/{s}.ipynb": path for s, path in executed.items()},
            **{f"results/{s.name}.json": res for s, _, res in plan},
            **input_snapshot(briefing),
        }
        if changes is not None:
            changes_path = work / "changes.json"
            text = json.dumps(changes, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            changes_path.write_text(text, encoding="utf-8")
            files["changes.json"] = changes_path
        manifest = {
            "briefing": name,
            "version": version,
            "supersedes": prev,
            "built_at": provenance["built_at"],
            "fingerprint": fingerprint,
            "inputs": hashed,
            "git": provenance["git"],
            "python": provenance["python"],
            "packages": versions_installed,
            "renderer": {"name": renderer, "version": provenance["renderer"]},
            "parameters": briefing.params.model_dump(mode="json"),
            "key_judgments": [
                kj.get("text", "") for kj in doc.metadata["riskbrief"]["key_judgments"]
            ],
        }
        vdir = publish.publish_version(bdir, version, files, manifest)
        publish.write_index(reports_dir, build_dir / "locks")
        timings["publish"] = time.perf_counter() - t
    print(
        f"[{name}] published v{version}: {paths.display_path(vdir / rendered.pdf.name)}", flush=True
    )
    return BuildResult(name, version, True, vdir, timings)
