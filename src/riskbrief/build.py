"""Building briefings, as named stages: check → plan → execute → assemble → render → publish.

- **check**: the params file, its sections, data files and their contents, the notebooks'
  parameters cells, the renderer, ``SOURCE_DATE_EPOCH`` and the reports folder are checked
  before any kernel starts and before the briefing's lock is taken, so bad input fails fast
  and changes nothing (``sections.load``);
- **plan**: each section's notebook parameters, computed once (``sections.plan``);
- the **fingerprint** of every input (``inputs``) decides whether anything changed since the
  latest published version; if not, the build says so and stops;
- **execute**: papermill runs each section notebook in the work folder (``execute``), in this
  process or, with a scheduler's address, as tasks on a Dask cluster (``cluster``); a section
  whose inputs are unchanged is taken from the section cache instead (``cache``);
- **assemble**: the executed sections, key judgments, what changed, methods, references and
  provenance become one briefing notebook (``assemble``, ``diff``, ``provenance``);
- **render**: HTML and PDF (``render``);
- **publish**: a new version folder, atomically, then ``latest`` and the index (``publish``,
  ``index``).

Several briefings built together (:func:`build_all`) are all checked first; on a cluster
their notebooks then run as one wave of tasks. Published artefacts do not depend on where the
project, ``build/`` or ``reports/`` live, nor on where the notebooks ran: that is recorded in
the manifest only (``executed_on``).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from riskbrief import (
    assemble,
    assumptions,
    cluster,
    diff,
    execute,
    glossary,
    index,
    inputs,
    kernels,
    provenance,
    publish,
    references,
    render,
    sections,
)
from riskbrief.errors import BuildError
from riskbrief.narrative import summary
from riskbrief.params import Briefing
from riskbrief.paths import Project, display_path
from riskbrief.provenance import Manifest
from riskbrief.publish import pause_point
from riskbrief.results import read_results


@dataclass
class BuildResult:
    name: str
    version: int
    published: bool
    version_dir: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)


def build(
    target: str | Path,
    *,
    project: Project | None = None,
    reports_dir: Path | None = None,
    build_dir: Path | None = None,
    renderer: str = "nbconvert",
    force: bool = False,
    as_built: Manifest | None = None,
    scheduler: str | None = None,
) -> BuildResult:
    """Build one briefing (a name in params/ or a params file) and publish it if anything
    changed (or, with ``force``, anyway). ``as_built`` rebuilds as a published version was
    built: with its build time and its git state. With ``scheduler`` (a Dask scheduler's
    address) the notebooks and their Monte Carlo and Sobol evaluations run on that cluster."""
    return build_all(
        [target],
        project=project,
        reports_dir=reports_dir,
        build_dir=build_dir,
        renderer=renderer,
        force=force,
        as_built=as_built,
        scheduler=scheduler,
    )[0]


@dataclass
class _Checked:
    """A briefing past the check and plan stages, then its fingerprint."""

    briefing: Briefing
    steps: list[sections.Step]
    rows: list[dict[str, str]] | None
    terms: list[dict[str, Any]] | None
    source: dict[str, Any] | None
    render_fn: Any
    started: Any  # datetime: the build time every output records
    force: bool
    bdir: Path
    work: Path
    t0: float
    timings: dict[str, float] = field(default_factory=dict)
    hashed: list[dict[str, str]] = field(default_factory=list)
    fingerprint: str = ""
    prev: int | None = None

    @property
    def name(self) -> str:
        return self.briefing.name


def build_all(
    targets: list[str | Path],
    *,
    project: Project | None = None,
    reports_dir: Path | None = None,
    build_dir: Path | None = None,
    renderer: str = "nbconvert",
    force: bool = False,
    as_built: Manifest | None = None,
    scheduler: str | None = None,
) -> list[BuildResult]:
    """Build several briefings: check them all, then execute the notebooks of those whose
    inputs changed, then assemble, render and publish each.

    Without ``scheduler`` the notebooks run in this process, one briefing after another, and
    the first failure stops the build. With it, every notebook of every briefing is a task on
    that Dask cluster, all submitted at once; the briefings whose notebooks all ran are
    published, and the build then fails naming those that did not. An unreachable scheduler
    fails the build before anything is checked, locked or written."""
    project = project or Project.default()
    reports_dir = Path(reports_dir or project.reports_dir).resolve()
    build_dir = Path(build_dir or project.build_dir).resolve()
    on = cluster.connect(scheduler) if scheduler else None
    if on is not None:
        print(f"running on the {on.description}", flush=True)
    try:
        checked: dict[str, _Checked] = {}
        for target in targets:
            c = _check(target, project, reports_dir, build_dir, renderer, force, as_built)
            checked.setdefault(c.name, c)
        done: dict[str, BuildResult] = {}
        failed: list[str] = []
        with contextlib.ExitStack() as locks:
            for name in sorted(checked):
                locks.enter_context(publish.locked(build_dir / "locks" / f"{name}.lock", what=name))
            due = []
            for c in checked.values():
                with provenance.pinned_build_time(c.started):
                    unchanged = _fingerprint(c, reports_dir, build_dir, renderer)
                if unchanged is not None:
                    done[c.name] = unchanged
                else:
                    due.append(c)
            outcomes: dict[str, Any] = {}
            for c in due if on is None else ():
                t = time.perf_counter()
                with provenance.pinned_build_time(c.started):
                    outcomes[c.name] = _execute(c.briefing, c.steps, c.work)
                c.timings["execute"] = time.perf_counter() - t
            if on is not None:
                t = time.perf_counter()
                outcomes = _execute_on(on, due)
                for c in due:
                    c.timings["execute"] = time.perf_counter() - t
            for c in due:
                outcome = outcomes[c.name]
                if isinstance(outcome, BuildError):
                    failed.append(f"[{c.name}] {outcome}" if len(checked) > 1 else str(outcome))
                    continue
                with provenance.pinned_build_time(c.started):
                    done[c.name] = _finish(
                        c,
                        *outcome,
                        reports_dir=reports_dir,
                        build_dir=build_dir,
                        renderer=renderer,
                        as_built=as_built,
                        executed_on=on.description if on else cluster.IN_PROCESS,
                    )
        if failed:
            raise BuildError("\n".join(failed))
        return [done[name] for name in checked]
    finally:
        if on is not None:
            on.close()


# --- stages ------------------------------------------------------------------------------------


def _check(
    target: str | Path,
    project: Project,
    reports_dir: Path,
    build_dir: Path,
    renderer: str,
    force: bool,
    as_built: Manifest | None,
) -> _Checked:
    """check and plan: nothing runs, nothing is locked or written until all of this passes."""
    t0 = time.perf_counter()
    started = provenance.build_time()
    publish.check_pause_point()
    briefing = sections.load(target, project)
    rows = load_assumptions_log(project)
    terms = load_glossary(project, briefing)
    source = load_source_article(project)
    render_fn = render.get_renderer(renderer)
    steps = sections.plan(briefing)
    for step in steps:
        execute.check_parameters(step)
    execute.python_kernel_ok()
    execute.section_jobs()  # a bad RISKBRIEF_SECTION_JOBS fails here, before anything runs
    kernels.forking()  # and a bad RISKBRIEF_KERNEL_START
    publish.check_writable(reports_dir)
    name = briefing.name
    if as_built is not None:
        started, force = _parse_time(as_built.built_at), True
    return _Checked(
        briefing,
        steps,
        rows,
        terms,
        source,
        render_fn,
        started,
        force,
        reports_dir / name,
        build_dir / name,
        t0,
    )


def _fingerprint(
    c: _Checked, reports_dir: Path, build_dir: Path, renderer: str
) -> BuildResult | None:
    """The fingerprint of every input; the latest version's result if it is unchanged."""
    name, bdir = c.name, c.bdir
    publish.clean_staging(bdir)
    c.hashed = inputs.hashed_inputs(c.briefing)
    c.fingerprint = inputs.fingerprint(c.hashed, renderer)
    c.prev = prev = publish.latest(bdir)
    if (
        prev is not None
        and not c.force
        and publish.read_manifest(bdir, prev).fingerprint == c.fingerprint
    ):
        # a build killed after publishing but before `latest` or the index moved left
        # them behind: bring them up to date (a no-op when they are)
        publish.point_latest(bdir, prev, only_if_stale=True)
        index.write_index(reports_dir, build_dir / "locks", only_if_stale=True)
        print(f"[{name}] up to date (v{prev})", flush=True)
        return BuildResult(name, prev, False, bdir / f"v{prev}", c.timings)
    c.timings["validate"] = time.perf_counter() - c.t0
    return None


def _finish(
    c: _Checked,
    executed: dict[str, Path],
    results: dict[str, dict[str, Any]],
    *,
    reports_dir: Path,
    build_dir: Path,
    renderer: str,
    as_built: Manifest | None,
    executed_on: str,
) -> BuildResult:
    """assemble, render and publish one briefing whose notebooks have run."""
    briefing, name, bdir, work, prev = c.briefing, c.name, c.bdir, c.work, c.prev
    version = (prev or 0) + 1
    timings = c.timings
    project = briefing.project

    t = time.perf_counter()
    print(f"[{name}] assembling v{version}", flush=True)
    manifest = Manifest(
        briefing=name,
        version=version,
        supersedes=prev,
        built_at=provenance.iso(provenance.build_time()),
        fingerprint=c.fingerprint,
        inputs=c.hashed,
        git=as_built.git if as_built else provenance.git_state(project.root),
        python=provenance.python_version(),
        packages=provenance.package_versions(),
        renderer={"name": renderer, "version": render.renderer_version(renderer)},
        parameters=briefing.params.model_dump(mode="json"),
        executed_on=executed_on,
    )
    snapshot = inputs.snapshot_inputs(briefing)
    doc, changes = document(
        briefing,
        c.steps,
        executed,
        results,
        manifest,
        snapshot,
        bdir,
        rows=c.rows,
        terms=c.terms,
        source=c.source,
    )
    stem = f"{name}-v{version}"
    nbformat.write(doc, work / f"{stem}.ipynb")
    timings["assemble"] = time.perf_counter() - t

    t = time.perf_counter()
    print(f"[{name}] rendering HTML and PDF ({renderer})", flush=True)
    pause_point("render")
    rendered = c.render_fn(doc, work / "out", stem)
    timings["render"] = time.perf_counter() - t
    timings.update(rendered.timings)

    t = time.perf_counter()
    files = {
        rendered.pdf.name: rendered.pdf,
        rendered.html.name: rendered.html,
        f"{stem}.ipynb": work / f"{stem}.ipynb",
        **{f"notebooks/{s}.ipynb": path for s, path in executed.items()},
        **{f"results/{s}.json": work / "sections" / f"{s}.json" for s in executed},
        **{inputs.snapshot_name(n): path for n, path in snapshot.items()},
    }
    if changes is not None:
        files["changes.json"] = _write_json(work / "changes.json", changes)
    key_judgments = [kj.get("text", "") for kj in doc.metadata["riskbrief"]["key_judgments"]]
    manifest = Manifest.from_dict({**manifest.to_dict(), "key_judgments": key_judgments})
    vdir = publish.publish_version(bdir, version, files, manifest)
    pause_point("index")
    index.write_index(reports_dir, build_dir / "locks")
    timings["publish"] = time.perf_counter() - t
    print(f"[{name}] published v{version}: {display_path(vdir / rendered.pdf.name)}", flush=True)
    return BuildResult(name, version, True, vdir, timings)


def _execute_on(
    on: cluster.Cluster, due: list[_Checked]
) -> dict[str, tuple[dict[str, Path], dict[str, dict[str, Any]]] | BuildError]:
    """Every notebook of every briefing due, as one wave of tasks on the cluster."""
    pause_point("execute")
    runs = [
        cluster.Run(
            c.name,
            c.briefing.project,
            c.steps,
            c.work,
            c.briefing.params.execution.cell_timeout,
            str(int(c.started.timestamp())),
        )
        for c in due
    ]
    return cluster.execute(on, runs) if runs else {}


def _execute(
    briefing: Briefing, steps: list[sections.Step], work: Path
) -> tuple[dict[str, Path], dict[str, dict[str, Any]]]:
    """Run every section notebook in ``work/sections`` (a fresh work folder)."""
    if work.exists():
        shutil.rmtree(work)
    sec_dir = work / "sections"
    pause_point("execute")
    executed, _ = execute.run_all(
        steps,
        sec_dir,
        work / "failed",
        work.parent / "cache",
        cell_timeout=briefing.params.execution.cell_timeout,
        briefing=briefing.name,
    )
    results = {s.section.name: read_results(sec_dir / s.results_name) for s in steps}
    return executed, results


def document(
    briefing: Briefing,
    steps: list[sections.Step],
    executed: dict[str, Path],
    results: dict[str, dict[str, Any]],
    manifest: Manifest,
    snapshot: dict[str, Path],
    bdir: Path,
    *,
    rows: list[dict[str, str]] | None,
    terms: list[dict[str, Any]] | None,
    source: Any,
) -> tuple[nbformat.NotebookNode, dict[str, Any] | None]:
    """The briefing's document for ``manifest``'s version: cover, summary, what changed since
    the previous version, the executed sections and the appendix. The build publishes it; the
    preview renders the same document as HTML. ``bdir``: the briefing's published versions.
    Returns the document and what changed since the previous version (None for a first)."""
    changes = _changes(bdir, manifest.supersedes, manifest, snapshot, results)
    cover = _cover(briefing, manifest)
    doc = assemble.assemble(
        cover=cover,
        executed=executed,
        sections={s.section.name: s.section for s in steps},
        results=results,
        provenance=manifest.provenance_block(),
        changes=diff.to_markdown(changes),
        references=sections.references(briefing),
        assumption_rows=rows,
        glossary=terms,
        role=briefing.params.role,
        source=source,
        citation=summary.citation(cover, f"{briefing.name}-v{manifest.version}"),
    )
    return doc, changes


def _changes(
    bdir: Path,
    prev: int | None,
    manifest: Manifest,
    snapshot: dict[str, Path],
    results: dict[str, dict[str, Any]],
) -> dict[str, Any] | None:
    """What changed since the previous version (None for a first edition)."""
    if not prev:
        return None
    this = diff.Edition(
        manifest.version,
        manifest.parameters,
        manifest.used_hashes(),
        snapshot,
        results,
        manifest.input_hashes(),
    )
    return diff.compare(diff.Edition.from_version_dir(bdir / f"v{prev}"), this)


def _cover(briefing: Briefing, manifest: Manifest) -> dict[str, Any]:
    p = briefing.params
    return {
        "name": briefing.name,
        "title": p.title,
        "subtitle": p.subtitle,
        "as_of": p.as_of.isoformat(),
        "audience": p.audience,
        "classification": p.classification,
        "issued_by": p.issued_by,
        "version": manifest.version,
        "supersedes": manifest.supersedes,
        "built_at": manifest.built_at,
        "lang": "en",
    }


def load_assumptions_log(project: Project) -> list[dict[str, str]] | None:
    f = project.assumptions_file
    return assumptions.load_assumptions(f) if f.is_file() else None


def load_glossary(project: Project, briefing: Briefing) -> list[dict[str, Any]] | None:
    f = project.glossary_file
    if not f.is_file():
        return None
    return glossary.for_sections(glossary.load_glossary(f), list(briefing.params.sections))


def load_source_article(project: Project) -> dict[str, Any] | None:
    f = project.source_article_file
    return references.load_source_article(f) if f.is_file() else None


def _parse_time(built_at: str):
    import datetime as dt

    return dt.datetime.fromisoformat(built_at.replace("Z", "+00:00"))


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path
