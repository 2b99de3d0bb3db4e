"""Building one briefing: validate → fingerprint → execute → assemble → render → publish.

Everything a user can get wrong (params, data files, notebooks' parameters cells, the renderer,
``SOURCE_DATE_EPOCH``, a reports folder that cannot be written) is checked before any kernel
starts and before the briefing's lock is taken, so bad input fails fast and changes nothing.

Published artefacts do not depend on where the project, ``build/`` or ``reports/`` live:
notebooks run in their work folder with relative results paths, the previous version's results
are copied next to them, and the parameters recorded in the executed notebooks show data paths
relative to the project root.
"""

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

from riskbrief import (
    assemble,
    assumptions,
    diff,
    execute,
    inputs,
    params,
    paths,
    publish,
    references,
    render,
    sections,
)
from riskbrief.errors import BuildError
from riskbrief.publish import pause_point
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


def recorded_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameters as an executed notebook records them: absolute paths inside the project
    written relative to the project root, so the audit record does not depend on where the
    project was checked out (paths outside it stay absolute: they are where the data was)."""

    def shown(value: Any) -> Any:
        if isinstance(value, str) and Path(value).is_absolute():
            return paths.display_path(value)
        return value

    return {k: shown(v) for k, v in parameters.items()}


def scrub_volatile(nb_path: Path, parameters: dict[str, Any] | None = None) -> None:
    """Drop what differs between two runs of the same inputs from an executed notebook:
    execution timestamps, papermill's input and output paths, the random id papermill gives
    the cell it injects; with ``parameters``, record them in the injected cell and metadata in
    place of what was passed (see :func:`recorded_parameters`)."""
    from papermill.translators import translate_parameters

    nb = nbformat.read(nb_path, as_version=4)
    pm_meta = nb.metadata.get("papermill", {})
    for key in (*_VOLATILE_PAPERMILL_KEYS, "input_path", "output_path"):
        pm_meta.pop(key, None)
    if parameters is not None:
        pm_meta["parameters"] = parameters
    for cell in nb.cells:
        cm = cell.metadata
        for key in _VOLATILE_PAPERMILL_KEYS:
            cm.get("papermill", {}).pop(key, None)
        cm.pop("execution", None)
        if "injected-parameters" in cm.get("tags", []):
            cell.id = "injected-parameters"
            if parameters is not None:
                cell.source = translate_parameters(
                    execute.KERNEL, "python", parameters, "Parameters"
                )
    nbformat.write(nb, nb_path)


def reference_list(briefing: params.Briefing) -> list[references.Reference]:
    """The references a briefing can cite: the standing ones, and the indicator sources if it
    has the context section."""
    data_refs = (
        references.from_indicators(briefing.data_path("indicators"))
        if "context" in briefing.params.sections
        else []
    )
    return [*references.STANDING, *data_refs]


def build(
    target: str | Path,
    *,
    reports_dir: Path | None = None,
    build_dir: Path | None = None,
    renderer: str = "nbconvert",
    force: bool = False,
    git: dict[str, Any] | None = None,
) -> BuildResult:
    """Build one briefing (a name in params/ or a params file) and publish it if anything changed.

    ``git`` is the commit to record in place of the project tree's (a rebuild of a published
    version records the original's).
    """
    reports_dir = Path(reports_dir or paths.REPORTS_DIR).resolve()
    build_dir = Path(build_dir or paths.BUILD_DIR).resolve()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    # One build time for everything the build writes: the manifest, and (through
    # SOURCE_DATE_EPOCH) every tool that stamps a time, such as the PDF's embedded fonts, so
    # that a rebuild with SOURCE_DATE_EPOCH set to the manifest's built_at gives the same bytes.
    # A malformed SOURCE_DATE_EPOCH is an error here, before anything runs.
    started = publish.build_time()
    publish.check_pause_point()
    briefing = params.load(target)
    name = briefing.name
    assumptions_file = paths.DOCS_DIR / "assumptions.md"
    assumption_rows = (
        assumptions.load_assumptions(assumptions_file) if assumptions_file.is_file() else None
    )
    render_fn = render.get_renderer(renderer)
    secs = [sections.get(s) for s in briefing.params.sections]
    sections.validate_data(briefing, secs)
    for s in secs:
        # results and previous-results paths do not change which names are passed
        execute.check_parameters(s, sections.parameters(briefing, s, Path(f"{s.name}.json"), None))
    execute.python_kernel_ok()
    publish.check_writable(reports_dir)
    bdir = reports_dir / name
    work = build_dir / name

    with (
        publish.locked(build_dir / "locks" / f"{name}.lock", what=name),
        publish.pinned_build_time(started),
    ):
        publish.clean_staging(bdir)
        hashed = inputs.hashed_inputs(briefing)
        fingerprint = inputs.fingerprint(hashed, renderer)
        prev = publish.latest(bdir)
        if (
            prev is not None
            and not force
            and publish.read_manifest(bdir, prev).get("fingerprint") == fingerprint
        ):
            # a build killed between publishing a version and moving `latest` or rewriting the
            # index left them behind: bring them up to date (a no-op when they are)
            publish.point_latest(bdir, prev, only_if_stale=True)
            publish.write_index(reports_dir, build_dir / "locks", only_if_stale=True)
            print(f"[{name}] up to date (v{prev})", flush=True)
            return BuildResult(name, prev, False, bdir / f"v{prev}", timings)
        version = (prev or 0) + 1

        # Notebooks run with their work folder as the current directory; every path they are
        # given there is relative, so the executed notebooks do not record where it was.
        sec_dir = work / "sections"
        plan = []
        previous_copies: dict[Path, Path] = {}
        for s in secs:
            res = Path(f"{s.name}.json")
            previous = bdir / f"v{prev}" / "results" / f"{s.name}.json" if prev else None
            if previous is not None and previous.is_file():
                previous_copies[sec_dir / "previous" / res] = previous
            else:
                previous = None
            p = sections.parameters(
                briefing, s, res, Path("previous") / res if previous is not None else None
            )
            plan.append((s, p, sec_dir / res))
        timings["validate"] = time.perf_counter() - t0

        if work.exists():
            shutil.rmtree(work)
        for copy, original in previous_copies.items():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, copy)
        executed: dict[str, Path] = {}
        results: dict[str, dict[str, Any]] = {}
        t = time.perf_counter()
        pause_point("execute")
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
            scrub_volatile(out, recorded_parameters(p))
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
            "git": git if git is not None else git_state(),
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
        snapshot = inputs.snapshot_inputs(briefing)
        this_edition = diff.Edition(
            version,
            briefing.params.model_dump(mode="json"),
            {i["path"]: i["sha256"] for i in hashed},
            snapshot,
            results,
        )
        changes = (
            diff.compare(diff.Edition.from_version_dir(bdir / f"v{prev}"), this_edition)
            if prev
            else None
        )
        doc = assemble.assemble(
            cover=cover,
            executed=executed,
            sections={s.name: s for s in secs},
            results=results,
            provenance=provenance,
            changes=diff.to_markdown(changes),
            references=reference_list(briefing),
            assumption_rows=assumption_rows,
        )
        stem = f"{name}-v{version}"
        doc_path = work / f"{stem}.ipynb"
        nbformat.write(doc, doc_path)
        timings["assemble"] = time.perf_counter() - t

        t = time.perf_counter()
        print(f"[{name}] rendering HTML and PDF ({renderer})", flush=True)
        pause_point("render")
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
            **{inputs.snapshot_name(name): path for name, path in snapshot.items()},
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
        pause_point("index")
        publish.write_index(reports_dir, build_dir / "locks")
        timings["publish"] = time.perf_counter() - t
    print(
        f"[{name}] published v{version}: {paths.display_path(vdir / rendered.pdf.name)}", flush=True
    )
    return BuildResult(name, version, True, vdir, timings)
